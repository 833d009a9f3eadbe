/** Small builders for core tests: a cluster of N nodes and inventories in a few words. */
import { membershipToken } from '#core/identity.ts';
import type { ClusterNode, HsmKey, HsmUser, NodeInventory, ResolvedCluster, UserType } from '#core/model.ts';

export function cluster(nodeCount: number, clusterId = 'cluster-test'): ResolvedCluster {
  const nodes: ClusterNode[] = Array.from({ length: nodeCount }, (_, i) => ({
    nodeId: `hsm-${i}`,
    address: `10.0.0.${i + 1}`,
    port: 2225,
    state: 'ACTIVE',
  }));
  return {
    clusterId,
    provider: 'emulator',
    dialect: 'aws',
    nodes,
    resolvedAt: '2026-11-23T00:00:00.000Z',
    membershipToken: membershipToken(nodes),
    configDrift: null,
  };
}

export function user(userId: number, username: string, userType: UserType = 'CU'): HsmUser {
  return { userId, userType, username, mofnPubKey: false, loginFailureCount: 0, twoFactor: false };
}

export function key(handle: number, owner: number | null = 3, sharedWith: number[] = []): HsmKey {
  return { handle, shared: sharedWith.length > 0, owner, sharedWith };
}

export function read(nodeId: string, users: HsmUser[], keys: HsmKey[] = []): NodeInventory {
  return {
    nodeId,
    status: 'read',
    users,
    keys,
    keyHash: null,
    keyDetails: keys.some((k) => k.owner !== null),
    collectedAt: '2026-11-23T00:00:00.000Z',
  };
}

export function unreadable(
  nodeId: string,
  reason: 'unreachable' | 'login-failed' = 'unreachable',
): NodeInventory {
  return { nodeId, status: 'unreadable', reason, detail: `${reason} in test` };
}
