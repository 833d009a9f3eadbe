/**
 * What the SDK 5 `cloudhsm-cli` tells about a cluster, as kept in every node's inventory
 * (`ReadInventory.listing`). The CLI sees the cluster as a whole: `user list` (no login) and
 * `key list --verbose` (one listing per crypto user the settings name) carry coverage per
 * object, never which HSM holds what, so every node's inventory holds the same listing and the
 * rules mark an object `uncertain` on every node when its coverage is partial.
 * Source: shared/reference/cloudhsm-cli-sdk5.md §1.4–1.6.
 */
import type { KeyUser } from './parse/parse-key-list.ts';
import type { Coverage, ListedUser } from './parse/parse-user-list.ts';

/** One key of the cluster, merged from the listings of every crypto user that sees it. */
export interface CliKey {
  /** As the CLI printed it (`0x000000000000010b`). */
  keyReference: string;
  label: string;
  checkValue: string | null;
  clusterCoverage: Coverage;
  owners: KeyUser[];
  sharedUsers: KeyUser[];
  /** The crypto users whose listing showed it (a key shared with two of them shows twice). */
  listedBy: string[];
  /** Two listings printed it with other attributes or coverage (it changed while listing). */
  listedDifferently: boolean;
}

/** How one crypto user's keys were read. */
export interface KeyListingRecord {
  username: string;
  /** `listed`: every page read and joined; otherwise why its keys are not in this listing. */
  status: 'listed' | 'refused-by-guard' | 'login-failed' | 'failed';
  /** Pages read (one CLI process and one login each). */
  pages: number;
  keys: number;
  detail: string;
}

export interface CloudHsmCliListing {
  tool: 'cloudhsm-cli';
  users: ListedUser[];
  keys: CliKey[];
  keyListings: KeyListingRecord[];
  /** `total_key_count` of the admin's listing (every key of the cluster); null when not read. */
  clusterKeyCount: number | null;
}

/** The listing of a stored inventory; throws TypeError when it is not one of ours. */
export function listingOf(listing: unknown, nodeId: string): CloudHsmCliListing {
  const value = listing as Partial<CloudHsmCliListing> | null;
  if (
    value?.tool !== 'cloudhsm-cli' ||
    !Array.isArray(value.users) ||
    !Array.isArray(value.keys) ||
    !Array.isArray(value.keyListings)
  ) {
    throw new TypeError(
      `inventory of ${nodeId} does not hold a cloudhsm-cli listing (users, keys, keyListings)`,
    );
  }
  return value as CloudHsmCliListing;
}

/** A key reference as an identity: lowercase hex without leading zeros (`0x10b`). */
export function canonicalKeyReference(keyReference: string): string {
  const digits = keyReference
    .slice(2)
    .toLowerCase()
    .replace(/^0+(?=.)/, '');
  return `0x${digits}`;
}

/** The tool's reference of a user: `<role>/<username>` (the CLI names a user by both: `user create --username --role`). */
export function userRef(user: Pick<ListedUser, 'username' | 'role'>): string {
  return `${user.role}/${user.username.toLowerCase()}`;
}

/** `<role>/<username>` back to its parts; null when it is not one. */
export function parseUserRef(ref: string): { role: string; username: string } | null {
  const slash = ref.indexOf('/');
  if (slash <= 0 || slash === ref.length - 1) return null;
  return { role: ref.slice(0, slash), username: ref.slice(slash + 1) };
}
