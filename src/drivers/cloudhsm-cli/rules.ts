/**
 * How the SDK 5 CLI's objects are recognised (the tool's ObjectRules). The CLI reports each
 * object once for the whole cluster, with its coverage, so every node's inventory holds the
 * same objects and the audit compares the tool's own signals rather than copies:
 *
 * - a user is its lowercase username (SDK 5 names are case-insensitive, shown lowercase);
 *   its content is role, `locked` and MFA; its reference `<role>/<username>`;
 *   `cluster-coverage: inconsistent` → `uncertain` on every node (on some HSMs, the CLI does
 *   not say which); `role`, `locked` or an MFA `status` reading `inconsistent` → `conflict`
 *   (the same user with different properties on different HSMs: AWS's recovery is by hand).
 *   `locked: "true"` (locked on every HSM) is not a difference between HSMs: the driver
 *   reports it as an `account-locked` note instead.
 * - a key is its key reference: the CLI keeps references cluster-wide (a key has the same
 *   reference on every HSM; UNCONFIRMED by AWS in words, seen in every example and in `key
 *   replicate`). Content: label, check value, owners and shared users with their
 *   `key-coverage`. Key `cluster-coverage: inconsistent` → `uncertain`; full coverage with an
 *   owner's or shared user's `key-coverage` inconsistent, two owners, or two listings that
 *   disagree → `conflict`.
 */
import type { InventoryObject, ReadInventory } from '#core/model.ts';
import type { ObjectRules } from '#core/tool-rules.ts';
import { type CliKey, canonicalKeyReference, listingOf, userRef } from './listing.ts';
import type { KeyUser } from './parse/parse-key-list.ts';
import type { ListedUser } from './parse/parse-user-list.ts';

/** What a user's content carries (JSON): the planner and runbook read it back. */
export interface UserContent {
  role: string;
  locked: string;
  mfa: string[];
}

/** What a key's content carries (JSON). */
export interface KeyContent {
  label: string;
  checkValue: string | null;
  owners: string[];
  sharedUsers: string[];
}

const LABEL_IN_TEXT = 40;

function userConflicts(user: ListedUser): string[] {
  const found: string[] = [];
  if (user.role === 'inconsistent') {
    found.push('role reads inconsistent (an admin on some HSMs, a crypto user on others)');
  }
  if (user.locked === 'inconsistent') found.push('locked reads inconsistent (locked out on some HSMs only)');
  for (const m of user.mfa) {
    if (m.status === 'inconsistent') found.push(`MFA ${m.strategy} status reads inconsistent`);
  }
  return found;
}

export function userObject(user: ListedUser): InventoryObject {
  const username = user.username.toLowerCase();
  const content: UserContent = {
    role: user.role,
    locked: user.locked,
    mfa: user.mfa.map((m) => `${m.strategy}:${m.status}`),
  };
  const conflicts = userConflicts(user);
  return {
    kind: 'user',
    id: `user:${username}`,
    label: user.role === 'inconsistent' ? `user ${username} (role inconsistent)` : `${user.role} ${username}`,
    content: JSON.stringify(content),
    ref: userRef(user),
    slot: null,
    ...(user.clusterCoverage === 'inconsistent' ? { uncertain: true } : {}),
    ...(conflicts.length > 0 ? { conflict: conflicts.join('; ') } : {}),
  };
}

const named = (users: readonly KeyUser[]) => users.map((u) => `${u.username}:${u.coverage}`).sort();

function keyConflicts(key: CliKey): string[] {
  const found: string[] = [];
  if (key.owners.length > 1) {
    found.push(
      `listed with ${key.owners.length} owners (${key.owners.map((o) => o.username).join(', ')}): the HSMs disagree on who owns it`,
    );
  }
  if (key.clusterCoverage === 'full') {
    for (const o of key.owners) {
      if (o.coverage === 'inconsistent') found.push(`owner ${o.username}'s key-coverage reads inconsistent`);
    }
    for (const s of key.sharedUsers) {
      if (s.coverage === 'inconsistent') {
        found.push(`shared user ${s.username}'s key-coverage reads inconsistent (shared on some HSMs only)`);
      }
    }
  }
  if (key.listedDifferently) {
    found.push(`listed differently to ${key.listedBy.join(' and ')} (it changed while it was listed?)`);
  }
  return found;
}

export function keyObject(key: CliKey): InventoryObject {
  const reference = canonicalKeyReference(key.keyReference);
  const content: KeyContent = {
    label: key.label,
    checkValue: key.checkValue,
    owners: named(key.owners),
    sharedUsers: named(key.sharedUsers),
  };
  const shortLabel = key.label.length > LABEL_IN_TEXT ? `${key.label.slice(0, LABEL_IN_TEXT)}…` : key.label;
  const conflicts = keyConflicts(key);
  return {
    kind: 'key',
    id: `key:${reference}`,
    label: `key ${reference}${shortLabel === '' ? '' : ` ${shortLabel}`}`,
    content: JSON.stringify(content),
    ref: key.keyReference,
    slot: null,
    ...(key.clusterCoverage === 'inconsistent' ? { uncertain: true } : {}),
    ...(conflicts.length > 0 ? { conflict: conflicts.join('; ') } : {}),
  };
}

/**
 * Every node's inventory holds the same listing (one object when the workflow shares it):
 * its objects are made once per listing. The audit only reads them.
 */
const objectsOfListing = new WeakMap<object, InventoryObject[]>();

export const CLOUDHSM_CLI_RULES: ObjectRules = {
  objectsOf(inventory: ReadInventory): InventoryObject[] {
    const listing = listingOf(inventory.listing, inventory.nodeId);
    const known = objectsOfListing.get(listing);
    if (known !== undefined) return known;
    const objects: InventoryObject[] = [];
    for (const user of listing.users) objects.push(userObject(user));
    for (const key of listing.keys) objects.push(keyObject(key));
    objectsOfListing.set(listing, objects);
    return objects;
  },
};

/** The content of a finding's copies (every node's is the same for this tool); null when none. */
export function contentOf<T>(variants: readonly { content: string }[]): T | null {
  const first = variants[0];
  if (first === undefined) return null;
  try {
    return JSON.parse(first.content) as T;
  } catch {
    return null;
  }
}
