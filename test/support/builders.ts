/** Small builders for core tests: a cluster of N nodes and inventories in a few words. */
import { membershipToken } from '#core/identity.ts';
import {
  type ClusterNode,
  DEFAULT_POLICY,
  type HsmKey,
  type HsmUser,
  type NodeInventory,
  type ResolvedCluster,
  type UserType,
} from '#core/model.ts';
import type { RunReport } from '#core/report.ts';

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

/** A run report with nothing in it but what the test gives. */
export function runReport(overrides: Partial<RunReport> = {}): RunReport {
  return {
    runId: 'run-1',
    clusterId: 'cluster-abc',
    provider: 'aws',
    dialect: 'aws',
    startedAt: '2026-11-23T00:00:00.000Z',
    finishedAt: '2026-11-23T00:01:00.000Z',
    policy: DEFAULT_POLICY,
    before: null,
    plan: null,
    results: [],
    after: null,
    verification: null,
    backup: null,
    failure: null,
    trigger: null,
    ...overrides,
  };
}
