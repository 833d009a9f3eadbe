/**
 * The human page of a run: presence matrices, actions, what was left for a human and why,
 * the alert. Plain text, fixed-width, readable in a terminal, a log and an e-mail.
 *
 * Every value comes from the model (labels, node ids, details quoting a util, messages) and
 * is printed through `t`, which escapes control, format and bidi characters and line breaks
 * (`escapeForText`): one value stays on its line and nothing reaches the reader's terminal
 * raw. The model itself keeps the raw text (its JSON is escaped by JSON.stringify).
 */
import type { Alert } from './alert.ts';
import type { ActionResult, AuditResult, PresenceMatrix, SkippedObject } from './model.ts';
import { escapeForText } from './printable.ts';
import { outcomeOf, type RunReport } from './report.ts';

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
  // A loop, not Math.max(...column): a matrix may have millions of rows.
  const widths = header.map((h) => h.length);
  for (const line of body) {
    line.forEach((cell, col) => {
      if (cell.length > (widths[col] ?? 0)) widths[col] = cell.length;
    });
  }
  const line = (cells: string[]) =>
    `  ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export function renderActions(results: readonly ActionResult[]): string {
  if (results.length === 0) return '  (none)';
  return results
    .map(
      (r) =>
        t`  ${r.outcome.padEnd(15)} ${r.action.description}   (${r.action.label})` +
        // The util's own words matter when it did not simply succeed.
        (r.outcome !== 'synced' && r.detail ? t`  ${r.detail}` : ''),
    )
    .join('\n');
}

export function renderSkipped(skipped: readonly SkippedObject[]): string {
  if (skipped.length === 0) return '  (nothing)';
  return skipped.map((s) => t`  ${s.label}: ${s.reason}: ${s.detail}`).join('\n');
}

export function renderFindings(result: AuditResult): string {
  const lines = result.objects
    .filter((f) => f.status !== 'consistent')
    .map((f) => t`  [${f.severity}] ${f.status.padEnd(11)} ${f.label}: ${f.detail}`);
  for (const node of result.nodes)
    lines.push(t`  [${node.severity}] ${node.kind.padEnd(11)} ${node.nodeId}: ${node.detail}`);
  return lines.length > 0 ? lines.join('\n') : '  (none: every object is on every node, identical)';
}

export function renderAlert(alert: Alert | null): string {
  if (!alert) return '  (no alert: nothing to report)';
  const lines = [t`  Subject: ${alert.subject}`, t`  Severity: ${alert.severity}`, ''];
  for (const item of alert.items) {
    lines.push(t`  [${item.severity}] ${item.category}: ${item.message}`);
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

export function renderReport(report: RunReport, alert: Alert | null): string {
  const out: string[] = [];
  out.push(
    t`hsm-sentinel run ${report.runId} on ${report.clusterId} (${report.provider}, ${report.tool ?? 'tool unknown'})`,
  );
  if (report.trigger) out.push(t`started by: ${report.trigger.kind}: ${report.trigger.detail}`);
  out.push(`outcome: ${outcomeOf(report)}${report.policy.dryRun ? ' (dry run: nothing written)' : ''}`);
  if (report.failure)
    out.push(t`failed in ${report.failure.step}: ${report.failure.errorName}: ${report.failure.message}`);
  if (report.before) {
    out.push('', 'Presence before:', renderMatrix(report.before.matrix));
    out.push('', 'Findings:', renderFindings(report.before));
  }
  if (report.plan) {
    out.push('', `Actions${report.plan.dryRun ? ' (planned, not run)' : ''}:`);
    const shown: ActionResult[] =
      report.results.length > 0
        ? report.results
        : report.plan.actions.map((action) => ({ action, outcome: 'not-run', detail: '' }));
    out.push(renderActions(shown));
    out.push('', 'Left for a human:', renderSkipped(report.plan.skipped));
  }
  if (report.after) {
    out.push('', 'Presence after:', renderMatrix(report.after.matrix));
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
  out.push('', 'Alert:', renderAlert(alert));
  return out.join('\n');
}
