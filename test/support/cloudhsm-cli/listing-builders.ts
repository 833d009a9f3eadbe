/** Builders of SDK 5 listings (what the cloudhsm-cli driver keeps) and clusters for the module's unit tests. */
import { membershipToken } from '#core/membership.ts';
import type { ClusterNode, NodeInventory, NodeNote, ResolvedCluster } from '#core/model.ts';
import type { CliKey, CloudHsmCliListing } from '#drivers/cloudhsm-cli/listing.ts';
import type { ListedUser } from '#drivers/cloudhsm-cli/parse/parse-user-list.ts';

export function cliUser(username: string, role = 'crypto-user', more: Partial<ListedUser> = {}): ListedUser {
  return { username, role, locked: 'false', mfa: [], clusterCoverage: 'full', ...more };
}

export function cliKey(keyReference: string, owner = 'alice', more: Partial<CliKey> = {}): CliKey {
  return {
    keyReference,
    label: `label-${keyReference}`,
    checkValue: '0x2a737d',
    clusterCoverage: 'full',
    owners: [{ username: owner, coverage: 'full' }],
    sharedUsers: [],
    listedBy: [owner],
    listedDifferently: false,
    ...more,
  };
}

export function cliListing(users: ListedUser[], keys: CliKey[] = []): CloudHsmCliListing {
  return { tool: 'cloudhsm-cli', users, keys, keyListings: [], clusterKeyCount: keys.length };
}

export function sdk5Cluster(nodeCount: number): ResolvedCluster {
  const nodes: ClusterNode[] = Array.from({ length: nodeCount }, (_, i) => ({
    nodeId: `hsm-${i}`,
    address: `10.0.1.${i + 10}`,
    port: 2223,
    state: 'ACTIVE',
    zone: `us-east-1${'abc'[i % 3]}`,
  }));
  return {
    clusterId: 'cluster-sdk5',
    provider: 'aws',
    tool: 'cloudhsm-cli',
    nodes,
    resolvedAt: '2026-11-23T00:00:00.000Z',
    membershipToken: membershipToken(nodes),
    configDrift: null,
    addressing: 'cluster-wide',
  };
}

/** The same listing on every node, as the driver returns it. */
export function onEveryNode(
  c: ResolvedCluster,
  listing: CloudHsmCliListing,
  notes: NodeNote[] = [],
): NodeInventory[] {
  return c.nodes.map((n) => ({
    nodeId: n.nodeId,
    status: 'read',
    listing,
    digest: null,
    notes,
    collectedAt: '2026-11-23T00:00:00.000Z',
  }));
}
