/**
 * How the mgmt-util family's objects are recognised across nodes (the tool's ObjectRules):
 * - a user is the same user on two nodes when its name matches (user names are
 *   case-insensitive); its content is type + id, which syncUser preserves; its id is a slot
 *   (a node that gives that id to another user cannot take the copy);
 * - a key is the same key when its handle matches (syncKey keeps the handle); its content is
 *   owner + sharing set, where the run read them.
 */
import type { InventoryObject, ReadInventory } from '#core/model.ts';
import type { ObjectRules } from '#core/tool-rules.ts';
import { type HsmKey, type HsmUser, listingOf } from './listing.ts';

export function userObject(user: HsmUser): InventoryObject {
  return {
    kind: 'user',
    id: `user:${user.username.toLowerCase()}`,
    label: `${user.userType} ${user.username} (id ${user.userId})`,
    content: `${user.userType} id ${user.userId}`,
    ref: String(user.userId),
    slot: `user id ${user.userId}`,
  };
}

/** Content null when this node's listing carries no owner data: such a copy cannot disagree with anyone. */
export function keyObject(key: HsmKey): InventoryObject {
  const shared = key.sharedWith.length > 0 ? `shared with ${key.sharedWith.join(',')}` : 'not shared';
  return {
    kind: 'key',
    id: `key:${key.handle}`,
    label: `key ${key.handle}`,
    content: key.owner === null ? null : `owner ${key.owner}, ${shared}`,
    ref: String(key.handle),
    slot: null,
  };
}

export const MGMT_UTIL_RULES: ObjectRules = {
  objectsOf(inventory: ReadInventory): InventoryObject[] {
    const listing = listingOf(inventory.listing, inventory.nodeId);
    const objects: InventoryObject[] = [];
    for (const user of listing.users) objects.push(userObject(user));
    for (const key of listing.keys) objects.push(keyObject(key));
    return objects;
  },
};
