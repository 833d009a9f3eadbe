/**
 * How objects are recognised across nodes.
 * - A user is the same user on two nodes when its name matches (mgmt-util user names are
 *   case-insensitive); its content is type + id, which syncUser preserves.
 * - A key is the same key when its handle matches (syncKey keeps the handle); its content is
 *   owner + sharing set, where the run read them.
 */
import type { ClusterNode, HsmKey, HsmUser } from './model.ts';

export function userObjectId(user: HsmUser): string {
  return `user:${user.username.toLowerCase()}`;
}

export function userContent(user: HsmUser): string {
  return `${user.userType} id ${user.userId}`;
}

export function userLabel(user: HsmUser): string {
  return `${user.userType} ${user.username} (id ${user.userId})`;
}

export function keyObjectId(key: HsmKey): string {
  return `key:${key.handle}`;
}

/** null when this node's listing carries no owner data: such a copy cannot disagree with anyone. */
export function keyContent(key: HsmKey): string | null {
  if (key.owner === null) return null;
  const shared = key.sharedWith.length > 0 ? `shared with ${key.sharedWith.join(',')}` : 'not shared';
  return `owner ${key.owner}, ${shared}`;
}

export function keyLabel(key: HsmKey): string {
  return `key ${key.handle}`;
}

/**
 * The node set as one comparable string. Sync compares the token from Resolve with a fresh
 * one and writes nothing when they differ: server numbers would no longer mean the same HSMs.
 */
export function membershipToken(nodes: readonly ClusterNode[]): string {
  return nodes.map((node) => `${node.nodeId}@${node.address}:${node.port}`).join(',');
}
