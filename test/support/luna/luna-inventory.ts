/** Luna member inventories and clusters in a few words, for the pure rules/planner tests. */
import { membershipToken } from '#core/membership.ts';
import type { ClusterNode, NodeInventory, NodeState, ResolvedCluster } from '#core/model.ts';
import { LISTING_TOOL, type LunaMemberListing } from '#drivers/luna/listing.ts';
import { pinCounterFlags, type TokenObject } from '#drivers/luna/pkcs11/inventory.ts';

export const GROUP = 'myHAgroup';

/** A secret AES key object, as the reader reports it, with the fingerprint given. */
export function aes(label: string, idHex: string, fingerprint: string, handle = '1'): TokenObject {
  const labelHex = Buffer.from(label).toString('hex');
  return {
    identityKey: `secretKey/AES/${labelHex}/${idHex}`,
    objectClass: 'secretKey',
    keyType: 'AES',
    label,
    labelHex,
    idHex,
    fingerprint,
    fingerprintSource: fingerprint.startsWith('ouid:') ? 'ouid' : 'check-value',
    ouid: null,
    checkValue: fingerprint.replace(/^kcv:/, ''),
    handle,
  };
}

export function member(serial: string, objects: TokenObject[], group = GROUP): NodeInventory {
  const seen = new Map<string, number>();
  for (const o of objects) seen.set(o.identityKey, (seen.get(o.identityKey) ?? 0) + 1);
  const listing: LunaMemberListing = {
    tool: LISTING_TOOL,
    group: { label: group, serial: '1154438865287' },
    member: { serial, label: `par-${serial}`, status: 'alive', standby: false },
    slot: {
      slotId: 0,
      slotDescription: 'Net Token Slot',
      tokenLabel: `par-${serial}`,
      tokenSerial: serial,
      model: 'LunaSA',
      manufacturer: 'test',
      firmwareVersion: '7.3',
    },
    pinCounters: pinCounterFlags(0),
    objects,
    duplicateIdentities: [...seen].filter(([, n]) => n > 1).map(([k]) => k),
  };
  return {
    nodeId: serial,
    status: 'read',
    listing,
    digest: null,
    notes: [],
    collectedAt: '2026-12-01T00:00:00.000Z',
  };
}

export function lunaCluster(serials: string[], states: Record<string, NodeState> = {}): ResolvedCluster {
  const nodes: ClusterNode[] = serials.map((s) => ({
    nodeId: s,
    address: s,
    port: 1792,
    state: states[s] ?? 'ACTIVE',
  }));
  return {
    clusterId: GROUP,
    provider: 'file',
    tool: 'luna',
    nodes,
    resolvedAt: '2026-12-01T00:00:00.000Z',
    membershipToken: membershipToken(nodes),
    configDrift: null,
  };
}
