/**
 * The report of a run as one self-contained HTML page (report.html beside report.json): the
 * presence matrices as grids with filters, the actions with their before/after, what was left
 * for a human, node and backup status, the alert and the steps on a timeline. No external
 * asset and no network: the CSS and a small script are inline, and the page reads fully with
 * scripts off (the filters then stay hidden).
 *
 * Pure, like render-report.ts. The page is built in two stages: `reportView` is the only code
 * that reads the fields of RunReport and Alert (when the report model changes, it changes
 * here), and the HTML functions below it draw that view. Every string that comes from the
 * report is escaped (`text`, `attr`), with control and invisible characters drawn visibly.
 */
import type { Alert } from './alert.ts';
import type { AuditResult, ObjectFinding, ObjectStatus } from './model.ts';
import { outcomeOf, type RunReport } from './report.ts';

export const CELL_CLASSES = ['present', 'missing', 'single-node', 'divergent', 'unknown'] as const;
/** What one cell of the presence grid says about one object on one node. */
export type CellClass = (typeof CELL_CLASSES)[number];

export interface ReportHtmlOptions {
  /**
   * Consistent objects listed per matrix; beyond it they are counted, not drawn, so that a
   * cluster of 28 nodes × 16,666 keys still opens (every other finding is always listed).
   */
  maxConsistentRows?: number;
}

export const DEFAULT_MAX_CONSISTENT_ROWS = 2000;

/**
 * The run report as an HTML page.
 *
 * @example
 * await store.putText(artifactKeys.reportHtml(report.runId), renderReportHtml(report, buildAlert(report)), 'text/html; charset=utf-8');
 */
export function renderReportHtml(
  report: RunReport,
  alert: Alert | null,
  options: ReportHtmlOptions = {},
): string {
  return page(reportView(report, alert, options.maxConsistentRows ?? DEFAULT_MAX_CONSISTENT_ROWS));
}

// ---------------------------------------------------------------------------------------------
// The view: everything the page shows, read from the report model in this one place.
// ---------------------------------------------------------------------------------------------

const FINDINGS = [
  'consistent',
  'missing',
  'single-node',
  'divergent',
] as const satisfies readonly ObjectStatus[];

interface CellView {
  cls: CellClass;
  /** The letter or symbol drawn in the cell: the colour is never the only signal. */
  glyph: string;
  /** What the cell means, in words (tooltip and screen readers). */
  meaning: string;
}

interface RowView {
  label: string;
  kind: string;
  /** The finding of this read (null: no finding for a row, which audit never produces). */
  status: string | null;
  /** The finding of the first read, on the after matrix, when it differs. */
  was: string | null;
  /** What the filters match: every finding the object had in this run. */
  findings: string[];
  detail: string;
  cells: CellView[];
}

interface MatrixView {
  phase: 'before' | 'after';
  nodeIds: string[];
  unreadNodeIds: string[];
  rows: RowView[];
  /** Consistent objects not drawn (over maxConsistentRows). */
  notListed: number;
  total: number;
}

interface NodeReadView {
  read: boolean;
  /** unreachable, login-failed…, or '' when read. */
  reason: string;
  detail: string;
}

interface NodeView {
  nodeId: string;
  server: number;
  before: NodeReadView | null;
  after: NodeReadView | null;
  /** Findings about the node that are not about reading it (config drift). */
  notes: { kind: string; severity: string; detail: string }[];
}

interface ActionView {
  label: string;
  kind: string;
  command: string;
  /** null: the tool copies from / to wherever it must (a cluster-wide operation). */
  from: string | null;
  to: string | null;
  outcome: string;
  detail: string;
  before: CellView | null;
  after: CellView | null;
}

interface AlertItemView {
  category: string;
  severity: string;
  message: string;
  runbook: string[];
}

interface StepView {
  name: string;
  item: string | null;
  startedAt: string;
  start: number | null;
  end: number | null;
  outcome: string;
  retries: number;
  error: string | null;
}

interface DerivedStepView {
  name: string;
  state: 'ran' | 'skipped' | 'failed' | 'not run';
  note: string;
}

interface ReportView {
  clusterId: string;
  runId: string;
  provider: string;
  tool: string;
  trigger: string | null;
  outcome: string;
  dryRun: boolean;
  startedAt: string;
  finishedAt: string;
  durationMs: number | null;
  policy: string[];
  failure: { step: string; errorName: string; message: string } | null;
  counts: { status: string; count: number }[] | null;
  kinds: { kind: string; count: number }[];
  before: MatrixView | null;
  after: MatrixView | null;
  actions: ActionView[];
  actionsPlannedOnly: boolean;
  writesBlocked: string | null;
  verification: { ok: boolean; lines: string[] } | null;
  skipped: { label: string; reason: string; detail: string; runbook: string[] }[];
  planned: boolean;
  nodes: NodeView[];
  backup: {
    state: string;
    detail: string;
    facts: [string, string][];
  } | null;
  alert: {
    subject: string;
    severity: string;
    items: AlertItemView[];
    dedupKey: string;
  } | null;
  steps: StepView[] | null;
  derivedSteps: DerivedStepView[];
}

const UNREADABLE_KINDS = new Set(['unreachable', 'login-failed', 'timeout', 'protocol-error']);

function reportView(report: RunReport, alert: Alert | null, maxConsistentRows: number): ReportView {
  const { before, after, plan } = report;
  const beforeById = findingsById(before);
  const afterById = findingsById(after);
  const beforeMatrix = before ? matrixView('before', before, beforeById, null, maxConsistentRows) : null;
  const afterMatrix = after ? matrixView('after', after, afterById, beforeById, maxConsistentRows) : null;
  const planned = report.results.length === 0 && plan !== null;
  const results = planned
    ? (plan?.actions ?? []).map((action) => ({ action, outcome: 'not-run', detail: '' }))
    : report.results;
  const rowsOf = (result: AuditResult | null) =>
    new Map((result?.matrix.rows ?? []).map((r) => [r.objectId, r]));
  const beforeRows = rowsOf(before);
  const afterRows = rowsOf(after);
  const cellAt = (phase: 'before' | 'after', objectId: string, nodeId: string) => {
    const [result, rows, byId] =
      phase === 'before' ? [before, beforeRows, beforeById] : [after, afterRows, afterById];
    const raw = rows.get(objectId)?.cells[result?.matrix.nodeIds.indexOf(nodeId) ?? -1];
    return raw === undefined ? null : cellView(raw, byId.get(objectId));
  };
  const runbookOf = (objectId: string) =>
    alert?.items.find((item) => item.objectId === objectId && item.runbook.length > 0)?.runbook ?? [];
  const started = Date.parse(report.startedAt);
  const finished = Date.parse(report.finishedAt);
  const final = after ?? before;
  const kinds = countBy((final?.objects ?? []).map((f) => f.kind));

  return {
    clusterId: report.clusterId,
    runId: report.runId,
    provider: report.provider,
    tool: report.tool ?? 'tool unknown',
    trigger: report.trigger ? `${report.trigger.kind}: ${report.trigger.detail}` : null,
    outcome: report.outcome ?? outcomeOf(report),
    dryRun: report.policy.dryRun,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    durationMs: Number.isFinite(finished - started) ? finished - started : null,
    policy: [
      report.policy.dryRun ? 'dry run: nothing written' : 'writes allowed',
      `at most ${report.policy.maxActionsPerRun} actions`,
      `kinds: ${report.policy.allowedKinds.join(', ') || 'none'}`,
      report.policy.requireAllNodesLoggedIn ? 'every node read before any write' : 'writes with nodes unread',
      `backup at most ${report.policy.maxBackupAgeHours} h old`,
    ],
    failure: report.failure
      ? { step: report.failure.step, errorName: report.failure.errorName, message: report.failure.message }
      : null,
    counts: before ? FINDINGS.map((status) => ({ status, count: before.counts[status] ?? 0 })) : null,
    kinds: Object.entries(kinds).map(([kind, count]) => ({ kind, count })),
    before: beforeMatrix,
    after: afterMatrix,
    actions: results.map((r) => ({
      label: r.action.label,
      kind: r.action.kind,
      command: r.action.description,
      from: r.action.sourceNodeId,
      to: r.action.targetNodeId,
      outcome: r.outcome,
      detail: r.detail,
      before:
        r.action.targetNodeId === null ? null : cellAt('before', r.action.objectId, r.action.targetNodeId),
      after:
        r.action.targetNodeId === null ? null : cellAt('after', r.action.objectId, r.action.targetNodeId),
    })),
    actionsPlannedOnly: planned,
    writesBlocked: plan?.writesBlocked ?? null,
    verification: report.verification
      ? {
          ok: report.verification.ok,
          lines: report.verification.unrecovered.map((u) =>
            [
              u.label,
              ...(u.missingOn.length > 0 ? [`still missing on ${u.missingOn.join(', ')}`] : []),
              ...(u.unknownOn.length > 0 ? [`not read back on ${u.unknownOn.join(', ')}`] : []),
            ].join(': '),
          ),
        }
      : null,
    skipped: (plan?.skipped ?? []).map((s) => ({
      label: s.label,
      reason: s.reason,
      detail: s.detail,
      runbook: runbookOf(s.objectId),
    })),
    planned: plan !== null,
    nodes: nodeViews(before, after),
    backup: report.backup
      ? {
          state: report.backup.state,
          detail: report.backup.detail,
          facts: [
            ['backup', report.backup.backupId ?? 'none'],
            ['taken', report.backup.createdAt ? when(report.backup.createdAt) : 'unknown'],
            ...(report.backup.kept.length > 0
              ? [['kept (never expires)', report.backup.kept.join(', ')] as [string, string]]
              : []),
            ...(report.backup.copiedTo.length > 0
              ? [['copied to', report.backup.copiedTo.join(', ')] as [string, string]]
              : []),
            ...(report.backup.durationMs !== undefined
              ? [['took', duration(report.backup.durationMs)] as [string, string]]
              : []),
          ],
        }
      : null,
    alert: alert
      ? {
          subject: alert.subject,
          severity: alert.severity,
          items: alert.items.map((item) => ({
            category: item.category,
            severity: item.severity,
            message: item.message,
            runbook: item.runbook,
          })),
          dedupKey: alert.dedupKey,
        }
      : null,
    steps: report.steps
      ? report.steps.map((s) => {
          const start = Date.parse(s.startedAt);
          const end = s.endedAt === null ? Number.NaN : Date.parse(s.endedAt);
          return {
            name: s.name,
            item: s.item ?? null,
            startedAt: s.startedAt,
            start: Number.isFinite(start) ? start : null,
            end: Number.isFinite(end) ? end : null,
            outcome: s.outcome,
            retries: s.retries ?? 0,
            error: s.error ?? null,
          };
        })
      : null,
    derivedSteps: derivedSteps(report),
  };
}

type FindingIndex = Map<string, ObjectFinding>;

function findingsById(result: AuditResult | null): FindingIndex {
  return new Map((result?.objects ?? []).map((f) => [f.objectId, f]));
}

function matrixView(
  phase: 'before' | 'after',
  result: AuditResult,
  byId: FindingIndex,
  earlier: FindingIndex | null,
  maxConsistentRows: number,
): MatrixView {
  const { matrix } = result;
  const readable = new Set(result.readableNodeIds);
  const rows: RowView[] = [];
  let consistentListed = 0;
  let notListed = 0;
  for (const row of matrix.rows) {
    const finding = byId.get(row.objectId);
    const status = finding?.status ?? null;
    const was = earlier?.get(row.objectId)?.status ?? null;
    if (status === 'consistent' && (was === null || was === 'consistent')) {
      if (consistentListed >= maxConsistentRows) {
        notListed += 1;
        continue;
      }
      consistentListed += 1;
    }
    rows.push({
      label: row.label,
      kind: finding?.kind ?? row.objectId.split(':')[0] ?? '',
      status,
      was: was !== null && was !== status ? was : null,
      findings: [...new Set([was, status].filter((s) => s !== null))],
      detail: finding?.detail ?? '',
      cells: row.cells.map((raw) => cellView(raw, finding)),
    });
  }
  return {
    phase,
    nodeIds: matrix.nodeIds,
    unreadNodeIds: matrix.nodeIds.filter((id) => !readable.has(id)),
    rows,
    notListed,
    total: matrix.rows.length,
  };
}

const PRESENT: CellView = { cls: 'present', glyph: '✓', meaning: 'present' };
const HOLDER: CellView = { cls: 'single-node', glyph: '1', meaning: 'the only copy' };
const MISSING: CellView = { cls: 'missing', glyph: '✗', meaning: 'missing' };
const UNKNOWN: CellView = { cls: 'unknown', glyph: '?', meaning: 'unknown: node not read' };
/** Most cells of a large grid: drawn without a tooltip, the legend says it. */
const PRESENT_TD = '<td class="present">✓</td>';

/** A matrix cell ('present' | 'absent' | 'unknown' | 'variant A'…) as the grid draws it. */
function cellView(raw: string, finding: ObjectFinding | undefined): CellView {
  if (raw === 'present') return finding?.status === 'single-node' ? HOLDER : PRESENT;
  if (raw === 'absent') return MISSING;
  if (raw === 'unknown') return UNKNOWN;
  const variant = /^variant ([A-Z]{1,3})$/.exec(raw)?.[1];
  if (variant) {
    const index = [...variant].reduce((n, ch) => n * 26 + ch.charCodeAt(0) - 64, 0) - 1;
    const content = finding?.variants[index]?.content;
    return {
      cls: 'divergent',
      glyph: variant,
      meaning: `variant ${variant}${content ? `: ${content}` : ''}`,
    };
  }
  return { cls: 'unknown', glyph: '?', meaning: raw };
}

function nodeViews(before: AuditResult | null, after: AuditResult | null): NodeView[] {
  const nodeIds = [...new Set([...(before?.nodeIds ?? []), ...(after?.nodeIds ?? [])])];
  const readOf = (result: AuditResult | null, nodeId: string): NodeReadView | null => {
    if (!result?.nodeIds.includes(nodeId)) return null;
    if (result.readableNodeIds.includes(nodeId)) return { read: true, reason: '', detail: '' };
    const why = result.nodes.find((n) => n.nodeId === nodeId && UNREADABLE_KINDS.has(n.kind));
    return { read: false, reason: why?.kind ?? 'unread', detail: why?.detail ?? '' };
  };
  return nodeIds.map((nodeId) => {
    const notes = [...(before?.nodes ?? []), ...(after?.nodes ?? [])]
      .filter((n) => n.nodeId === nodeId && !UNREADABLE_KINDS.has(n.kind))
      .map((n) => ({ kind: n.kind, severity: n.severity, detail: n.detail }));
    return {
      nodeId,
      server: (before ?? after)?.nodeIds.indexOf(nodeId) ?? -1,
      before: readOf(before, nodeId),
      after: readOf(after, nodeId),
      notes: notes.filter((n, i) => notes.findIndex((m) => m.kind === n.kind && m.detail === n.detail) === i),
    };
  });
}

/** Which states ran, told by what the report holds (for reports without recorded steps). */
function derivedSteps(report: RunReport): DerivedStepView[] {
  const failedIn = report.failure?.step ?? null;
  const state = (name: string, ran: boolean, note: string, skipped = ''): DerivedStepView =>
    failedIn === name
      ? { name, state: 'failed', note: report.failure ? report.failure.errorName : '' }
      : ran
        ? { name, state: 'ran', note }
        : skipped
          ? { name, state: 'skipped', note: skipped }
          : { name, state: 'not run', note: '' };
  const { before, plan, after } = report;
  const read = before ? `${before.readableNodeIds.length} of ${before.nodeIds.length} nodes read` : '';
  const synced = report.results.length;
  const syncSkipped = !plan
    ? ''
    : plan.writesBlocked
      ? `writes blocked: ${plan.writesBlocked}`
      : plan.actions.length === 0
        ? 'nothing to copy'
        : plan.dryRun
          ? 'dry run'
          : '';
  return [
    state('Resolve', before !== null, before ? `${before.nodeIds.length} nodes` : ''),
    state('CollectNodes', before !== null, read),
    state('Audit', before !== null, plan ? `${plan.actions.length} actions planned` : ''),
    state('Sync', synced > 0, `${synced} actions run`, syncSkipped),
    state('Verify', after !== null, report.verification?.ok === false ? 'not verified' : 'verified'),
    state('Protect', report.backup !== null, report.backup ? `backup ${report.backup.state}` : ''),
    state(report.failure ? 'FailureAlert' : 'Alert', true, 'wrote this report'),
  ];
}

// ---------------------------------------------------------------------------------------------
// The page: draws a ReportView; reads nothing from the report model.
// ---------------------------------------------------------------------------------------------

function page(view: ReportView): string {
  const title = `hsm-sentinel · ${view.clusterId} · ${view.outcome}`;
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<meta http-equiv="Content-Security-Policy" content="${CONTENT_SECURITY_POLICY}">`,
    '<meta name="generator" content="hsm-sentinel">',
    `<title>${text(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    `<body class="outcome-${attr(view.outcome)}">`,
    header(view),
    '<main>',
    summary(view),
    view.failure ? failureSection(view.failure) : '',
    matricesSection(view),
    actionsSection(view),
    humanSection(view),
    nodesSection(view),
    backupSection(view),
    alertSection(view),
    timelineSection(view),
    '</main>',
    `<footer>hsm-sentinel run report · run ${text(view.runId)} · the data: report.json beside this page</footer>`,
    `<script>${SCRIPT}</script>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

const SECTIONS: [string, string][] = [
  ['matrix', 'Presence'],
  ['actions', 'Actions'],
  ['human', 'For a human'],
  ['nodes', 'Nodes'],
  ['backup', 'Backup'],
  ['alert', 'Alert'],
  ['timeline', 'Timeline'],
];

function header(view: ReportView): string {
  const facts: [string, string][] = [
    ['provider', view.provider],
    ['tool', view.tool],
    ['run', view.runId],
    ['trigger', view.trigger ?? 'not recorded'],
    ['started', when(view.startedAt)],
    ['took', view.durationMs === null ? 'unknown' : duration(view.durationMs)],
  ];
  return `<header class="top">
<div class="wrap">
<p class="eyebrow">hsm-sentinel run report</p>
<div class="headline"><h1>${text(view.clusterId)}</h1>${outcomeBadge(view.outcome)}${
    view.dryRun ? '<span class="pill dry">dry run: nothing written</span>' : ''
  }</div>
<dl class="facts">${facts.map(([k, v]) => `<div><dt>${k}</dt><dd>${text(v)}</dd></div>`).join('')}</dl>
<p class="policy">policy: ${view.policy.map(text).join(' · ')}</p>
<nav aria-label="Sections">${SECTIONS.map(([id, name]) => `<a href="#${id}">${name}</a>`).join('')}</nav>
</div>
</header>`;
}

const OUTCOME_WORDS: Record<string, string> = {
  clean: 'nothing to do',
  repaired: 'gaps repaired and verified',
  attention: 'a human must act',
  failed: 'the run failed',
};

function outcomeBadge(outcome: string): string {
  const words = OUTCOME_WORDS[outcome];
  return `<span class="pill outcome ${attr(outcome)}">${text(outcome)}${words ? ` <small>${words}</small>` : ''}</span>`;
}

function summary(view: ReportView): string {
  const cards: string[] = [];
  for (const { status, count } of view.counts ?? []) {
    cards.push(card(`${count}`, status, `finding-${status}`, count > 0 && status !== 'consistent'));
  }
  const nodes = view.nodes;
  const read = nodes.filter((n) => (n.after ?? n.before)?.read).length;
  cards.push(card(`${read}/${nodes.length}`, 'nodes read', 'nodes', read < nodes.length));
  const done = view.actions.filter((a) => a.outcome === 'synced').length;
  const failed = view.actions.filter((a) => a.outcome === 'failed').length;
  cards.push(
    card(
      view.actionsPlannedOnly ? `${view.actions.length}` : `${done}`,
      view.actionsPlannedOnly ? 'actions planned' : failed > 0 ? `synced, ${failed} failed` : 'synced',
      'actions',
      failed > 0,
    ),
  );
  if (view.backup) cards.push(card(view.backup.state, 'backup', 'backup', view.backup.state !== 'covered'));
  return `<section class="summary wrap" aria-label="Summary">${cards.join('')}</section>`;
}

function card(value: string, label: string, cls: string, alarm: boolean): string {
  return `<div class="card ${cls}${alarm ? ' alarm' : ''}"><b>${text(value)}</b><span>${text(label)}</span></div>`;
}

function failureSection(failure: NonNullable<ReportView['failure']>): string {
  return `<section class="wrap failure" aria-label="Failure"><h2>The run failed in ${text(failure.step)}</h2>
<p><code>${text(failure.errorName)}</code>: ${text(failure.message)}</p></section>`;
}

function matricesSection(view: ReportView): string {
  const counts = (key: 'kind' | 'finding', value: string) =>
    key === 'kind'
      ? (view.kinds.find((k) => k.kind === value)?.count ?? 0)
      : (view.counts?.find((c) => c.status === value)?.count ?? 0);
  const filters = `<form id="filters" class="filters" hidden aria-label="Filter the objects">
<fieldset><legend>Kind</legend>${['all', 'user', 'key']
    .map(
      (kind) =>
        `<label><input type="radio" name="kind" value="${kind}"${kind === 'all' ? ' checked' : ''}> ${
          kind === 'all' ? 'all' : `${kind}s <small>${counts('kind', kind)}</small>`
        }</label>`,
    )
    .join('')}</fieldset>
<fieldset><legend>Finding</legend>${FINDINGS.map(
    (f) =>
      `<label class="chip finding-${f}"><input type="checkbox" name="finding" value="${f}" checked> ${f}${
        view.counts ? ` <small>${counts('finding', f)}</small>` : ''
      }</label>`,
  ).join('')}</fieldset>
<fieldset class="search"><legend>Name</legend><input type="search" name="q" placeholder="user or key…" aria-label="Object name contains"></fieldset>
<div class="reset"><button type="reset">Show all</button> <output name="shown" aria-live="polite"></output></div>
</form>`;
  const body = [
    view.before
      ? matrixTable(view.before, 'Before: as first read')
      : '<p class="empty">No node was read: the run ended before the audit.</p>',
    view.after ? matrixTable(view.after, 'After: read back by Verify') : '',
  ].join('\n');
  return `<section id="matrix" class="wrap panel"><h2>Presence of every user and key on every node</h2>
${legend()}
${filters}
${body}
</section>`;
}

const LEGEND: [CellView, string][] = [
  [PRESENT, 'present'],
  [MISSING, 'missing on a node that was read'],
  [HOLDER, 'single-node: the only holder'],
  [{ cls: 'divergent', glyph: 'A', meaning: '' }, 'divergent: variant A, B…'],
  [UNKNOWN, 'unknown: the node was not read'],
];

function legend(): string {
  return `<ul class="legend" aria-label="Legend">${LEGEND.map(
    ([cell, words]) =>
      `<li><span class="cell ${cell.cls}" aria-hidden="true">${cell.glyph}</span>${words}</li>`,
  ).join('')}</ul>`;
}

function matrixTable(matrix: MatrixView, caption: string): string {
  const unread = new Set(matrix.unreadNodeIds);
  const heads = matrix.nodeIds
    .map(
      (id, i) =>
        `<th scope="col" class="node${unread.has(id) ? ' unread' : ''}"><span class="server">#${i}</span> ${text(id)}${
          unread.has(id) ? ' <span class="tag">not read</span>' : ''
        }</th>`,
    )
    .join('');
  const titles = matrix.nodeIds.map((id) => attr(id));
  const rows = matrix.rows.map((row) => {
    const cells = row.cells
      .map((cell, i) =>
        cell === PRESENT
          ? PRESENT_TD
          : `<td class="${cell.cls}" title="${titles[i] ?? ''}: ${attr(cell.meaning)}">${text(cell.glyph)}</td>`,
      )
      .join('');
    const finding = row.status
      ? `${row.was ? `<span class="was">${text(row.was)} →</span> ` : ''}<span class="finding finding-${attr(row.status)}">${text(row.status)}</span>`
      : '';
    return `<tr data-kind="${attr(row.kind)}" data-findings="${attr(row.findings.join(' '))}" data-label="${attr(row.label.toLowerCase())}"><th scope="row" title="${attr(row.detail)}">${text(row.label)}</th><td class="status">${finding}</td>${cells}</tr>`;
  });
  const columns = matrix.nodeIds.length + 2;
  const more =
    matrix.notListed > 0
      ? `<tr class="more"><td colspan="${columns}">and ${matrix.notListed} more objects, consistent on every node, not listed here (report.json has them all)</td></tr>`
      : '';
  const empty =
    matrix.total === 0
      ? `<tr class="more"><td colspan="${columns}">no users or keys on any node that was read</td></tr>`
      : '';
  return `<figure class="matrix-block" data-phase="${matrix.phase}">
<figcaption><h3>${caption}</h3> <span class="count" data-total="${matrix.rows.length}">${matrix.total} objects × ${matrix.nodeIds.length} nodes</span></figcaption>
<div class="scroll" tabindex="0" role="region" aria-label="${attr(caption)}">
<table class="matrix" data-phase="${matrix.phase}">
<thead><tr><th scope="col" class="object">object</th><th scope="col" class="status">finding</th>${heads}</tr></thead>
<tbody>
${rows.join('\n')}
${more}${empty}<tr class="none" hidden><td colspan="${columns}">no object matches the filters</td></tr>
</tbody>
</table>
</div>
</figure>`;
}

function actionsSection(view: ReportView): string {
  const heading = view.actionsPlannedOnly ? 'Actions planned (not run)' : 'Actions';
  const blocked = view.writesBlocked
    ? `<p class="note">Writes were blocked this run: ${text(view.writesBlocked)}</p>`
    : '';
  const table =
    view.actions.length === 0
      ? `<p class="empty">${view.planned ? 'Nothing to copy.' : 'No plan was made: the run ended before it.'}</p>`
      : `<div class="scroll wide"><table class="list actions">
<thead><tr><th scope="col">object</th><th scope="col">command</th><th scope="col">from → to</th><th scope="col" title="the target node's cell before the run">before</th><th scope="col" title="the target node's cell read back by Verify">after</th><th scope="col">outcome</th><th scope="col">detail</th></tr></thead>
<tbody>
${view.actions
  .map(
    (a) =>
      `<tr><th scope="row">${text(a.label)}</th><td data-col="command"><div><code>${text(a.command)}</code></div></td><td data-col="from → to"><div>${text(a.from ?? '(the tool picks)')} → ${text(a.to ?? '(every node that lacks it)')}</div></td><td data-col="before"><div>${miniCell(a.before)}</div></td><td data-col="after"><div>${miniCell(a.after)}</div></td><td data-col="outcome"><div><span class="result ${attr(a.outcome)}">${text(a.outcome)}</span></div></td><td data-col="detail" class="detail"><div>${text(a.detail)}</div></td></tr>`,
  )
  .join('\n')}
</tbody></table></div>`;
  const verification = view.verification
    ? view.verification.ok
      ? '<p class="verified ok">✓ Verified: every repaired object is now on every node.</p>'
      : `<div class="verified bad"><p>✗ Not verified:</p><ul>${view.verification.lines
          .map((line) => `<li>${text(line)}</li>`)
          .join('')}</ul></div>`
    : '';
  return `<section id="actions" class="wrap panel"><h2>${heading}</h2>${blocked}${table}${verification}</section>`;
}

function miniCell(cell: CellView | null): string {
  if (!cell) return '<span class="na">–</span>';
  return `<span class="cell ${cell.cls}" title="${attr(cell.meaning)}">${text(cell.glyph)}</span> <span class="sr">${text(cell.meaning)}</span>`;
}

function humanSection(view: ReportView): string {
  const body =
    view.skipped.length === 0
      ? `<p class="empty">${view.planned ? 'Nothing: every finding was planned for repair.' : 'No plan was made.'}</p>`
      : `<ul class="human">${view.skipped
          .map(
            (s) =>
              `<li><h3>${text(s.label)} <span class="reason">${text(s.reason)}</span></h3><p>${text(s.detail)}</p>${runbook(s.runbook)}</li>`,
          )
          .join('')}</ul>`;
  return `<section id="human" class="wrap panel"><h2>Left for a human, and why</h2>${body}</section>`;
}

function runbook(commands: string[]): string {
  if (commands.length === 0) return '';
  return `<pre class="runbook" aria-label="Commands to type">${commands.map((c) => `<span>${text(c)}</span>`).join('\n')}</pre>`;
}

function nodesSection(view: ReportView): string {
  if (view.nodes.length === 0)
    return '<section id="nodes" class="wrap panel"><h2>Nodes</h2><p class="empty">No node list: the run ended before it.</p></section>';
  const read = (r: NodeReadView | null) =>
    r === null
      ? '<span class="na">not read again</span>'
      : r.read
        ? '<span class="read ok">✓ read</span>'
        : `<span class="read bad">✗ ${text(r.reason)}</span>${r.detail ? ` <span class="detail">${text(r.detail)}</span>` : ''}`;
  return `<section id="nodes" class="wrap panel"><h2>Nodes</h2><div class="scroll wide"><table class="list nodes">
<thead><tr><th scope="col">server</th><th scope="col">node</th><th scope="col">first read</th><th scope="col">read back</th><th scope="col">notes</th></tr></thead>
<tbody>
${view.nodes
  .map(
    (n) =>
      `<tr><td data-col="server"><div>#${n.server}</div></td><th scope="row">${text(n.nodeId)}</th><td data-col="first read"><div>${read(n.before)}</div></td><td data-col="read back"><div>${read(n.after)}</div></td><td data-col="notes"><div>${n.notes
        .map(
          (note) => `<span class="sev ${attr(note.severity)}">${text(note.kind)}</span> ${text(note.detail)}`,
        )
        .join('<br>')}</div></td></tr>`,
  )
  .join('\n')}
</tbody></table></div></section>`;
}

function backupSection(view: ReportView): string {
  const b = view.backup;
  const body = b
    ? `<p><span class="backup ${attr(b.state)}">${text(b.state)}</span> ${text(b.detail)}</p>
<dl class="kv">${b.facts.map(([k, v]) => `<div><dt>${text(k)}</dt><dd>${text(v)}</dd></div>`).join('')}</dl>`
    : '<p class="empty">Not checked: the run ended before Protect.</p>';
  return `<section id="backup" class="wrap panel"><h2>Backup</h2>${body}</section>`;
}

function alertSection(view: ReportView): string {
  const a = view.alert;
  const body = a
    ? `<p class="subject"><span class="sev ${attr(a.severity)}">${text(a.severity)}</span> ${text(a.subject)}</p>
<ol class="alert-items">${a.items
        .map(
          (item) =>
            `<li><p><span class="sev ${attr(item.severity)}">${text(item.severity)}</span> <b>${text(item.category)}</b> ${text(item.message)}</p>${runbook(item.runbook)}</li>`,
        )
        .join('')}</ol>
<p class="dedup">Deduplication key: <code>${text(a.dedupKey)}</code></p>`
    : '<p class="empty">No alert: nothing a human needs to hear about.</p>';
  return `<section id="alert" class="wrap panel"><h2>Alert</h2>${body}</section>`;
}

function timelineSection(view: ReportView): string {
  return `<section id="timeline" class="wrap panel"><h2>Steps</h2>${
    view.steps ? stepsTimeline(view) : derivedTimeline(view.derivedSteps)
  }</section>`;
}

function stepsTimeline(view: ReportView): string {
  const steps = view.steps ?? [];
  const times = steps.flatMap((s) => [s.start, s.end]).filter((t): t is number => t !== null);
  const runStart = Date.parse(view.startedAt);
  const runEnd = Date.parse(view.finishedAt);
  const t0 = Math.min(...times, ...(Number.isFinite(runStart) ? [runStart] : []));
  const t1 = Math.max(...times, ...(Number.isFinite(runEnd) ? [runEnd] : []));
  const span = Number.isFinite(t1 - t0) && t1 > t0 ? t1 - t0 : 1;
  const rows = steps.map((s) => {
    const end = s.end ?? (Number.isFinite(runEnd) ? runEnd : s.start);
    const bar =
      s.start === null || end === null
        ? ''
        : `<span class="bar ${attr(s.outcome)}" style="margin-left:${pct(s.start - t0, span)}%;width:${Math.max(
            Number(pct(end - s.start, span)),
            0.5,
          )}%"></span>`;
    const took = s.start !== null && s.end !== null ? duration(s.end - s.start) : s.outcome;
    const notes = [
      ...(s.retries > 0 ? [`${s.retries} ${s.retries === 1 ? 'retry' : 'retries'}`] : []),
      ...(s.error ? [s.error] : []),
    ];
    const offset = s.start === null ? '' : ` title="started +${duration(s.start - t0)}"`;
    return `<li class="step ${attr(s.outcome)}"${offset}><span class="name">${text(s.name)}${
      s.item ? ` <small>${text(s.item)}</small>` : ''
    }</span><span class="track" aria-hidden="true">${bar}</span><span class="took">${text(took)}${
      notes.length > 0 ? ` <small>${text(notes.join(', '))}</small>` : ''
    }</span><span class="sr"> ${text(s.outcome)}, started ${text(s.startedAt)}</span></li>`;
  });
  return `<p class="note">${steps.length} states, in the order they started, over ${duration(span)}.</p>
<ol class="timeline">${rows.join('')}</ol>`;
}

function derivedTimeline(steps: DerivedStepView[]): string {
  return `<p class="note">This report holds no recorded step times; the states below are read from what it holds.</p>
<ol class="flow">${steps
    .map(
      (s) =>
        `<li class="flow-step ${s.state.replace(' ', '-')}"><b>${text(s.name)}</b> <span>${text(s.state)}${
          s.note ? `: ${text(s.note)}` : ''
        }</span></li>`,
    )
    .join('')}</ol>`;
}

// ---------------------------------------------------------------------------------------------
// Escaping and formatting.
// ---------------------------------------------------------------------------------------------

/** A string from the report as HTML text: escaped, control and invisible characters drawn visibly. */
export function text(value: string): string {
  return escapeHtml(value, true);
}

/** A string from the report as an attribute value (inside double quotes). */
export function attr(value: string): string {
  return escapeHtml(value, false);
}

const ENTITIES: Record<number, string> = { 38: '&amp;', 60: '&lt;', 62: '&gt;', 34: '&quot;', 39: '&#39;' };

function escapeHtml(value: string, markup: boolean): string {
  let out = '';
  let from = 0;
  for (let i = 0; i < value.length; i += 1) {
    const code = value.charCodeAt(i);
    let replacement = ENTITIES[code];
    if (replacement === undefined) {
      if (code >= 0xd800 && code <= 0xdbff && isLowSurrogate(value.charCodeAt(i + 1))) {
        i += 1;
        continue;
      }
      if (!isInvisible(code)) continue;
      replacement = visible(code, markup);
    }
    out += value.slice(from, i) + replacement;
    from = i + 1;
  }
  return from === 0 ? value : out + value.slice(from);
}

function isLowSurrogate(code: number): boolean {
  return code >= 0xdc00 && code <= 0xdfff;
}

/** C0/C1 controls, DEL, bidirectional overrides, zero-width and other invisible format characters, lone surrogates. */
function isInvisible(code: number): boolean {
  return (
    code < 0x20 ||
    (code >= 0x7f && code <= 0x9f) ||
    code === 0xad ||
    code === 0x61c ||
    code === 0x180e ||
    (code >= 0x200b && code <= 0x200f) ||
    (code >= 0x2028 && code <= 0x202e) ||
    (code >= 0x2060 && code <= 0x206f) ||
    code === 0xfeff ||
    (code >= 0xfff9 && code <= 0xfffb) ||
    (code >= 0xd800 && code <= 0xdfff)
  );
}

/** ESC → ␛ (the Control Pictures block), DEL → ␡, anything else → U+202E. */
function visible(code: number, markup: boolean): string {
  const name = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
  const shown = code < 0x20 ? String.fromCharCode(0x2400 + code) : code === 0x7f ? '␡' : name;
  return markup ? `<span class="ctl" title="${name}">${shown}</span>` : shown;
}

function pct(part: number, whole: number): string {
  return ((part / whole) * 100).toFixed(2);
}

function duration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  if (minutes < 60) return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** ISO time as `2026-12-01 17:16:17 UTC`; anything else unchanged. */
function when(iso: string): string {
  const match = /^(\d{4}-\d{2}-\d{2})T(\d{2}:\d{2}:\d{2})(?:\.\d+)?Z$/.exec(iso);
  return match ? `${match[1]} ${match[2]} UTC` : iso;
}

function countBy(values: readonly string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value] = (counts[value] ?? 0) + 1;
  return counts;
}

// ---------------------------------------------------------------------------------------------
// Inline assets.
// ---------------------------------------------------------------------------------------------

/**
 * The filters: kind (radio), finding (checkboxes: a row shows when any finding it had in this
 * run is ticked), name. Only shows and hides rows; without it every row is shown.
 */
export const SCRIPT = `(() => {
  const form = document.getElementById('filters');
  if (!form) return;
  const tables = [...document.querySelectorAll('table.matrix')];
  const apply = () => {
    const kind = form.elements.kind.value;
    const wanted = new Set([...form.querySelectorAll('input[name=finding]:checked')].map((i) => i.value));
    const query = form.elements.q.value.trim().toLowerCase();
    let shown = 0;
    let total = 0;
    for (const table of tables) {
      let visible = 0;
      const rows = table.querySelectorAll('tbody tr[data-kind]');
      for (const row of rows) {
        const show =
          (kind === 'all' || row.dataset.kind === kind) &&
          row.dataset.findings.split(' ').some((f) => wanted.has(f)) &&
          (query === '' || row.dataset.label.includes(query));
        row.hidden = !show;
        if (show) visible += 1;
      }
      table.querySelector('tr.none').hidden = visible > 0 || rows.length === 0;
      shown += visible;
      total += rows.length;
    }
    form.elements.shown.value = shown === total ? 'showing every row' : 'showing ' + shown + ' of ' + total + ' rows';
  };
  form.addEventListener('input', apply);
  form.addEventListener('change', apply);
  form.addEventListener('submit', (event) => event.preventDefault());
  form.addEventListener('reset', () => setTimeout(apply));
  form.hidden = false;
  apply();
})();`;

/** sha256 of SCRIPT, base64: the only script the page's Content-Security-Policy lets run (a test recomputes it). */
export const SCRIPT_SHA256 = 'V43PmylJMa87QY/fzsfib+q58UXeVIbxJYbYvSGqSSU=';

const CONTENT_SECURITY_POLICY = `default-src 'none'; style-src 'unsafe-inline'; script-src 'sha256-${SCRIPT_SHA256}'; img-src data:; base-uri 'none'; form-action 'none'`;

// Okabe-Ito colours (distinguishable with every common colour-vision deficiency), always with a symbol.
const STYLE = `
:root{--ink:#1b2330;--muted:#5b6676;--line:#d9dee6;--bg:#f4f6f9;--panel:#fff;--accent:#0072b2;
--present:#e1f3ec;--present-ink:#00573f;--missing:#fde2d0;--missing-ink:#8f3300;--single:#e69f00;--single-ink:#1b1200;
--divergent:#d9e9f7;--divergent-ink:#00426e;--unknown:#eceef1;--unknown-ink:#4a525e;
--sans:system-ui,-apple-system,"Segoe UI",Roboto,"Noto Sans","DejaVu Sans",sans-serif;
--mono:ui-monospace,"SFMono-Regular","DejaVu Sans Mono",Menlo,Consolas,monospace;color-scheme:light}
*{box-sizing:border-box}
[hidden]{display:none!important}
html{-webkit-text-size-adjust:100%}
body{margin:0;background:var(--bg);color:var(--ink);font:15px/1.5 var(--sans)}
.wrap{max-width:1200px;margin:0 auto;padding:0 20px}
code,pre{font-family:var(--mono);font-size:.9em}
h1,h2,h3{line-height:1.25;margin:0}
h2{font-size:1.2rem;margin-bottom:.75rem}
h3{font-size:1rem}
small{color:var(--muted);font-weight:normal}
.top{background:#17202c;color:#f3f5f8;padding:18px 0 0}
.top .eyebrow{margin:0;text-transform:uppercase;letter-spacing:.08em;font-size:.75rem;color:#a9b4c4}
.headline{display:flex;flex-wrap:wrap;align-items:center;gap:10px 14px;margin:4px 0 10px}
.headline h1{font-size:1.7rem;word-break:break-all}
.pill{display:inline-block;border-radius:999px;padding:3px 12px;font-weight:600;font-size:.95rem}
.pill small{color:inherit;opacity:.85;font-weight:normal}
.outcome.clean{background:#009e73;color:#fff}.outcome.repaired{background:#56b4e9;color:#0b1b26}
.outcome.attention{background:#e69f00;color:#1b1200}.outcome.failed{background:#d55e00;color:#fff}
.pill.dry{background:#f0e442;color:#1b1a00}
.facts{display:flex;flex-wrap:wrap;gap:6px 28px;margin:0 0 12px}
.facts div{min-width:0}.facts dt{font-size:.72rem;text-transform:uppercase;letter-spacing:.06em;color:#a9b4c4}
.facts dd{margin:0;font-family:var(--mono);font-size:.88rem;word-break:break-all}
.top .policy{margin:-4px 0 10px;font-size:.8rem;color:#a9b4c4}
.top nav{display:flex;gap:2px;overflow-x:auto;margin:0 -8px}
.top nav a{color:#dfe6ef;text-decoration:none;padding:8px;border-bottom:3px solid transparent;white-space:nowrap;font-size:.9rem}
.top nav a:hover,.top nav a:focus{border-bottom-color:#56b4e9;color:#fff}
main{padding-bottom:24px}
.summary{display:grid;grid-template-columns:repeat(auto-fit,minmax(130px,1fr));gap:10px;margin-top:16px}
.card{background:var(--panel);border:1px solid var(--line);border-left:5px solid #9aa5b4;border-radius:8px;padding:10px 12px}
.card b{display:block;font-size:1.45rem;line-height:1.2}.card span{color:var(--muted);font-size:.85rem}
.card.alarm{border-left-color:#d55e00}.card.finding-single-node.alarm{border-left-color:#e69f00}
.card.finding-divergent.alarm{border-left-color:#0072b2}.card.finding-consistent{border-left-color:#009e73}
.panel{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:18px 20px;margin-top:16px}
.failure{background:#fde2d0;border:1px solid #d55e00;border-radius:10px;padding:14px 20px;margin-top:16px}
.empty,.note{color:var(--muted);margin:.25rem 0 .75rem}
.legend{display:flex;flex-wrap:wrap;gap:6px 18px;list-style:none;padding:0;margin:0 0 12px;font-size:.9rem}
.legend li{display:flex;align-items:center;gap:6px}
.cell{display:inline-flex;align-items:center;justify-content:center;min-width:1.9em;height:1.6em;border-radius:4px;font-weight:700}
.present{background:var(--present);color:var(--present-ink)}
.missing{background:var(--missing);color:var(--missing-ink)}
.single-node{background:var(--single);color:var(--single-ink);box-shadow:inset 0 0 0 2px #1b1200}
.divergent{background:var(--divergent);color:var(--divergent-ink)}
.unknown{background:repeating-linear-gradient(135deg,var(--unknown) 0 6px,#dfe2e7 6px 12px);color:var(--unknown-ink)}
.filters{display:flex;flex-wrap:wrap;align-items:flex-end;gap:10px 18px;margin:0 0 14px;padding:10px 12px;background:#f7f8fa;border:1px solid var(--line);border-radius:8px}
.filters fieldset{border:0;margin:0;padding:0;display:flex;flex-wrap:wrap;gap:6px}
.filters legend{font-size:.72rem;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin-bottom:2px;padding:0}
.filters label{display:inline-flex;align-items:center;gap:5px;padding:3px 10px;border:1px solid var(--line);border-radius:999px;background:#fff;cursor:pointer;font-size:.9rem}
.filters label:has(input:checked){border-color:var(--accent);box-shadow:inset 0 0 0 1px var(--accent)}
.filters input[type=search]{font:inherit;padding:4px 10px;border:1px solid var(--line);border-radius:6px;min-width:12em}
.filters button{font:inherit;padding:4px 12px;border:1px solid var(--line);border-radius:6px;background:#fff;cursor:pointer}
.filters .reset{display:flex;align-items:center;gap:10px;margin-left:auto}
.filters output{color:var(--muted);font-size:.88rem}
figure{margin:0 0 18px}
figcaption{display:flex;flex-wrap:wrap;align-items:baseline;gap:4px 10px;margin-bottom:6px}
figcaption .count{color:var(--muted);font-size:.88rem}
.scroll{position:relative;overflow:auto;max-height:75vh;border:1px solid var(--line);border-radius:8px}
.scroll.wide{max-height:none}
.scroll:focus{outline:2px solid var(--accent);outline-offset:2px}
table{border-collapse:separate;border-spacing:0;width:100%}
th,td{padding:6px 10px;text-align:left;vertical-align:middle;border-bottom:1px solid var(--line)}
thead th{position:sticky;top:0;z-index:2;background:#eef1f5;font-size:.8rem;font-weight:600;color:#3a4452;white-space:nowrap}
.matrix{width:auto;min-width:100%}
.matrix tbody th{position:sticky;left:0;z-index:1;background:#fff;font-weight:500;white-space:nowrap}
.matrix thead th.object{left:0;z-index:3}
.matrix th.object{width:26%}.matrix th.status{width:16%}
.matrix th.node{text-align:center;white-space:normal;min-width:6.5em;max-width:12em;word-break:break-all;font-family:var(--mono);font-weight:500}
.matrix th.node .server{display:block;font-family:var(--sans);color:var(--muted);font-size:.72rem}
.matrix th.node.unread{background:#e4e7ec}
.tag{display:inline-block;font-family:var(--sans);font-size:.7rem;padding:0 6px;border-radius:4px;background:#5b6676;color:#fff}
.matrix td.present,.matrix td.missing,.matrix td.single-node,.matrix td.divergent,.matrix td.unknown{text-align:center;font-weight:700;min-width:3.2em;border-left:2px solid #fff}
.matrix td.status{white-space:nowrap;font-size:.85rem}
.matrix tbody tr:hover th,.matrix tbody tr:hover td.status{background:#f2f6fb}
.matrix tr.more td,.matrix tr.none td{color:var(--muted);font-style:italic;text-align:left}
.finding{display:inline-block;padding:0 8px;border-radius:999px;font-size:.8rem;border:1px solid currentColor}
.finding-consistent{color:#00573f}.finding-missing{color:#8f3300}.finding-single-node{color:#6b4700;background:#fdf0d2}
.finding-divergent{color:#00426e}
.was{color:var(--muted);font-size:.8rem}
.list td,.list th{font-size:.92rem}
.list tbody th{font-weight:500;white-space:nowrap}
.detail{color:var(--muted);font-size:.85rem;word-break:break-word}
.result,.backup,.sev,.reason{display:inline-block;padding:0 8px;border-radius:4px;font-size:.8rem;font-weight:600;white-space:nowrap}
.result.synced,.backup.covered,.backup.started{background:#e1f3ec;color:#00573f}
.result.already-present{background:#d9e9f7;color:#00426e}
.result.failed,.backup.failed,.backup.stale{background:#d55e00;color:#fff}
.result.not-run,.backup.skipped,.backup.not-yet-covered{background:#eceef1;color:#4a525e}
.sev.critical{background:#d55e00;color:#fff}.sev.warning{background:#e69f00;color:#1b1200}.sev.info{background:#d9e9f7;color:#00426e}
.reason{background:#eceef1;color:#3a4452;margin-left:6px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip-path:inset(50%);white-space:nowrap}
.na{color:var(--muted)}
.read.ok{color:#00573f;font-weight:600}.read.bad{color:#8f3300;font-weight:600}
.verified{margin:12px 0 0;font-weight:600}.verified.ok{color:#00573f}.verified.bad{color:#8f3300}
.human{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:minmax(0,1fr);gap:12px}
.human li{border:1px solid var(--line);border-left:5px solid #0072b2;border-radius:8px;padding:10px 14px}
.human p{margin:.3rem 0}
pre.runbook{background:#17202c;color:#e8edf3;padding:10px 14px;border-radius:8px;overflow-x:auto;margin:.5rem 0 0;line-height:1.6}
pre.runbook span::before{content:"$ ";color:#8da0b5}
.subject{font-weight:600;font-size:1.05rem}
.alert-items{padding-left:1.3em;display:grid;grid-template-columns:minmax(0,1fr);gap:8px}
.alert-items p{margin:0}
.dedup{color:var(--muted);font-size:.8rem;word-break:break-all}
.kv{display:grid;grid-template-columns:max-content 1fr;gap:4px 16px;margin:0}
.kv div{display:contents}.kv dt{color:var(--muted)}.kv dd{margin:0;font-family:var(--mono);font-size:.9rem;word-break:break-all}
.timeline{list-style:none;padding:0;margin:0;display:grid;grid-template-columns:minmax(0,1fr);gap:4px}
.step{position:relative;display:grid;grid-template-columns:minmax(9em,14em) 1fr 8em;align-items:center;gap:10px;font-size:.9rem}
.step .name{white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.track{position:relative;height:14px;background:#f0f2f5;border-radius:3px;overflow:hidden}
.bar{display:block;height:100%;border-radius:3px;background:#009e73}
.bar.caught{background:repeating-linear-gradient(135deg,#e69f00 0 5px,#f3c35c 5px 10px)}
.bar.failed{background:#d55e00}.bar.running{background:repeating-linear-gradient(135deg,#56b4e9 0 5px,#a6d6f3 5px 10px)}
.took{font-family:var(--mono);font-size:.82rem;color:var(--muted)}
.flow{list-style:none;padding:0;margin:0;display:flex;flex-wrap:wrap;gap:8px}
.flow-step{border:1px solid var(--line);border-radius:8px;padding:6px 10px;min-width:9em;background:#fafbfc}
.flow-step span{display:block;font-size:.82rem;color:var(--muted)}
.flow-step.ran{border-left:5px solid #009e73}.flow-step.failed{border-left:5px solid #d55e00}
.flow-step.skipped{border-left:5px dashed #9aa5b4}.flow-step.not-run{opacity:.6}
.ctl{display:inline-block;padding:0 2px;margin:0 1px;border:1px solid #d55e00;border-radius:3px;color:#8f3300;background:#fff4ec;font-family:var(--mono);font-size:.85em;line-height:1.2}
footer{max-width:1200px;margin:0 auto;padding:12px 20px 28px;color:var(--muted);font-size:.82rem}
@media (max-width:640px){
body{font-size:14px}.wrap{padding:0 12px}.panel{padding:14px 12px;border-radius:8px}
.headline h1{font-size:1.35rem}.facts{gap:4px 18px}
.summary{grid-template-columns:repeat(2,1fr)}
.step{grid-template-columns:1fr 5.5em;gap:2px 8px}.step .track{grid-column:1/-1;grid-row:2}
.filters .reset{margin-left:0}
.matrix th.node{min-width:4.2em;padding:6px 4px}
.matrix .status{display:none}
.matrix tbody th{white-space:normal;max-width:10em;font-size:.88rem}
.matrix td.present,.matrix td.missing,.matrix td.single-node,.matrix td.divergent,.matrix td.unknown{min-width:2.6em}
.scroll.wide{border:0;overflow:visible}
.list,.list tbody,.list tr,.list td,.list tbody th{display:block;width:100%}
.list thead{display:none}
.list tr{border:1px solid var(--line);border-radius:8px;padding:8px 10px;margin-bottom:10px}
.list tbody th{padding:0 0 4px;border:0;font-weight:600;white-space:normal}
.list td{display:grid;grid-template-columns:6.5em minmax(0,1fr);justify-items:start;gap:8px;padding:3px 0;border:0}
.list td::before{content:attr(data-col);color:var(--muted);font-size:.8rem}
.list td:has(> div:empty){display:none}
.list.nodes tr{display:grid;grid-template-columns:auto 1fr;column-gap:8px}
.list.nodes td[data-col=server]{display:block;grid-column:1;padding:0}.list.nodes td[data-col=server]::before{content:none}
.list.nodes tbody th{grid-column:2}.list.nodes td:not([data-col=server]){grid-column:1/-1}
}
@media print{
.top{background:none;color:#000}.top nav,.filters{display:none!important}
.scroll{max-height:none;overflow:visible}.panel{break-inside:avoid-page}
thead th{position:static}.matrix tbody th{position:static}
}
`;
