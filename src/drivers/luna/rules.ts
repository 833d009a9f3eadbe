/**
 * How the objects of Luna HA members are recognised across members (the module's ObjectRules):
 * - identity is what HA replication keeps on every member: class + key type + label + id
 *   (`object:secretKey/AES/<label hex>/<id hex>`); the slot-local handle differs per member and
 *   is never compared;
 * - content is the fingerprint: Luna's object unique id (CKA_OUID) where the library gives it,
 *   else CKA_CHECK_VALUE, else a digest of public attributes. The same identity with another
 *   fingerprint on another member is `divergent` (the seed's "fingerprint conflict");
 * - two objects with one identity on the same member are ambiguous: `divergent` too;
 * - ref is the HA group label: what the repair (`hagroup synchronize -group <label>`) takes.
 *
 * Every partition object (keys, certificates, data objects) has kind `key`: the core's kinds are
 * users and keys, and a Luna partition has no users to copy (its roles belong to the partition).
 */
import type { InventoryObject, ReadInventory } from '#core/model.ts';
import type { ObjectRules } from '#core/tool-rules.ts';
import { type LunaMemberListing, listingOf } from './listing.ts';
import type { TokenObject } from './pkcs11/inventory.ts';

export const OBJECT_ID_PREFIX = 'object:';

/** `secretKey AES "app-aes" (id 01)`. */
export function objectLabel(o: Pick<TokenObject, 'objectClass' | 'keyType' | 'label' | 'idHex'>): string {
  return `${o.objectClass}${o.keyType === null ? '' : ` ${o.keyType}`} ${JSON.stringify(o.label)} (id ${o.idHex || '-'})`;
}

export function memberObjects(listing: LunaMemberListing): InventoryObject[] {
  const duplicates = new Set(listing.duplicateIdentities);
  return listing.objects.map((o) => ({
    kind: 'key',
    id: `${OBJECT_ID_PREFIX}${o.identityKey}`,
    label: objectLabel(o),
    content: o.fingerprint,
    ref: listing.group.label,
    slot: null,
    ...(duplicates.has(o.identityKey)
      ? {
          conflict: `member ${listing.member.serial} holds several objects with this class, key type, label and id`,
        }
      : {}),
  }));
}

export const LUNA_RULES: ObjectRules = {
  objectsOf(inventory: ReadInventory): InventoryObject[] {
    return memberObjects(listingOf(inventory.listing, inventory.nodeId));
  },
};
