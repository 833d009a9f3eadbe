import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY } from '#core/model.ts';
import { renderReportHtml, SCRIPT, SCRIPT_SHA256 } from '#core/render-report-html.ts';
import type { RunReport } from '#core/report.ts';
import {
  auditOf as audit,
  alertOf as buildAlert,
  cluster,
  key,
  planOf as plan,
  read,
  runReport,
  unreadable,
  user,
} from '../support/core/builders.ts';

/** A 3-node cluster: one missing user, a single-node key, a divergent key, and node 2 unread. */
function scenario(overrides: Partial<RunReport> = {}): RunReport {
  const c = cluster(3);
  const before = audit(c, [
    read('hsm-0', [user(1, 'admin', 'PCO'), user(7, 'newest')], [key(10), key(20, 3), key(30, 3)]),
    read('hsm-1', [user(1, 'admin', 'PCO')], [key(10), key(30, 4)]),
    unreadable('hsm-2', 'login-failed'),
  ]);
  const thePlan = plan(c, before, { ...DEFAULT_POLICY, requireAllNodesLoggedIn: false });
  return runReport({ before, plan: thePlan, ...overrides });
}

/** The rows of one matrix table: [label, finding, ...cell classes]. */
function matrixRows(html: string, phase: 'before' | 'after'): string[][] {
  const table = html.split(`<table class="matrix" data-phase="${phase}">`)[1]?.split('</table>')[0] ?? '';
  return [
    ...table.matchAll(
      /<tr data-kind="[^"]*" data-findings="([^"]*)"[^>]*><th[^>]*>([^<]*)<\/th>(.*?)<\/tr>/g,
    ),
  ].map((m) => [
    m[2] ?? '',
    m[1] ?? '',
    ...[...(m[3] ?? '').matchAll(/<td class="([^"]+)"/g)].map((c) => c[1] ?? ''),
  ]);
}

describe('renderReportHtml', () => {
  it('draws one row per object and one cell per node, with the class of each cell', () => {
    const report = scenario();

    const rows = matrixRows(renderReportHtml(report, buildAlert(report)), 'before');

    expect(rows).toEqual([
      ['PCO admin (id 1)', 'consistent', 'status', 'present', 'present', 'unknown'],
      ['CU newest (id 7)', 'single-node', 'status', 'single-node', 'missing', 'unknown'],
      ['key 10', 'consistent', 'status', 'present', 'present', 'unknown'],
      ['key 20', 'single-node', 'status', 'single-node', 'missing', 'unknown'],
      ['key 30', 'divergent', 'status', 'divergent', 'divergent', 'unknown'],
    ]);
  });

  it('writes a letter or symbol in every cell, and the variant letters of a divergent object', () => {
    const html = renderReportHtml(scenario(), null);
    const divergent = html.match(/<th scope="row"[^>]*>key 30<\/th>.*?<\/tr>/)?.[0] ?? '';

    expect(divergent).toContain('title="hsm-0: variant A: owner 3, not shared">A</td>');
    expect(divergent).toContain('title="hsm-1: variant B: owner 4, not shared">B</td>');
    expect(divergent).toContain('title="hsm-2: unknown: node not read">?</td>');
  });

  it('names the unread node and why, in the grid header and in the node table', () => {
    const html = renderReportHtml(scenario(), null);

    expect(html).toContain('hsm-2 <span class="tag">not read</span>');
    expect(html).toMatch(/✗ login-failed<\/span> <span class="detail">[^<]*login-failed in test/);
  });

  it('lists the finding of the first read beside the one read back, and filters on both', () => {
    const c = cluster(2);
    const before = audit(c, [read('hsm-0', [user(7, 'newest')]), read('hsm-1', [])]);
    const after = audit(c, [read('hsm-0', [user(7, 'newest')]), read('hsm-1', [user(7, 'newest')])]);
    const report = runReport({ before, after, plan: plan(c, before, DEFAULT_POLICY) });

    const html = renderReportHtml(report, null);

    expect(matrixRows(html, 'after')).toEqual([
      ['CU newest (id 7)', 'single-node consistent', 'status', 'present', 'present'],
    ]);
    expect(html).toContain('<span class="was">single-node →</span>');
  });

  it('shows planned actions as not run in a dry run, with the target cell before', () => {
    const c = cluster(2);
    const policy = { ...DEFAULT_POLICY, dryRun: true };
    const before = audit(c, [read('hsm-0', [user(7, 'newest')]), read('hsm-1', [])]);
    const report = runReport({ before, plan: plan(c, before, policy), policy });

    const html = renderReportHtml(report, buildAlert(report));

    expect(html).toContain('<h2>Actions planned (not run)</h2>');
    expect(html).toContain('dry run: nothing written');
    expect(html).toMatch(
      /<code>server 0 &gt; syncUser 7 1 \(hsm-0 -&gt; hsm-1\)<\/code>.*?class="cell missing"/,
    );
  });

  it('escapes every string from the report and draws control characters visibly', () => {
    const report = scenario({
      clusterId: '<script>alert(1)</script>',
      runId: 'run-"quoted"&\'',
      trigger: { kind: 'runbook', detail: 'alice\u001b[31m\u202Eevil\u0000' },
    });
    const hostile = report.before?.matrix.rows[0];
    if (hostile) hostile.label = '<img src=x onerror=alert(1)>';

    const html = renderReportHtml(report, buildAlert(report));

    expect(html.match(/<script/g)).toHaveLength(1);
    expect(html).not.toContain('<img');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('run-&quot;quoted&quot;&amp;&#39;');
    expect(html).toContain(
      'alice<span class="ctl" title="U+001B">␛</span>[31m<span class="ctl" title="U+202E">U+202E</span>evil<span class="ctl" title="U+0000">␀</span>',
    );
    expect(html).toContain('data-label="&lt;img src=x onerror=alert(1)&gt;"');
    const invisible = [...html].filter((ch) => {
      const code = ch.charCodeAt(0);
      return (code < 0x20 && ch !== '\n') || code === 0x202e;
    });
    expect(invisible).toEqual([]);
  });

  it('is self-contained: no external asset, and only its own script may run', () => {
    const html = renderReportHtml(scenario(), null);

    expect(html).not.toMatch(/\b(src|href)="(?!#)/);
    expect(html).not.toMatch(/url\(|@import|https?:\/\//);
    expect(createHash('sha256').update(SCRIPT).digest('base64')).toBe(SCRIPT_SHA256);
    expect(html).toContain(`script-src 'sha256-${SCRIPT_SHA256}'`);
    expect(html).toContain(`<script>${SCRIPT}</script>`);
  });

  it('draws the recorded steps on a timeline, in order, with their durations', () => {
    const report = scenario({
      startedAt: '2026-11-23T00:00:00.000Z',
      finishedAt: '2026-11-23T00:00:10.000Z',
      steps: [
        {
          name: 'Resolve',
          startedAt: '2026-11-23T00:00:00.000Z',
          endedAt: '2026-11-23T00:00:01.000Z',
          outcome: 'succeeded',
        },
        {
          name: 'CollectNode',
          item: 'hsm-2',
          startedAt: '2026-11-23T00:00:01.000Z',
          endedAt: '2026-11-23T00:00:06.000Z',
          outcome: 'caught',
          retries: 2,
          error: 'TransportError',
        },
        { name: 'Alert', startedAt: '2026-11-23T00:00:09.000Z', endedAt: null, outcome: 'running' },
      ],
    });

    const html = renderReportHtml(report, null);
    const timeline = html.split('<ol class="timeline">')[1]?.split('</ol>')[0] ?? '';

    expect([...timeline.matchAll(/<span class="name">([^<]*)/g)].map((m) => m[1])).toEqual([
      'Resolve',
      'CollectNode ',
      'Alert',
    ]);
    expect(timeline).toContain('style="margin-left:10.00%;width:50%"');
    expect(timeline).toContain('5.0 s <small>2 retries, TransportError</small>');
    expect(timeline).toContain('<span class="bar running" style="margin-left:90.00%;width:10%"');
  });

  it('without recorded steps, tells which states ran from what the report holds', () => {
    const report = scenario({
      failure: { step: 'Sync', errorName: 'MembershipChangedError', message: 'a node joined' },
    });

    const html = renderReportHtml(report, buildAlert(report));

    expect(html).toContain('This report holds no recorded step times');
    expect(html).toContain(
      '<li class="flow-step failed"><b>Sync</b> <span>failed: MembershipChangedError</span>',
    );
    expect(html).toContain('<li class="flow-step not-run"><b>Verify</b>');
    expect(html).toContain('<h2>The run failed in Sync</h2>');
    expect(html).toContain('<span class="pill outcome failed">failed');
  });

  it('renders a run that failed before any read', () => {
    const report = runReport({
      failure: { step: 'Resolve', errorName: 'ClusterNotStableError', message: 'CREATE_IN_PROGRESS' },
    });

    const html = renderReportHtml(report, buildAlert(report));

    expect(html).toContain('No node was read: the run ended before the audit.');
    expect(html).toContain('No plan was made: the run ended before it.');
    expect(html).toContain('run-failed');
  });

  it('counts consistent objects beyond the limit instead of drawing them', () => {
    const c = cluster(2);
    const keys = Array.from({ length: 30 }, (_, i) => key(100 + i));
    const before = audit(c, [read('hsm-0', [], [...keys, key(999)]), read('hsm-1', [], keys)]);
    const report = runReport({ before, plan: plan(c, before, DEFAULT_POLICY) });

    const html = renderReportHtml(report, null, { maxConsistentRows: 5 });

    expect(matrixRows(html, 'before')).toHaveLength(6);
    expect(html).toContain('and 25 more objects, consistent on every node, not listed here');
    expect(html).toContain('31 objects × 2 nodes');
  });

  it('renders the worst case (28 nodes × 16,666 keys) in bounded size and time', () => {
    const c = cluster(28);
    const keys = Array.from({ length: 16_666 }, (_, i) => key(262_144 + i, 2));
    const inventories = c.nodes.map((n, i) =>
      read(n.nodeId, [user(2, 'cu')], i === 0 ? keys : keys.slice(1)),
    );
    const before = audit(c, inventories);
    const report = runReport({ before, after: before, plan: plan(c, before, DEFAULT_POLICY) });

    const started = performance.now();
    const html = renderReportHtml(report, buildAlert(report));
    const took = performance.now() - started;

    expect(html.length).toBeLessThan(10_000_000);
    expect(took).toBeLessThan(5000);
  });
});
