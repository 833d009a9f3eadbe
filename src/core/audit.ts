/**
 * Audit: from one inventory per node to the presence matrix and one finding per object.
 * Pure: no I/O. The tool's rules say what an object is (identity, content, slot); the rules
 * of the audit are the same for every tool (ARCHITECTURE.md, "Audit"):
 * - consistent: on every readable node, identical;
 * - missing: on some readable nodes, not all (repairable from a holder);
 * - single-node: on exactly one node of a cluster of 2 or more (at risk of loss);
 * - divergent: same identity, different content (never auto-repaired).
 * A node that could not be read is "unknown": it never counts as lacking an object.
 */

import { clusterHealthFindings } from './cluster-health.ts';
import type {
  AuditResult,
  ContentVariant,
  InventoryObject,
  NodeFinding,
  NodeInventory,
  ObjectFinding,
  ObjectKind,
  ObjectStatus,
  PresenceMatrix,
  ResolvedCluster,
  Severity,
} from './model.ts';
import type { ObjectRules } from './tool-rules.ts';

interface Holding {
  nodeId: string;
  /** null: this copy has no comparable content (e.g. key details not read). */
  content: string | null;
  uncertain: boolean;
  conflict: string | null;
}

interface ObjectAccumulator {
  kind: ObjectKind;
  objectId: string;
  label: string;
  ref: string;
  slot: string | null;
  holdings: Holding[];
}

const STATUS_SEVERITY: Record<ObjectStatus, Severity> = {
  consistent: 'info',
  missing: 'warning',
  'single-node': 'critical',
  divergent: 'critical',
};

export function audit(
  cluster: ResolvedCluster,
  inventories: readonly NodeInventory[],
  rules: ObjectRules,
): AuditResult {
  const nodeIds = cluster.nodes.map((node) => node.nodeId);
  const byNode = indexInventories(nodeIds, inventories);
  const readable = nodeIds.filter((id) => byNode.get(id)?.status === 'read');
  const unknown = nodeIds.filter((id) => !readable.includes(id));

  const { objects, slots } = collectObjects(nodeIds, byNode, rules);
  const findings: ObjectFinding[] = [];
  for (const acc of objects.values()) findings.push(classify(acc, nodeIds, readable, unknown, slots));
  findings.sort(compareFindings);

  const nodes = nodeFindings(cluster, byNode);
  const counts: Record<ObjectStatus, number> = { consistent: 0, missing: 0, 'single-node': 0, divergent: 0 };
  for (const finding of findings) counts[finding.status] += 1;

  return {
    clusterId: cluster.clusterId,
    nodeIds,
    readableNodeIds: readable,
    objects: findings,
    nodes,
    matrix: buildMatrix(nodeIds, findings),
    counts,
  };
}

function indexInventories(
  nodeIds: readonly string[],
  inventories: readonly NodeInventory[],
): Map<string, NodeInventory> {
  const known = new Set(nodeIds);
  const byNode = new Map<string, NodeInventory>();
  for (const inventory of inventories) {
    if (!known.has(inventory.nodeId)) {
      throw new TypeError(
        `audit: inventory for node '${inventory.nodeId}' which is not in the cluster (${nodeIds.join(', ')})`,
      );
    }
    if (byNode.has(inventory.nodeId)) {
      throw new TypeError(`audit: two inventories for node '${inventory.nodeId}'`);
    }
    byNode.set(inventory.nodeId, inventory);
  }
  return byNode;
}

/** Every object by identity, and per node which object holds which slot. */
function collectObjects(
  nodeIds: readonly string[],
  byNode: Map<string, NodeInventory>,
  rules: ObjectRules,
): { objects: Map<string, ObjectAccumulator>; slots: Map<string, Map<string, InventoryObject>> } {
  const objects = new Map<string, ObjectAccumulator>();
  const slots = new Map<string, Map<string, InventoryObject>>();
  for (const nodeId of nodeIds) {
    const inventory = byNode.get(nodeId);
    if (inventory?.status !== 'read') continue;
    const held = new Map<string, InventoryObject>();
    slots.set(nodeId, held);
    for (const object of rules.objectsOf(inventory)) {
      if (object.slot !== null) held.set(object.slot, object);
      let acc = objects.get(object.id);
      if (!acc) {
        acc = {
          kind: object.kind,
          objectId: object.id,
          label: object.label,
          ref: object.ref,
          slot: object.slot,
          holdings: [],
        };
        objects.set(object.id, acc);
      }
      acc.holdings.push({
        nodeId,
        content: object.content,
        uncertain: object.uncertain === true,
        conflict: object.conflict ?? null,
      });
    }
  }
  return { objects, slots };
}

function classify(
  acc: ObjectAccumulator,
  nodeIds: readonly string[],
  readable: readonly string[],
  unknown: readonly string[],
  slots: Map<string, Map<string, InventoryObject>>,
): ObjectFinding {
  const certain = new Set(acc.holdings.filter((h) => !h.uncertain).map((h) => h.nodeId));
  const uncertain = new Set(acc.holdings.filter((h) => h.uncertain).map((h) => h.nodeId));
  const presentOn = nodeIds.filter((id) => certain.has(id));
  const uncertainOn = nodeIds.filter((id) => uncertain.has(id));
  const missingOn = readable.filter((id) => !certain.has(id) && !uncertain.has(id));
  const variants = groupVariants(acc.holdings);
  const conflicts = [...new Set(acc.holdings.flatMap((h) => (h.conflict === null ? [] : [h.conflict])))];
  const collisions = slotCollisions(acc, missingOn, slots);

  let status: ObjectStatus;
  if (variants.length > 1 || collisions.length > 0 || conflicts.length > 0) status = 'divergent';
  else if (missingOn.length === 0 && uncertainOn.length === 0) status = 'consistent';
  else if (presentOn.length === 1 && uncertainOn.length === 0 && nodeIds.length >= 2) status = 'single-node';
  else status = 'missing';

  return {
    kind: acc.kind,
    objectId: acc.objectId,
    label: acc.label,
    ref: acc.ref,
    status,
    severity: STATUS_SEVERITY[status],
    presentOn,
    missingOn,
    unknownOn: [...unknown],
    uncertainOn,
    variants,
    detail: describe(status, { presentOn, missingOn, unknown, uncertainOn, variants, collisions, conflicts }),
  };
}

/** Distinct contents among the holders that have comparable content, in node order. */
function groupVariants(holdings: readonly Holding[]): ContentVariant[] {
  const variants: ContentVariant[] = [];
  // Holdings are collected in node order already (collectObjects walks nodeIds in order).
  for (const holding of holdings) {
    if (holding.content === null) continue;
    const existing = variants.find((v) => v.content === holding.content);
    if (existing) existing.nodeIds.push(holding.nodeId);
    else variants.push({ content: holding.content, nodeIds: [holding.nodeId] });
  }
  return variants;
}

/**
 * A copy keeps the object's slot (the mgmt-util copy keeps the user id). If a node that lacks the
 * object already uses that slot for another object, copying would collide: a human decides.
 */
function slotCollisions(
  acc: ObjectAccumulator,
  missingOn: readonly string[],
  slots: Map<string, Map<string, InventoryObject>>,
): string[] {
  if (acc.slot === null) return [];
  const collisions: string[] = [];
  for (const nodeId of missingOn) {
    const other = slots.get(nodeId)?.get(acc.slot);
    if (other && other.id !== acc.objectId) collisions.push(`${acc.slot} is ${other.label} on ${nodeId}`);
  }
  return collisions;
}

interface Placement {
  presentOn: readonly string[];
  missingOn: readonly string[];
  unknown: readonly string[];
  uncertainOn: readonly string[];
  variants: readonly ContentVariant[];
  collisions: readonly string[];
  conflicts: readonly string[];
}

function describe(status: ObjectStatus, p: Placement): string {
  // While a node is unread its copy may be another variant: say so, and that it comes first.
  const unknownNote =
    p.unknown.length > 0
      ? `; unknown on ${p.unknown.join(', ')} (not read: read ${p.unknown.length > 1 ? 'them' : 'it'} before copying anything)`
      : '';
  const uncertainNote =
    p.uncertainOn.length > 0
      ? `on some of ${p.uncertainOn.join(', ')} only (the tool reports partial coverage without saying which)`
      : '';
  switch (status) {
    case 'consistent':
      return `on every readable node (${p.presentOn.join(', ')})${unknownNote}`;
    case 'missing':
      if (p.uncertainOn.length > 0) return `${uncertainNote}${unknownNote}`;
      return `on ${p.presentOn.join(', ')}; missing on ${p.missingOn.join(', ')}${unknownNote}`;
    case 'single-node':
      return p.unknown.length > 0
        ? `on ${p.presentOn[0]}, missing on ${p.missingOn.join(', ') || 'no other readable node'}${unknownNote}: at risk if ${p.presentOn[0]} fails`
        : `only on ${p.presentOn[0]}: lost for good if that node fails; missing on ${p.missingOn.join(', ')}`;
    case 'divergent': {
      const parts =
        p.variants.length > 1 ? p.variants.map((v) => `${v.content} on ${v.nodeIds.join(', ')}`) : [];
      return `same identity, different content: ${[...parts, ...p.collisions, ...p.conflicts].join('; ')}${unknownNote}`;
    }
  }
}

const KIND_ORDER: Record<ObjectKind, number> = { user: 0, key: 1 };

/** Users before keys (a key copied to a node that lacks its owner cannot be inserted), then by id. */
function compareFindings(a: ObjectFinding, b: ObjectFinding): number {
  return (
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || compareIds(a.ref, b.ref) || compareIds(a.objectId, b.objectId)
  );
}

/** Numeric references in numeric order (key 9 before key 10), others in code-unit order. */
function compareIds(a: string, b: string): number {
  const na = Number(a);
  const nb = Number(b);
  if (a !== '' && b !== '' && Number.isFinite(na) && Number.isFinite(nb)) return na - nb;
  return a < b ? -1 : a > b ? 1 : 0;
}

function nodeFindings(cluster: ResolvedCluster, byNode: Map<string, NodeInventory>): NodeFinding[] {
  const findings: NodeFinding[] = [];
  for (const node of cluster.nodes) {
    const inventory = byNode.get(node.nodeId);
    if (!inventory) {
      findings.push({
        nodeId: node.nodeId,
        kind: 'unreachable',
        severity: 'warning',
        detail: 'no inventory was collected',
      });
      continue;
    }
    if (inventory.status === 'unreadable') {
      findings.push({
        nodeId: node.nodeId,
        kind: inventory.reason,
        severity:
          inventory.reason === 'login-failed' || inventory.reason === 'login-refused-by-guard'
            ? 'critical'
            : 'warning',
        detail: inventory.detail,
      });
    }
    for (const note of inventory.notes ?? []) {
      findings.push({
        nodeId: node.nodeId,
        kind: note.kind,
        severity: note.severity,
        detail: note.detail,
        ...(note.topic === undefined ? {} : { topic: note.topic }),
      });
    }
  }
  const drift = cluster.configDrift;
  if (drift) {
    for (const nodeId of drift.missingFromConfig) {
      findings.push({
        nodeId,
        kind: 'absent-from-config',
        severity: 'warning',
        detail: "the operator's tool config does not list this node: commands typed there miss it",
      });
    }
    for (const address of drift.unknownInConfig) {
      findings.push({
        nodeId: address,
        kind: 'unknown-in-config',
        severity: 'warning',
        detail: "the operator's tool config lists an address that is not a node of the cluster",
      });
    }
  }
  findings.push(...clusterHealthFindings(cluster));
  return findings;
}

function buildMatrix(nodeIds: readonly string[], findings: readonly ObjectFinding[]): PresenceMatrix {
  const rows = findings.map((finding) => {
    const unknown = new Set(finding.unknownOn);
    const present = new Set(finding.presentOn);
    const uncertain = new Set(finding.uncertainOn);
    return {
      objectId: finding.objectId,
      kind: finding.kind,
      label: finding.label,
      cells: nodeIds.map((nodeId) => cellFor(finding, nodeId, { unknown, present, uncertain })),
    };
  });
  return { nodeIds: [...nodeIds], rows };
}

function cellFor(
  finding: ObjectFinding,
  nodeId: string,
  sets: { unknown: Set<string>; present: Set<string>; uncertain: Set<string> },
): string {
  if (sets.unknown.has(nodeId)) return 'unknown';
  if (sets.uncertain.has(nodeId)) return 'uncertain';
  if (!sets.present.has(nodeId)) return 'absent';
  if (finding.status === 'divergent' && finding.variants.length > 1) {
    const index = finding.variants.findIndex((v) => v.nodeIds.includes(nodeId));
    if (index >= 0) return `variant ${String.fromCharCode(65 + index)}`;
  }
  return 'present';
}
