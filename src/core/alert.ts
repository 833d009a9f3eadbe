/**
 * The alert of a run: one structured message per run and cluster that says what is at risk,
 * where, and the exact commands to fix it. Pure; the sinks (SNS, console) live in src/alerts.
 * The items keep the model's raw text; `subject` and `summary` are text renderings, and
 * escape what they interpolate (`escapeForText`): one item per summary line, nothing raw.
 */
import type { ClusterNode, ObjectFinding, Severity, ToolId } from './model.ts';
import { escapeForText } from './printable.ts';
import { outcomeOf, type RunReport } from './report.ts';
import type { Runbook } from './tool-rules.ts';

export const ALERT_CATEGORIES = [
  'run-failed',
  'single-node',
  'divergent',
  'unrecovered',
  'node-unreadable',
  'node-health',
  'credentials',
  'config-drift',
  'backup',
  'repaired',
] as const;
export type AlertCategory = (typeof ALERT_CATEGORIES)[number];

export interface AlertItem {
  category: AlertCategory;
  severity: Severity;
  /** objectId, or null for node/run level items. */
  objectId: string | null;
  nodeIds: string[];
  message: string;
  /** Commands a human can type, in order; empty when there is nothing to type. */
  runbook: string[];
}

export interface Alert {
  clusterId: string;
  runId: string;
  severity: Severity;
  subject: string;
  summary: string;
  items: AlertItem[];
  /** Same unresolved problems => same key: lets a sink drop repeats within a window. */
  dedupKey: string;
  /**
   * Where the run's report page is: its path locally, a pre-signed URL on AWS. Set by the
   * Alert step once the report is stored (absent: the store gives no address).
   */
  reportLink?: string;
}

/**
 * The alert a stored report carries (report.json keeps it, with its link to the report page);
 * a report stored without one (an older run) gets it rebuilt from its tool's runbook.
 */
export function alertOfReport(report: RunReport, runbookOf: (tool: ToolId) => Runbook): Alert | null {
  if (report.alert !== undefined) return report.alert;
  return buildAlert(report, report.tool ? runbookOf(report.tool) : null);
}

const RANK: Record<Severity, number> = { info: 0, warning: 1, critical: 2 };

/**
 * Null when the run has nothing a human needs to hear about. `runbook` is the cluster's
 * tool's: the commands in the alert are the ones that tool takes.
 */
export function buildAlert(report: RunReport, runbook: Runbook | null): Alert | null {
  const conditions = new Map<AlertItem, string>();
  const items = alertItems(report, runbook, (item, condition) => {
    conditions.set(item, condition);
    return item;
  });
  if (items.length === 0) return null;
  const severity = items.reduce<Severity>(
    (max, item) => (RANK[item.severity] > RANK[max] ? item.severity : max),
    'info',
  );
  const outcome = outcomeOf(report);
  const counts = countBy(items.map((i) => i.category));
  const headline = Object.entries(counts)
    .map(([category, n]) => `${n} ${category}`)
    .join(', ');
  const e = escapeForText;
  const subject = truncate(
    `[hsm-sentinel] ${severity.toUpperCase()} ${e(shortName(report.clusterId))}: ${outcome} (${headline})`,
    100,
  );
  const summary = [
    `Cluster ${e(report.clusterId)} (${e(report.provider)}, ${e(report.tool ?? 'tool unknown')}), run ${e(report.runId)}: ${outcome}.`,
    ...items.map((item) => `- [${item.severity}] ${e(item.message)}`),
  ].join('\n');
  const unresolved = items
    .filter((i) => i.category !== 'repaired')
    // What is wrong, not only where: an unreachable node that now refuses the login, a
    // backup that went from "not yet covered" to "failed", is news and must not be held back.
    .map((i) => `${i.category}:${conditions.get(i) ?? ''}:${i.objectId ?? ''}:${i.nodeIds.join('+')}`)
    .sort();
  return {
    clusterId: report.clusterId,
    runId: report.runId,
    severity,
    subject,
    summary,
    items,
    dedupKey: `${report.clusterId}|${unresolved.join('|')}`,
  };
}

/** `tag` records an item's stable condition (status, node kind, backup state) for the dedup key. */
function alertItems(
  report: RunReport,
  given: Runbook | null,
  tag: (item: AlertItem, condition: string) => AlertItem,
): AlertItem[] {
  const items: AlertItem[] = [];
  if (report.failure) {
    const failure = report.failure;
    items.push(
      tag(
        {
          category: 'run-failed',
          severity: 'critical',
          objectId: null,
          nodeIds: [],
          message: `the run failed in ${failure.step} (${failure.errorName}): ${failure.message}`,
          runbook: [],
        },
        `${failure.step}/${failure.errorName}`,
      ),
    );
  }
  const before = report.before;
  const final = report.after ?? before;
  if (!before || !final) return items;
  const nodes: readonly ClusterNode[] = report.cluster?.nodes ?? before.nodeIds.map(placeholderNode);
  const runbook = given ?? NO_RUNBOOK;
  const finalById = new Map(final.objects.map((f) => [f.objectId, f]));
  const beforeById = new Map(before.objects.map((f) => [f.objectId, f]));
  // What the first read found, then what only the Verify read shows (a node read only then,
  // an object that changed meanwhile): both are the cluster's state and both are told.
  const problems = [
    ...before.objects.filter((f) => f.status !== 'consistent'),
    ...final.objects.filter(
      (f) =>
        f.status !== 'consistent' && (beforeById.get(f.objectId)?.status ?? 'consistent') === 'consistent',
    ),
  ];

  for (const found of problems) {
    const now = finalById.get(found.objectId) ?? found;
    if (now.status === 'consistent' && now.unknownOn.length === 0) {
      items.push(repairedItem(found));
    } else if (now.status === 'divergent') {
      items.push(
        tag(
          {
            category: 'divergent',
            severity: 'critical',
            objectId: now.objectId,
            nodeIds: now.presentOn,
            message: `${now.label} is divergent, left untouched for a human: ${now.detail}`,
            runbook: runbook.inspect(now, nodes),
          },
          'divergent',
        ),
      );
    } else {
      const category = now.status === 'single-node' ? 'single-node' : 'unrecovered';
      items.push(
        tag(
          {
            category,
            severity: now.status === 'single-node' ? 'critical' : 'warning',
            objectId: now.objectId,
            nodeIds: now.missingOn,
            message: `${now.label} is still not on every node: ${now.detail}${skipNote(report, now.objectId)}`,
            runbook: adviceFor(now, runbook, nodes),
          },
          now.status,
        ),
      );
    }
  }
  for (const node of final.nodes) {
    const drift = node.kind === 'absent-from-config' || node.kind === 'unknown-in-config';
    // A refused or withheld login is the loudest thing a run can say: the account is at risk.
    const credentials = CREDENTIAL_KINDS.has(node.kind);
    // A health note or a lagging count is about a node that was read: not an unreadable node.
    const health = node.kind === 'health' || node.kind === 'lagging';
    items.push(
      tag(
        {
          category: drift
            ? 'config-drift'
            : credentials
              ? 'credentials'
              : health
                ? 'node-health'
                : 'node-unreadable',
          severity: node.severity,
          objectId: null,
          nodeIds: [node.nodeId],
          message: `${node.nodeId}: ${node.kind}: ${node.detail}`,
          runbook: drift
            ? runbook.configDrift()
            : (runbook.nodeFinding?.(node.kind, node.nodeId, nodes, node.topic) ?? []),
        },
        node.topic === undefined ? node.kind : `${node.kind}/${node.topic}`,
      ),
    );
  }
  for (const result of report.results.filter((r) => r.outcome === 'failed')) {
    items.push(
      tag(
        {
          category: 'unrecovered',
          severity: 'warning',
          objectId: result.action.objectId,
          nodeIds: result.action.targetNodeId === null ? [] : [result.action.targetNodeId],
          message: `${result.action.description} failed: ${result.detail}`,
          runbook: [],
        },
        'sync-failed',
      ),
    );
  }
  const backup = report.backup;
  if (backup && ['failed', 'stale', 'not-yet-covered'].includes(backup.state)) {
    items.push(
      tag(
        {
          category: 'backup',
          severity: backup.state === 'not-yet-covered' ? 'warning' : 'critical',
          objectId: null,
          nodeIds: [],
          message: `backup ${backup.state}: ${backup.detail}`,
          runbook: [],
        },
        backup.state,
      ),
    );
  }
  return items;
}

/**
 * What to type for an object that is not on every node. While a node is unread its copy may
 * be another variant: the advice is to read that node, never to copy.
 */
function adviceFor(finding: ObjectFinding, runbook: Runbook, nodes: readonly ClusterNode[]): string[] {
  if (finding.unknownOn.length > 0)
    return finding.unknownOn.flatMap((nodeId) => runbook.readNode(nodeId, nodes));
  if (finding.missingOn.length === 0 && finding.uncertainOn.length === 0) return [];
  return runbook.repair(finding, nodes);
}

const CREDENTIAL_KINDS: ReadonlySet<string> = new Set([
  'login-failed',
  'login-refused-by-guard',
  'lockout-risk',
  'account-locked',
]);

/** A run whose tool is not known (a stored report without it): nothing to type. */
const nothing = (): string[] => [];
const NO_RUNBOOK: Runbook = { repair: nothing, inspect: nothing, readNode: nothing, configDrift: nothing };

/** A report without its node list (an older report): the runbook still gets ids in order. */
function placeholderNode(nodeId: string): ClusterNode {
  return { nodeId, address: nodeId, port: 0, state: 'UNKNOWN' };
}

function repairedItem(found: ObjectFinding): AlertItem {
  const wasAtRisk = found.status === 'single-node';
  // A cluster-wide tool says "on some nodes only" without saying which (uncertainOn).
  const where =
    found.missingOn.length > 0
      ? `missing on ${found.missingOn.join(', ')}`
      : `on some of ${found.uncertainOn.join(', ')} only`;
  return {
    category: 'repaired',
    severity: wasAtRisk ? 'warning' : 'info',
    objectId: found.objectId,
    nodeIds: found.missingOn.length > 0 ? found.missingOn : found.uncertainOn,
    // A copy from a holder, or (the tool placed it nowhere in particular) the tool's own repair.
    message: `${found.label} was ${wasAtRisk ? `on ${found.presentOn[0]} only (at risk)` : where}; ${found.missingOn.length > 0 || wasAtRisk ? 'copied' : 'repaired'} and verified on every node`,
    runbook: [],
  };
}

function skipNote(report: RunReport, objectId: string): string {
  const skipped = report.plan?.skipped.find((s) => s.objectId === objectId);
  if (skipped) return ` (not repaired: ${skipped.reason}: ${skipped.detail})`;
  if (report.plan?.dryRun && report.plan.actions.some((a) => a.objectId === objectId)) {
    return ' (not repaired: dry run: the copy is planned, nothing was written)';
  }
  return '';
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

/** An Azure ARM id is long; its last segment is the cluster's name (the summary keeps the full id). */
function shortName(clusterId: string): string {
  return clusterId.includes('/') ? (clusterId.split('/').filter(Boolean).pop() ?? clusterId) : clusterId;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
