/**
 * Node findings that come from the control plane, not from any tool's listing: the per-node
 * counts it publishes (`ClusterNode.metrics`) and the node states. Pure.
 *
 * - A node whose user or token-key count differs from what most of its peers show is
 *   `lagging` (the vendors' advice: alarm on differences in per-node user or key counts).
 *   The reference value is the most common one; when two values are equally common, the one
 *   of the fuller state wins (more token keys, fewer users available = more users).
 * - A cluster with fewer than 2 ACTIVE nodes is critical: every object is one node failure
 *   from loss.
 * - Counts that could not be read are said so (never read as "no difference").
 */
import type { ClusterNode, NodeFinding, NodeMetrics, ResolvedCluster } from './model.ts';

interface Measure {
  field: keyof NodeMetrics;
  /** For people. */
  name: string;
  /** Which of two equally common values is the fuller state. */
  fuller: (a: number, b: number) => number;
}

const MEASURES: readonly Measure[] = [
  { field: 'tokenKeys', name: 'token keys', fuller: (a, b) => Math.max(a, b) },
  { field: 'usersAvailable', name: 'users available', fuller: (a, b) => Math.min(a, b) },
];

export function clusterHealthFindings(cluster: ResolvedCluster): NodeFinding[] {
  return [
    ...activeNodeFindings(cluster),
    ...laggingFindings(cluster.nodes, cluster.resolvedAt),
    ...metricsErrorFindings(cluster),
  ];
}

/** Below this many ACTIVE nodes every key is one failure from loss (AWS: at least 2). */
export const MIN_ACTIVE_NODES = 2;

function activeNodeFindings(cluster: ResolvedCluster): NodeFinding[] {
  const active = cluster.nodes.filter((n) => n.state === 'ACTIVE');
  if (active.length >= MIN_ACTIVE_NODES || cluster.nodes.length === 0) return [];
  return [
    {
      nodeId: active[0]?.nodeId ?? cluster.clusterId,
      kind: 'health',
      severity: 'critical',
      detail:
        `only ${active.length} of ${cluster.nodes.length} node(s) ACTIVE: every object is one node failure ` +
        'from loss (and cannot be on 2 nodes as availability checks require); add a node',
    },
  ];
}

/** The most common value; a tie goes to the fuller state. */
function reference(values: readonly number[], fuller: Measure['fuller']): number {
  const counts = new Map<number, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: number | null = null;
  let bestCount = 0;
  for (const [value, count] of counts) {
    if (best === null || count > bestCount || (count === bestCount && fuller(value, best) === value)) {
      best = value;
      bestCount = count;
    }
  }
  return best as number;
}

function laggingFindings(nodes: readonly ClusterNode[], readAt: string): NodeFinding[] {
  const differences = new Map<string, string[]>();
  for (const measure of MEASURES) {
    const measured = nodes.flatMap((n) => {
      const value = n.metrics?.[measure.field];
      return typeof value === 'number' && Number.isFinite(value) ? [{ nodeId: n.nodeId, value }] : [];
    });
    if (measured.length < 2) continue;
    const ref = reference(
      measured.map((m) => m.value),
      measure.fuller,
    );
    for (const m of measured) {
      if (m.value === ref) continue;
      const list = differences.get(m.nodeId) ?? [];
      list.push(`${measure.name} ${m.value} where its peers show ${ref}`);
      differences.set(m.nodeId, list);
    }
  }
  return nodes.flatMap((n) => {
    const found = differences.get(n.nodeId);
    if (found === undefined) return [];
    return [
      {
        nodeId: n.nodeId,
        kind: 'lagging' as const,
        severity: 'warning' as const,
        detail: `this node lags its peers (control-plane counts read at ${readAt}): ${found.join('; ')}`,
      },
    ];
  });
}

function metricsErrorFindings(cluster: ResolvedCluster): NodeFinding[] {
  if (cluster.metricsError === undefined) return [];
  return [
    {
      nodeId: cluster.clusterId,
      kind: 'health',
      severity: 'warning',
      detail: `per-node counts not compared (lagging nodes not looked for): ${cluster.metricsError}`,
    },
  ];
}
