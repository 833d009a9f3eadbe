/**
 * The HTML report of a real demo run (the demo run in process, as `npm start` runs it), opened
 * in a real browser: Debian's chromium, driven headless by playwright-core. Any console error
 * or page error fails the test, and so does any request beyond the page itself.
 *
 * Screenshots go to .runs/report-html/; HSM_SENTINEL_UPDATE_SCREENSHOT=1 also writes the one the
 * README shows (docs/report.png).
 */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type { CliIo } from '#cli/io.ts';
import { main } from '#cli/main.ts';
import type { RunReport } from '#core/report.ts';
import { PROJECT_ROOT } from '../support/cli/run-cli.ts';

const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  throw new Error(`${CHROMIUM} is missing: install it with tools/setup-system.sh (as root), as .ci/run does`);
}
/** The flags this machine's Chromium needs (see the machine notes): no sandbox as root, no background network. */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SHOTS = join(PROJECT_ROOT, '.runs/report-html');

interface Opened {
  page: Page;
  problems: string[];
}

describe('report.html of a demo run, in Chromium', () => {
  let dir: string;
  let context: BrowserContext;
  let report: RunReport;
  let htmlPath: string;

  async function open(path: string, viewport = { width: 1280, height: 900 }): Promise<Opened> {
    const page = await context.newPage();
    await page.setViewportSize(viewport);
    const problems: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') {
        problems.push(`console ${message.type()}: ${message.text()}`);
      }
    });
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    const url = pathToFileURL(path).href;
    page.on('request', (request) => {
      if (request.url() !== url) problems.push(`request beyond the page: ${request.url()}`);
    });
    await page.goto(url, { waitUntil: 'load' });
    return { page, problems };
  }

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'report-html-'));
    const io: CliIo = {
      stdout: () => {},
      stderr: () => {},
      readStdin: async () => '',
      env: { HSM_SENTINEL_DEMO_PASSWORD: 'Html-Pa55-77e1' },
      cwd: dir,
    };
    const [code] = await Promise.all([
      main(['demo', '--report-dir', join(dir, 'demo')], io),
      (async () => {
        context = await chromium.launchPersistentContext(join(dir, 'profile'), {
          executablePath: CHROMIUM,
          headless: true,
          args: CHROMIUM_ARGS,
        });
      })(),
    ]);
    expect(code).toBe(0);
    const runs = join(dir, 'demo/runs');
    const [runId] = await readdir(runs);
    htmlPath = join(runs, runId ?? '', 'report.html');
    report = JSON.parse(await readFile(join(runs, runId ?? '', 'report.json'), 'utf8')) as RunReport;
    await mkdir(SHOTS, { recursive: true });
  }, 30000);

  afterAll(async () => {
    await context?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores the outcome and the alert in report.json beside report.html', () => {
    expect(existsSync(htmlPath)).toBe(true);
    expect(report.outcome).toBe('attention');
    expect(report.alert?.subject).toContain('CRITICAL demo-aws-cluster');
  });

  it('draws one row per object and one column per node, and marks the single-node holder', async () => {
    const { page, problems } = await open(htmlPath);
    const before = report.before;
    if (!before) throw new Error('the demo report has no first read');

    const table = page.locator('table.matrix[data-phase="before"]');
    const labels = await table.locator('tbody tr[data-kind] th').allTextContents();
    const nodeHeads = await table.locator('thead th.node').allTextContents();
    const single = before.objects.find((f) => f.status === 'single-node');
    const row = table
      .locator('tbody tr[data-kind]')
      .nth(before.matrix.rows.findIndex((r) => r.objectId === single?.objectId));
    const cellClasses = await row
      .locator('td')
      .evaluateAll((cells) => cells.slice(1).map((c) => c.className));

    expect(labels).toEqual(before.matrix.rows.map((r) => r.label));
    expect(nodeHeads).toHaveLength(before.nodeIds.length);
    for (const [i, id] of before.nodeIds.entries()) expect(nodeHeads[i]).toContain(id);
    expect(single?.label).toBe('key 262150');
    expect(cellClasses).toEqual(['single-node', 'missing', 'missing']);
    expect(await page.locator('table.matrix[data-phase="after"] tbody tr[data-kind]').count()).toBe(
      report.after?.matrix.rows.length,
    );
    await page.screenshot({ path: join(SHOTS, 'report-1280.png'), fullPage: true });
    if (process.env.HSM_SENTINEL_UPDATE_SCREENSHOT === '1') {
      // The README's picture: the header, the summary and both grids.
      const grids = await page.locator('#matrix').boundingBox();
      const height = Math.ceil((grids?.y ?? 0) + (grids?.height ?? 900) + 16);
      await page.screenshot({
        path: join(PROJECT_ROOT, 'docs/report.png'),
        fullPage: true,
        clip: { x: 0, y: 0, width: 1280, height },
      });
    }
    expect(problems).toEqual([]);
  });

  it('hides rows with the finding and kind filters, and shows them all again', async () => {
    const { page, problems } = await open(htmlPath);
    const rows = page.locator('table.matrix[data-phase="before"] tbody tr[data-kind]');
    const visible = () =>
      rows.evaluateAll((all) => all.filter((r) => !(r as { hidden: boolean }).hidden).length);
    const total = await rows.count();
    const problemsBefore = (report.before?.objects ?? []).filter((f) => f.status !== 'consistent').length;

    await page.getByRole('checkbox', { name: /consistent/ }).click();
    const afterUntick = await visible();
    await page.getByRole('radio', { name: /keys/ }).click();
    const keyProblems = await visible();
    await page.getByRole('button', { name: 'Show all' }).click();
    // The page's CSP refuses string evaluation (waitForFunction): wait with a locator instead.
    await page.locator('output[name=shown]', { hasText: 'showing every row' }).waitFor();
    const restored = await visible();

    expect(afterUntick).toBe(problemsBefore);
    expect(keyProblems).toBe(2);
    expect(restored).toBe(total);
    expect(problems).toEqual([]);
  });

  it('keeps the header row in view while the grid scrolls', async () => {
    const { page, problems } = await open(htmlPath, { width: 1280, height: 420 });
    const scroller = page.locator('figure[data-phase="before"] .scroll');
    const head = page.locator('table.matrix[data-phase="before"] thead th').first();

    await scroller.evaluate((el) => el.scrollTo(0, 150));
    const [box, headBox, scrolled] = await Promise.all([
      scroller.boundingBox(),
      head.boundingBox(),
      scroller.evaluate((el) => el.scrollTop),
    ]);

    expect(scrolled).toBeGreaterThan(0);
    expect(Math.abs((headBox?.y ?? -1) - (box?.y ?? 0))).toBeLessThan(2);
    expect(problems).toEqual([]);
  });

  it('fits a phone: no page-wide horizontal scroll, the grids scroll inside', async () => {
    const { page, problems } = await open(htmlPath, { width: 390, height: 844 });
    const overflow = await page.evaluate<number>('document.documentElement.scrollWidth - window.innerWidth');
    await page.screenshot({ path: join(SHOTS, 'report-390.png'), fullPage: true });

    expect(overflow).toBeLessThanOrEqual(0);
    expect(problems).toEqual([]);
  });

  it('reads with scripts off: every row shown, the filters hidden', async () => {
    const page = await context.newPage();
    const cdp = await context.newCDPSession(page);
    await cdp.send('Emulation.setScriptExecutionDisabled', { value: true });
    await page.goto(pathToFileURL(htmlPath).href);
    const hiddenRows = await page.locator('tbody tr[data-kind][hidden]').count();
    const shownRows = await page.locator('tbody tr[data-kind]').count();
    const filtersVisible = await page.locator('#filters').isVisible();
    const scriptRan = await page.locator('output[name=shown]').textContent();

    expect(hiddenRows).toBe(0);
    expect(shownRows).toBe(
      (report.before?.matrix.rows.length ?? 0) + (report.after?.matrix.rows.length ?? 0),
    );
    expect(filtersVisible).toBe(false);
    expect(scriptRan).toBe('');
  });

  it('draws the steps the local runner recorded on a timeline', async () => {
    const steps = report.steps ?? [];
    const { page, problems } = await open(htmlPath);
    const bars = await page
      .locator('ol.timeline li .bar')
      .evaluateAll((all) => all.map((b) => b.getBoundingClientRect().width));

    expect(steps.map((s) => s.name)).toEqual([
      'Resolve',
      'CollectNodes',
      'CollectNode',
      'CollectNode',
      'CollectNode',
      'Audit',
      'Sync',
      'Verify',
      'Protect',
      'Alert',
    ]);
    expect(steps.filter((s) => s.name === 'CollectNode').map((s) => s.item)).toEqual(report.before?.nodeIds);
    expect(steps.at(-1)).toMatchObject({ name: 'Alert', endedAt: null, outcome: 'running' });
    expect(steps.slice(0, -1).every((s) => s.outcome === 'succeeded' && s.endedAt !== null)).toBe(true);
    expect(bars).toHaveLength(steps.length);
    expect(bars.every((w) => w > 0)).toBe(true);
    await page.locator('#timeline').screenshot({ path: join(SHOTS, 'timeline.png') });
    expect(problems).toEqual([]);
  });
});
