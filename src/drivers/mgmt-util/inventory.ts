/**
 * Assembles one node's inventory from the parsed replies of a collect session: the listing
 * the mgmt-util printed (users, keys with their details) as the tool's own record.
 */
import type { ClusterNode, ReadInventory } from '#core/model.ts';
import type { HsmKey, MgmtUtilListing } from './listing.ts';
import type { FindAllKeysServer } from './parse/parse-find-all-keys.ts';
import type { KeyInfoServer } from './parse/parse-get-key-info.ts';
import type { ListUsersServer } from './parse/parse-list-users.ts';

export interface NodeReplies {
  users: ListUsersServer;
  keys: FindAllKeysServer;
  /** getKeyInfo per handle; null when key details were not read. */
  keyInfo: Map<number, KeyInfoServer> | null;
}

export function readInventory(node: ClusterNode, replies: NodeReplies, collectedAt: string): ReadInventory {
  const keys: HsmKey[] = replies.keys.keys.map((k) => {
    const info = replies.keyInfo?.get(k.handle);
    return {
      handle: k.handle,
      shared: k.shared,
      owner: info?.owner ?? null,
      sharedWith: info?.sharedWith ?? [],
    };
  });
  const listing: MgmtUtilListing = {
    users: replies.users.users,
    keys,
    keyDetails: replies.keyInfo !== null,
  };
  return {
    nodeId: node.nodeId,
    status: 'read',
    listing,
    digest: replies.keys.keyHash,
    notes: [],
    collectedAt,
  };
}
