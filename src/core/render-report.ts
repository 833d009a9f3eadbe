/**
 * The human page of a run: presence matrices, actions, what was left for a human and why,
 * the alert. Plain text, fixed-width, readable in a terminal, a log and an e-mail.
 *
 * Every value comes from the model (labels, node ids, details quoting a util, messages) and
 * is printed through `t`, which escapes control, format and bidi characters and line breaks
 * (`escapeForText`): one value stays on its line and nothing reaches the reader's terminal
 * raw. The model itself keeps the raw text (its JSON is escaped by JSON.stringify).
 *
 * A caller may pass a TextStyle to emphasise severities and the outcome (the CLI colours a
 * terminal with it); the default adds nothing. Columns are aligned on the visible text.
 */
import type { Alert } from './alert.ts';
import type {
  ActionResult,
  AuditResult,
  PresenceMatrix,
  Severity,
  SkippedObject,
  Verification,
} from './model.ts';
import { escapeForText } from './printable.ts';
import { outcomeOf, type RunOutcome, type RunReport } from './report.ts';

/** How emphasis is drawn; every function gets visible text and returns it decorated. */
export interface TextStyle {
  severity(severity: Severity, text: string): string;
  outcome(outcome: RunOutcome, text: string): string;
  heading(text: string): string;
}

export const PLAIN_TEXT: TextStyle = {
  severity: (_, text) => text,
  outcome: (_, text) => text,
  heading: (text) => text,
};

/** A template whose every interpolated value is escaped for text output. */
function t(strings: TemplateStringsArray, ...values: unknown[]): string {
  let out = strings[0] ?? '';
  for (let i = 0; i < values.length; i += 1) out += escapeForText(String(values[i])) + (strings[i + 1] ?? '');
  return out;
}

const CELL: Record<string, string> = { present: 'yes', absent: '--', unknown: '??', uncertain: 'some?' };

export function renderMatrix(matrix: PresenceMatrix): string {
  if (matrix.rows.length === 0) return '  (no users or keys on any readable node)';
  const header = ['object', ...matrix.nodeIds.map(escapeForText)];
  const body = matrix.rows.map((row) => [
    escapeForText(row.label),
    ...row.cells.map((cell) => escapeForText(CELL[cell] ?? cell)),
  ]);
  return table([header, header.map(() => ''), ...body], { rule: 1 });
}

/**
 * Rows of cells as aligned columns, two spaces apart, indented by two; row `rule` (when
 * given) is drawn as dashes under the header. A loop, not Math.max(...column): a matrix may
 * have millions of rows.
 */
function table(rows: string[][], options: { rule?: number; last?: 'free' } = {}): string {
  const widths: number[] = [];
  rows.forEach((cells, r) => {
    if (r === options.rule) return;
    cells.forEach((cell, col) => {
      // The last column of a free row (a detail) does not widen the others.
      if (options.last === 'free' && col === cells.length - 1) return;
      if (cell.length > (widths[col] ?? 0)) widths[col] = cell.length;
    });
  });
  return rows
    .map((cells, r) =>
      `  ${(r === options.rule ? widths.map((w) => '-'.repeat(w)) : cells)
        .map((cell, i) => cell.padEnd(widths[i] ?? 0))
        .join('  ')}`.trimEnd(),
    )
    .join('\n');
}

export function renderActions(results: readonly ActionResult[]): string {
  if (results.length === 0) return '  (none)';
  const rows = results.map((r) => [
    escapeForText(r.outcome),
    t`${r.action.description}`,
    // The util's own words matter when it did not simply succeed.
    t`(${r.action.label})` + (r.outcome !== 'synced' && r.detail ? t`  ${r.detail}` : ''),
  ]);
  return table(rows, { last: 'free' });
}

/**
 * Everything a human must take up after the run: objects the plan left (divergent, blocked,
 * over the limit), copies that failed, and objects the Verify read did not find repaired.
 */
export function renderLeftForHuman(
  skipped: readonly SkippedObject[],
  results: readonly ActionResult[],
  verification: Verification | null,
): string {
  const lines = skipped.map((s) => t`  ${s.label}: ${s.reason}: ${s.detail}`);
  for (const r of results.filter((x) => x.outcome === 'failed'))
    lines.push(
      t`  ${r.action.label}: copy failed: ${r.action.description}${r.detail ? `: ${r.detail}` : ''}`,
    );
  for (const u of verification?.unrecovered ?? []) lines.push(`  ${unrecoveredLine(u)}: not verified`);
  return lines.length > 0 ? lines.join('\n') : '  (nothing)';
}

export function renderFindings(result: AuditResult, style: TextStyle = PLAIN_TEXT): string {
  const rows: { severity: Severity; cells: string[] }[] = result.objects
    .filter((f) => f.status !== 'consistent')
    .map((f) => ({
      severity: f.severity,
      cells: [t`[${f.severity}]`, escapeForText(f.status), t`${f.label}: ${f.detail}`],
    }));
  for (const node of result.nodes)
    rows.push({
      severity: node.severity,
      cells: [t`[${node.severity}]`, escapeForText(node.kind), t`${node.nodeId}: ${node.detail}`],
    });
  if (rows.length === 0) return '  (none: every object is on every node, identical)';
  const widths = [0, 0];
  for (const row of rows) {
    widths[0] = Math.max(widths[0] ?? 0, row.cells[0]?.length ?? 0);
    widths[1] = Math.max(widths[1] ?? 0, row.cells[1]?.length ?? 0);
  }
  return rows
    .map(({ severity, cells: [sev = '', what = '', detail = ''] }) => {
      // Padded first, styled after: escape codes take no column.
      const shown = style.severity(severity, sev) + ' '.repeat((widths[0] ?? 0) - sev.length);
      return `  ${shown}  ${what.padEnd(widths[1] ?? 0)}  ${detail}`;
    })
    .join('\n');
}

export function renderAlert(alert: Alert | null, style: TextStyle = PLAIN_TEXT): string {
  if (!alert) return '  (no alert: nothing to report)';
  const lines = [
    t`  Subject: ${alert.subject}`,
    `  Severity: ${style.severity(alert.severity, escapeForText(alert.severity))}`,
  ];
  if (alert.reportLink) lines.push(t`  Report: ${alert.reportLink}`);
  lines.push('');
  for (const item of alert.items) {
    lines.push(
      `  ${style.severity(item.severity, t`[${item.severity}]`)}${t` ${item.category}: ${item.message}`}`,
    );
    for (const cmd of item.runbook) lines.push(t`      $ ${cmd}`);
  }
  return lines.join('\n');
}

function unrecoveredLine(u: { label: string; missingOn: string[]; unknownOn: string[] }): string {
  const parts = [
    ...(u.missingOn.length > 0 ? [t`still missing on ${u.missingOn.join(', ')}`] : []),
    ...(u.unknownOn.length > 0 ? [t`could not be read back on ${u.unknownOn.join(', ')}`] : []),
  ];
  return `${escapeForText(u.label)} ${parts.join(' and ') || 'is divergent'}`;
}

export function renderReport(report: RunReport, alert: Alert | null, style: TextStyle = PLAIN_TEXT): string {
  const out: string[] = [];
  const h = (text: string) => style.heading(text);
  out.push(
    t`hsm-sentinel run ${report.runId} on ${report.clusterId} (${report.provider}, ${report.tool ?? 'tool unknown'})`,
  );
  if (report.trigger) out.push(t`started by: ${report.trigger.kind}: ${report.trigger.detail}`);
  const outcome = outcomeOf(report);
  out.push(
    `outcome: ${style.outcome(outcome, outcome)}${report.policy.dryRun ? ' (dry run: nothing written)' : ''}`,
  );
  if (report.failure)
    out.push(t`failed in ${report.failure.step}: ${report.failure.errorName}: ${report.failure.message}`);
  if (report.before) {
    out.push('', h('Presence before:'), renderMatrix(report.before.matrix));
    out.push('', h('Findings:'), renderFindings(report.before, style));
  }
  if (report.plan) {
    out.push('', h(`Actions${report.plan.dryRun ? ' (planned, not run)' : ''}:`));
    const shown: ActionResult[] =
      report.results.length > 0
        ? report.results
        : report.plan.actions.map((action) => ({ action, outcome: 'not-run', detail: '' }));
    out.push(renderActions(shown));
    out.push(
      '',
      h('Left for a human:'),
      renderLeftForHuman(report.plan.skipped, report.results, report.verification),
    );
  }
  if (report.after) {
    out.push('', h('Presence after:'), renderMatrix(report.after.matrix));
  }
  if (report.verification) {
    out.push(
      '',
      report.verification.ok
        ? 'Verified: every repaired object is now on every node.'
        : `NOT verified: ${report.verification.unrecovered.map(unrecoveredLine).join('; ')}`,
    );
  }
  if (report.backup) out.push('', t`Backup: ${report.backup.state}: ${report.backup.detail}`);
  out.push('', h('Alert:'), renderAlert(alert, style));
  return out.join('\n');
}
