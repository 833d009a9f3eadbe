/**
 * The human page of a run: presence matrices, actions, what was left for a human and why,
 * the alert. Plain text, fixed-width, readable in a terminal, a log and an e-mail.
 */
import type { Alert } from './alert.ts';
import type { ActionResult, AuditResult, PresenceMatrix, SkippedObject } from './model.ts';
import { outcomeOf, type RunReport } from './report.ts';

const CELL: Record<string, string> = { present: 'yes', absent: '--', unknown: '??', uncertain: 'some?' };

export function renderMatrix(matrix: PresenceMatrix): string {
  if (matrix.rows.length === 0) return '  (no users or keys on any readable node)';
  const header = ['object', ...matrix.nodeIds];
  const body = matrix.rows.map((row) => [row.label, ...row.cells.map((cell) => CELL[cell] ?? cell)]);
  const widths = header.map((_, col) =>
    Math.max(...[header, ...body].map((line) => (line[col] ?? '').length)),
  );
  const line = (cells: string[]) =>
    `  ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ')}`.trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

export function renderActions(results: readonly ActionResult[]): string {
  if (results.length === 0) return '  (none)';
  return results
    .map(
      (r) =>
        `  ${r.outcome.padEnd(15)} ${r.action.description}   (${r.action.label})` +
        // The util's own words matter when it did not simply succeed.
        (r.outcome !== 'synced' && r.detail ? `  ${r.detail}` : ''),
    )
    .join('\n');
}

export function renderSkipped(skipped: readonly SkippedObject[]): string {
  if (skipped.length === 0) return '  (nothing)';
  return skipped.map((s) => `  ${s.label}: ${s.reason}: ${s.detail}`).join('\n');
}

export function renderFindings(result: AuditResult): string {
  const lines = result.objects
    .filter((f) => f.status !== 'consistent')
    .map((f) => `  [${f.severity}] ${f.status.padEnd(11)} ${f.label}: ${f.detail}`);
  for (const node of result.nodes)
    lines.push(`  [${node.severity}] ${node.kind.padEnd(11)} ${node.nodeId}: ${node.detail}`);
  return lines.length > 0 ? lines.join('\n') : '  (none: every object is on every node, identical)';
}

export function renderAlert(alert: Alert | null): string {
  if (!alert) return '  (no alert: nothing to report)';
  const lines = [`  Subject: ${alert.subject}`, `  Severity: ${alert.severity}`, ''];
  for (const item of alert.items) {
    lines.push(`  [${item.severity}] ${item.category}: ${item.message}`);
    if (item.runbook.length > 0) lines.push(...item.runbook.map((cmd) => `      $ ${cmd}`));
  }
  return lines.join('\n');
}

function unrecoveredLine(u: { label: string; missingOn: string[]; unknownOn: string[] }): string {
  const parts = [
    ...(u.missingOn.length > 0 ? [`still missing on ${u.missingOn.join(', ')}`] : []),
    ...(u.unknownOn.length > 0 ? [`could not be read back on ${u.unknownOn.join(', ')}`] : []),
  ];
  return `${u.label} ${parts.join(' and ') || 'is divergent'}`;
}

export function renderReport(report: RunReport, alert: Alert | null): string {
  const out: string[] = [];
  out.push(
    `hsm-sentinel run ${report.runId} on ${report.clusterId} (${report.provider}, ${report.tool ?? 'tool unknown'})`,
  );
  if (report.trigger) out.push(`started by: ${report.trigger.kind}: ${report.trigger.detail}`);
  out.push(`outcome: ${outcomeOf(report)}${report.policy.dryRun ? ' (dry run: nothing written)' : ''}`);
  if (report.failure)
    out.push(`failed in ${report.failure.step}: ${report.failure.errorName}: ${report.failure.message}`);
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
  if (report.backup) out.push('', `Backup: ${report.backup.state}: ${report.backup.detail}`);
  out.push('', 'Alert:', renderAlert(alert));
  return out.join('\n');
}
