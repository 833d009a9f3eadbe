/**
 * What the Luna driver keeps as one member's listing (ReadInventory.listing, JSON): which HA
 * group and member, what lunacm says of the member, what the member's PKCS#11 slot and token
 * say, and its token objects (class, key type, label, id, fingerprint; never a secret value).
 * The rules (rules.ts) read it back; nothing outside this module looks inside.
 */
import type { MemberStatus } from './parse/parse-listgroups.ts';
import type { MemberSlotInfo, PinCounterFlags, TokenObject } from './pkcs11/inventory.ts';

export const LISTING_TOOL = 'luna';

/** The operation of every Luna SyncAction: one synchronize of the group copies them all. */
export const SYNCHRONIZE = 'hagroup synchronize';

export interface LunaMemberListing {
  tool: typeof LISTING_TOOL;
  group: { label: string; serial: string };
  /** As `hagroup listgroups` printed it. */
  member: { serial: string; label: string | null; status: MemberStatus; standby: boolean };
  /** As the member's PKCS#11 slot and token told it. */
  slot: MemberSlotInfo;
  pinCounters: PinCounterFlags;
  objects: TokenObject[];
  /** Identities held by more than one object on this member: ambiguous, never repaired. */
  duplicateIdentities: string[];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isTokenObject(value: unknown): value is TokenObject {
  return (
    isObject(value) &&
    typeof value.identityKey === 'string' &&
    typeof value.objectClass === 'string' &&
    (value.keyType === null || typeof value.keyType === 'string') &&
    typeof value.label === 'string' &&
    typeof value.idHex === 'string' &&
    typeof value.fingerprint === 'string'
  );
}

/** The listing of `nodeId`, checked; TypeError when it is not one this module made. */
export function listingOf(listing: unknown, nodeId: string): LunaMemberListing {
  const ok =
    isObject(listing) &&
    listing.tool === LISTING_TOOL &&
    isObject(listing.group) &&
    typeof listing.group.label === 'string' &&
    isObject(listing.member) &&
    typeof listing.member.serial === 'string' &&
    Array.isArray(listing.objects) &&
    listing.objects.every(isTokenObject) &&
    Array.isArray(listing.duplicateIdentities) &&
    listing.duplicateIdentities.every((d) => typeof d === 'string');
  if (!ok) throw new TypeError(`the inventory of ${nodeId} is not a Luna member listing`);
  return listing as unknown as LunaMemberListing;
}
