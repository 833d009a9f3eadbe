import type { ClusterNode } from './model.ts';

/**
 * The node set as one comparable string. Sync compares the token from Resolve with a fresh
 * one and writes nothing when they differ: a plan made for one node set must not run on another.
 */
export function membershipToken(nodes: readonly ClusterNode[]): string {
  return nodes.map((node) => `${node.nodeId}@${node.address}:${node.port}`).join(',');
}
