import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { main } from '#cli/main.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import { renderReport } from '#core/render-report.ts';
import { renderReportHtml } from '#core/render-report-html.ts';
import type { RunReport } from '#core/report.ts';
import { memoryIo } from '../support/cli/memory-io.ts';
import {
  auditOf as audit,
  alertOf as buildAlert,
  cluster,
  planOf as plan,
  read,
  runReport,
  user,
} from '../support/core/builders.ts';

function aReport(): RunReport {
  const c = cluster(2, 'cluster-report');
  const before = audit(c, [read('hsm-0', [user(7, 'newest')]), read('hsm-1', [])]);
  return runReport({ clusterId: c.clusterId, before, plan: plan(c, before, DEFAULT_POLICY) });
}

describe('hsm-sentinel report <report.json>', () => {
  let dir: string;
  const report = aReport();
  const alert = buildAlert(report);

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-command-'));
    await writeFile(join(dir, 'report.json'), JSON.stringify({ ...report, outcome: 'attention', alert }));
    await writeFile(join(dir, 'old-report.json'), JSON.stringify(report));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('prints the text report by default', async () => {
    const { io, out } = memoryIo({ cwd: dir });

    const code = await main(['report', 'report.json'], io);

    expect(code).toBe(0);
    expect(out.stdout).toBe(`${renderReport(report, alert)}\n`);
    expect(out.stderr).toBe('');
  });

  it('writes the HTML page with --html FILE, and prints the text too with --text', async () => {
    const { io, out } = memoryIo({ cwd: dir });

    const code = await main(['report', 'report.json', '--html', 'page.html', '--text'], io);
    const html = await readFile(join(dir, 'page.html'), 'utf8');

    expect(code).toBe(0);
    expect(html).toBe(renderReportHtml({ ...report, outcome: 'attention', alert }, alert));
    expect(out.stdout).toContain('hsm-sentinel run run-1 on cluster-report');
  });

  it('prints the page with --html -, rebuilding the alert of a report that did not store one', async () => {
    const { io, out } = memoryIo({ cwd: dir });

    const code = await main(['report', 'old-report.json', '--html', '-'], io);

    expect(code).toBe(0);
    expect(out.stdout).toBe(renderReportHtml(report, alert));
  });

  it.each([
    ['package.json', '{"name":"x"}', 'package.json is not a run report (report.json): runId: '],
    ['notes.txt', 'hello', 'notes.txt is not JSON, so not a run report (report.json)'],
    [
      'wrong-matrix.json',
      JSON.stringify({ ...report, before: { ...report.before, matrix: { nodeIds: [], rows: 'x' } } }),
      'wrong-matrix.json is not a run report (report.json): before.matrix.rows: ',
    ],
  ])('refuses %s with one line naming what is wrong', async (name, content, message) => {
    await writeFile(join(dir, name), content);
    const { io, out } = memoryIo({ cwd: dir });

    const code = await main(['report', name], io);

    expect(code).toBe(1);
    expect(out.stderr.startsWith(`hsm-sentinel report: InvalidInputError: ${message}`)).toBe(true);
    expect(out.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(out.stdout).toBe('');
  });

  it('says which file it cannot read: a usage error (exit 2)', async () => {
    const { io, out } = memoryIo({ cwd: dir });

    expect(await main(['report', 'missing.json'], io)).toBe(2);
    expect(out.stderr).toBe('hsm-sentinel report: cannot read missing.json (ENOENT)\n');
  });

  it('exits 2 without a report file', async () => {
    const { io, out } = memoryIo({ cwd: dir });

    expect(await main(['report'], io)).toBe(2);
    expect(out.stderr).toBe('hsm-sentinel report: expected one report.json\n');
  });
});
