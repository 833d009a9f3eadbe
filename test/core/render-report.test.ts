/**
 * The text report's layout: aligned finding columns, "Left for a human" listing every object
 * a person must take up (skipped, failed copies, not verified), the alert's link to the page,
 * and emphasis only where a caller's style draws it.
 */
import { describe, expect, it } from '@jest/globals';
import type { ActionResult } from '#core/model.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import { renderFindings, renderReport, type TextStyle } from '#core/render-report.ts';
import { verify } from '#core/verify.ts';
import {
  alertOf,
  auditOf,
  cluster,
  key,
  planOf,
  read,
  runReport,
  unreadable,
  user,
} from '../support/core/builders.ts';

const c = cluster(3);
const admin = user(1, 'admin', 'PCO');
const before = auditOf(c, [
  read('hsm-0', [admin, user(3, 'newest_user')], [key(262150)]),
  read('hsm-1', [admin], []),
  read('hsm-2', [admin, user(3, 'newest_user')], []),
]);
const plan = planOf(c, before, DEFAULT_POLICY);

describe('renderReport', () => {
  it('aligns the severity, finding and detail columns of every finding', () => {
    const withNode = auditOf(c, [
      read('hsm-0', [admin, user(3, 'newest_user')]),
      read('hsm-1', [admin]),
      unreadable('hsm-2'),
    ]);

    const lines = renderFindings(withNode).split('\n');

    expect(lines.length).toBe(2);
    const findingColumn = lines.map((l) => l.search(/(?<=\] +)\S/));
    const detailColumn = lines.map((l) => l.search(/(?<=\] +\S+ +)\S/));
    expect(new Set(findingColumn).size).toBe(1);
    expect(new Set(detailColumn).size).toBe(1);
    expect(lines[0]).toMatch(/^ {2}\[critical\] {2}single-node {2}CU newest_user/);
    expect(lines[1]).toMatch(/^ {2}\[\w+\] +unreachable {2}hsm-2: /);
  });

  it('a failed sync: "Left for a human" lists the failed copies and what is not verified, never "(nothing)"', () => {
    const results: ActionResult[] = plan.actions.map((action) => ({
      action,
      outcome: 'failed',
      detail: 'syncKey returned RET_OBJECT_NOT_FOUND',
    }));
    const after = before; // nothing changed
    const report = runReport({
      cluster: c,
      before,
      plan,
      results,
      after,
      verification: verify(plan, after),
    });
    const alert = alertOf(report);

    const text = renderReport(report, alert);
    const left = text.split('Left for a human:\n')[1]?.split('\n\n')[0] ?? '';

    expect(alert?.subject).toMatch(/unrecovered/);
    expect(left).not.toContain('(nothing)');
    expect(left).toContain('key 262150: copy failed: ');
    expect(left).toContain('syncKey returned RET_OBJECT_NOT_FOUND');
    expect(left).toMatch(/CU newest_user \(id 3\) still missing on hsm-1: not verified/);
    expect(left).toMatch(/key 262150 still missing on hsm-1, hsm-2: not verified/);
  });

  it("prints the alert's link to the report page", () => {
    const report = runReport({ cluster: c, before, plan });
    const alert = alertOf(report);
    if (!alert) throw new Error('expected an alert');

    const text = renderReport(report, { ...alert, reportLink: '/srv/reports/runs/run-1/report.html' });

    expect(text).toContain('  Report: /srv/reports/runs/run-1/report.html');
  });

  it('draws emphasis only through the style it is given', () => {
    const report = runReport({ cluster: c, before, plan });
    const style: TextStyle = {
      severity: (s, t) => `<${s}>${t}</${s}>`,
      outcome: (o, t) => `<${o}>${t}</${o}>`,
      heading: (t) => `#${t}`,
    };

    const plain = renderReport(report, alertOf(report));
    const styled = renderReport(report, alertOf(report), style);

    expect(plain).not.toMatch(/<attention>|<warning>|#Findings/);
    expect(styled).toContain('outcome: <attention>attention</attention>');
    expect(styled).toContain('#Findings:');
    expect(styled).toMatch(/<warning>\[warning\]<\/warning> {3}missing {6}CU newest_user/);
  });
});
