/**
 * Audit: from one inventory per node to the presence matrix and one finding per object.
 * Pure: no I/O. The rules (ARCHITECTURE.md, "Audit"):
 * - consistent: on every readable node, identical;
 * - missing: on some readable nodes, not all (repairable from a holder);
 * - single-node: on exactly one node of a cluster of 2 or more (at risk of loss);
 * - divergent: same identity, different content (never auto-repaired).
 * A node that could not be read is "unknown": it never counts as lacking an object.
 */
import { keyContent, keyLabel, keyObjectId, userContent, userLabel, userObjectId } from './identity.ts';
import type {
  AuditResult,
  ContentVariant,
  NodeFinding,
  NodeInventory,
  ObjectFinding,
  ObjectKind,
  ObjectStatus,
  PresenceMatrix,
  ReadInventory,
  ResolvedCluster,
  Severity,
} from './model.ts';

interface Holding {
  nodeId: string;
  /** null: this copy has no comparable content (e.g. key details not read). */
  content: string | null;
}

interface ObjectAccumulator {
  kind: ObjectKind;
  objectId: string;
  label: string;
  numericId: number;
  holdings: Holding[];
}

const STATUS_SEVERITY: Record<ObjectStatus, Severity> = {
  consistent: 'info',
  missing: 'warning',
  'single-node': 'critical',
  divergent: 'critical',
};

export function audit(cluster: ResolvedCluster, inventories: readonly NodeInventory[]): AuditResult {
  const nodeIds = cluster.nodes.map((node) => node.nodeId);
  const byNode = indexInventories(nodeIds, inventories);
  const readable = nodeIds.filter((id) => byNode.get(id)?.status === 'read');
  const unknown = nodeIds.filter((id) => !readable.includes(id));

  const objects = collectObjects(nodeIds, byNode);
  const findings = [...objects.values()]
    .map((acc) => classify(acc, nodeIds, readable, unknown, byNode))
    .sort(compareFindings);

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
  const byNode = new Map<string, NodeInventory>();
  for (const inventory of inventories) {
    if (!nodeIds.includes(inventory.nodeId)) {
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

function collectObjects(
  nodeIds: readonly string[],
  byNode: Map<string, NodeInventory>,
): Map<string, ObjectAccumulator> {
  const objects = new Map<string, ObjectAccumulator>();
  const hold = (kind: ObjectKind, objectId: string, label: string, numericId: number, holding: Holding) => {
    let acc = objects.get(objectId);
    if (!acc) {
      acc = { kind, objectId, label, numericId, holdings: [] };
      objects.set(objectId, acc);
    }
    acc.holdings.push(holding);
  };
  for (const nodeId of nodeIds) {
    const inventory = byNode.get(nodeId);
    if (inventory?.status !== 'read') continue;
    for (const user of inventory.users) {
      hold('user', userObjectId(user), userLabel(user), user.userId, { nodeId, content: userContent(user) });
    }
    for (const key of inventory.keys) {
      hold('key', keyObjectId(key), keyLabel(key), key.handle, { nodeId, content: keyContent(key) });
    }
  }
  return objects;
}

function classify(
  acc: ObjectAccumulator,
  nodeIds: readonly string[],
  readable: readonly string[],
  unknown: readonly string[],
  byNode: Map<string, NodeInventory>,
): ObjectFinding {
  const held = new Set(acc.holdings.map((h) => h.nodeId));
  const presentOn = nodeIds.filter((id) => held.has(id));
  const missingOn = readable.filter((id) => !held.has(id));
  const variants = groupVariants(acc.holdings);
  const collisions = acc.kind === 'user' ? userIdCollisions(acc, missingOn, byNode) : [];

  let status: ObjectStatus;
  if (variants.length > 1 || collisions.length > 0) status = 'divergent';
  else if (missingOn.length === 0) status = 'consistent';
  else if (presentOn.length === 1 && nodeIds.length >= 2) status = 'single-node';
  else status = 'missing';

  return {
    kind: acc.kind,
    objectId: acc.objectId,
    label: acc.label,
    numericId: acc.numericId,
    status,
    severity: STATUS_SEVERITY[status],
    presentOn,
    missingOn,
    unknownOn: [...unknown],
    variants,
    detail: describe(status, presentOn, missingOn, unknown, variants, collisions),
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
 * syncUser keeps the user id. If a node that lacks the user already uses that id for a
 * different user, copying would collide: a human must decide, so it counts as divergent.
 */
function userIdCollisions(
  acc: ObjectAccumulator,
  missingOn: readonly string[],
  byNode: Map<string, NodeInventory>,
): string[] {
  const collisions: string[] = [];
  for (const nodeId of missingOn) {
    const inventory = byNode.get(nodeId) as ReadInventory;
    const other = inventory.users.find((u) => u.userId === acc.numericId);
    if (other) collisions.push(`user id ${acc.numericId} is '${other.username}' on ${nodeId}`);
  }
  return collisions;
}

function describe(
  status: ObjectStatus,
  presentOn: readonly string[],
  missingOn: readonly string[],
  unknown: readonly string[],
  variants: readonly ContentVariant[],
  collisions: readonly string[],
): string {
  const unknownNote = unknown.length > 0 ? `; contents of ${unknown.join(', ')} unknown` : '';
  switch (status) {
    case 'consistent':
      return `on every readable node (${presentOn.join(', ')})${unknownNote}`;
    case 'missing':
      return `on ${presentOn.join(', ')}; missing on ${missingOn.join(', ')}${unknownNote}`;
    case 'single-node':
      return `only on ${presentOn[0]}: lost for good if that node fails; missing on ${missingOn.join(', ')}${unknownNote}`;
    case 'divergent': {
      const parts = variants.map((v) => `${v.content} on ${v.nodeIds.join(', ')}`);
      return `same identity, different content: ${[...parts, ...collisions].join('; ')}${unknownNote}`;
    }
  }
}

const KIND_ORDER: Record<ObjectKind, number> = { user: 0, key: 1 };

function compareFindings(a: ObjectFinding, b: ObjectFinding): number {
  return (
    KIND_ORDER[a.kind] - KIND_ORDER[b.kind] ||
    a.numericId - b.numericId ||
    a.objectId.localeCompare(b.objectId)
  );
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
    } else if (inventory.status === 'unreadable') {
      findings.push({
        nodeId: node.nodeId,
        kind: inventory.reason,
        severity: inventory.reason === 'login-failed' ? 'critical' : 'warning',
        detail: inventory.detail,
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
        detail: 'the operator mgmt-util config does not list this node: commands typed there miss it',
      });
    }
    for (const address of drift.unknownInConfig) {
      findings.push({
        nodeId: address,
        kind: 'unknown-in-config',
        severity: 'warning',
        detail: 'the operator mgmt-util config lists an address that is not a node of the cluster',
      });
    }
  }
  return findings;
}

function buildMatrix(nodeIds: readonly string[], findings: readonly ObjectFinding[]): PresenceMatrix {
  const rows = findings.map((finding) => {
    const unknown = new Set(finding.unknownOn);
    const present = new Set(finding.presentOn);
    return {
      objectId: finding.objectId,
      label: finding.label,
      cells: nodeIds.map((nodeId) => cellFor(finding, nodeId, unknown, present)),
    };
  });
  return { nodeIds: [...nodeIds], rows };
}

function cellFor(finding: ObjectFinding, nodeId: string, unknown: Set<string>, present: Set<string>): string {
  if (unknown.has(nodeId)) return 'unknown';
  if (!present.has(nodeId)) return 'absent';
  if (finding.status === 'divergent' && finding.variants.length > 1) {
    const index = finding.variants.findIndex((v) => v.nodeIds.includes(nodeId));
    if (index >= 0) return `variant ${String.fromCharCode(65 + index)}`;
  }
  return 'present';
}
