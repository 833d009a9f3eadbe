/**
 * What the mgmt-util family lists on one node (`listUsers`, `findAllKeys`, `getKeyInfo`), as
 * kept in the node's inventory (`ReadInventory.listing`). Source: shared/reference/hsm-management-cli.md.
 */

export const USER_TYPES = ['PRECO', 'PCO', 'CO', 'AU', 'CU'] as const;
export type UserType = (typeof USER_TYPES)[number];

/** One row of `listUsers` on one node. */
export interface HsmUser {
  userId: number;
  userType: UserType;
  username: string;
  mofnPubKey: boolean;
  /** Per-node counter: differs between nodes legitimately, never part of the identity. */
  loginFailureCount: number;
  twoFactor: boolean;
}

/** One key on one node: its handle (cluster-wide identity) and, where read, who owns and shares it. */
export interface HsmKey {
  handle: number;
  /** `(s)` marker in findAllKeys. */
  shared: boolean;
  /** Owner user id from getKeyInfo; null when the run did not read key details. */
  owner: number | null;
  /** User ids the key is shared with (sorted ascending); empty when unknown or unshared. */
  sharedWith: number[];
}

/** One node's listing. */
export interface MgmtUtilListing {
  users: HsmUser[];
  keys: HsmKey[];
  /** Whether key details (owner/sharing) were read; when false keys carry owner null. */
  keyDetails: boolean;
}

/** The two copy commands of the family (`server <src>` first, then `<command> <id> <dest>`). */
export const SYNC_COMMANDS = { user: 'syncUser', key: 'syncKey' } as const;
export type SyncCommand = (typeof SYNC_COMMANDS)[keyof typeof SYNC_COMMANDS];

/** The listing of a stored inventory; throws TypeError when it is not one of ours. */
export function listingOf(listing: unknown, nodeId: string): MgmtUtilListing {
  const value = listing as Partial<MgmtUtilListing> | null;
  if (
    !value ||
    !Array.isArray(value.users) ||
    !Array.isArray(value.keys) ||
    typeof value.keyDetails !== 'boolean'
  ) {
    throw new TypeError(`inventory of ${nodeId} does not hold a mgmt-util listing (users, keys, keyDetails)`);
  }
  return value as MgmtUtilListing;
}
