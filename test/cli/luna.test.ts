/**
 * The Luna tool through the CLI, as processes: `demo --tool luna` (the two seeds through the
 * real state machine), `audit`/`sync --cluster-file` with `"tool": "luna"` against an emulated
 * Luna, and `parse listgroups --tool luna` (the contract). No partition password in any output,
 * report or kept file, plain, base64 or hex.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { clusterFileSchema } from '#cli/cluster-file.ts';
import { lunacmCommand } from '#emulator/luna/main.ts';
import { LUNA_SCENARIOS } from '#emulator/luna/scenarios.ts';
import { type CliResult, PROJECT_ROOT, runCli } from '../support/cli/run-cli.ts';
import { filesBelow, scanForSecret } from '../support/faults/secret-scan.ts';
import { transcript } from '../support/fixtures.ts';
import { buildLuna, type LunaFixture, PIN } from '../support/luna/softhsm-fixture.ts';

const PASSWORD = 'Luna-Demo-Pa55-7e1f';
/**
 * The project's secrets scanner (plain, any 10 characters, base64 at every alignment, hex) over
 * the run's output and every file below `dir`; the number of files it read.
 */
function expectNoSecret(result: CliResult, dir: string, password: string): number {
  const scan = scanForSecret(password, [dir], { stdout: result.stdout, stderr: result.stderr });
  expect(scan.hits).toEqual([]);
  return scan.files;
}

/** The report of one cluster's run in the demo's stdout (each report opens with its run line). */
function runOf(stdout: string, group: string): string {
  const reports = stdout.split(/^(?=hsm-sentinel run )/m);
  return reports.find((report) => report.split('\n')[0]?.includes(` on ${group} `)) ?? '';
}

describe('hsm-sentinel demo --tool luna', () => {
  let reportDir: string;
  let result: CliResult;

  beforeAll(async () => {
    const { mkdtemp } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    reportDir = await mkdtemp(join(tmpdir(), 'luna-demo-'));
    result = await runCli(['demo', '--tool', 'luna', '--report-dir', reportDir], {
      env: { HSM_SENTINEL_DEMO_PASSWORD: PASSWORD },
      timeoutMs: 120000,
    });
  }, 130000);
  afterAll(() => rm(reportDir, { recursive: true, force: true }));

  it('exits 0 after running one cluster per HA group through the real state machine', () => {
    expect(result.stderr).not.toMatch(/did not tell its story|Error|at .*\.ts:\d+/);
    expect(result.code).toBe(0);
    // Progress (the execution lines) goes to stderr; stdout holds the three reports only.
    expect(result.stderr.match(/Executed statemachines\/audit-and-sync.asl.json .* succeeded/g)).toHaveLength(
      3,
    );
    expect(result.stdout.match(/^hsm-sentinel run /gm)).toHaveLength(3);
  });

  it('seed (a): the key created while par2 was down is found, Needs sync, synchronized and verified', () => {
    const run = runOf(result.stdout, 'myHAgroup');

    expect(run).toMatch(
      /\[warning\]\s+missing\s+secretKey AES "created-while-down" \(id 03\): on 154438865287, 1238700701509; missing on 1238700701510/,
    );
    expect(run).toMatch(/154438865287: HA group myHAgroup: hagroup listgroups says Needs sync: yes/);
    expect(run).toMatch(/synced\s+hagroup synchronize -group myHAgroup \(to 1238700701510\)/);
    expect(run).toContain('Verified: every repaired object is now on every node.');
  });

  it('seed (a): the fingerprint conflict is reported and left for a human with the commands to inspect it', () => {
    const run = runOf(result.stdout, 'appHAgroup');

    expect(run).toMatch(
      /\[critical\]\s+divergent\s+secretKey AES "app-config" \(id 22\): same identity, different content/,
    );
    expect(run).toMatch(
      /secretKey AES "app-config" \(id 22\): divergent: a human must choose the right copy/,
    );
    expect(run).toMatch(/report-key" \(id 21\): writes-blocked: .*fingerprint conflict/);
    expect(run).toContain('$ slot set -slot <Slot Id of 1238700701511>');
    expect(run).not.toMatch(/synced\s/);
    expect(run).toMatch(/absent-from-config\s+1238700701512/);
  });

  it('seed (b): the key made while the second HSM was offline is single-member, critical, until synchronized', () => {
    const run = runOf(result.stdout, 'hapg1');

    expect(run).toMatch(
      /\[critical\]\s+single-node\s+secretKey AES "created-offline" \(id 11\): only on 475256026/,
    );
    expect(run).toMatch(/synced\s+hagroup synchronize -group hapg1 \(to 511541022\)/);
    expect(run).toMatch(/created-offline" \(id 11\) was on 475256026 only \(at risk\); copied and verified/);
  });

  it('shows the health findings: auto recovery off and HAOnly off, with their commands', () => {
    expect(result.stdout).toMatch(
      /node-health: 154438865287: health: HA group myHAgroup: auto recovery is off/,
    );
    expect(result.stdout).toMatch(/node-health: 475256026: health: HA group hapg1: HAOnly is off/);
    expect(result.stdout).toContain('$ hagroup haonly -enable');
  });

  it('keeps no partition password in its output, reports, transcripts (plain, base64, hex)', async () => {
    const files = expectNoSecret(result, reportDir, PASSWORD);
    const transcripts = filesBelow(reportDir).filter((f) => f.includes('transcripts'));

    expect(files).toBeGreaterThan(20);
    expect(transcripts.length).toBeGreaterThan(10);
    expect((await Promise.all(transcripts.map((f) => readFile(f, 'utf8')))).join('\n')).toContain(
      'Enter the password: ********',
    );
  });
});

describe('hsm-sentinel audit / sync --cluster-file with "tool": "luna"', () => {
  let luna: LunaFixture;
  let clusterFile: string;
  const env = () => ({ LUNA_PARTITION_PASSWORD: PIN, SOFTHSM2_CONF: luna.luna.env.SOFTHSM2_CONF });

  beforeAll(async () => {
    luna = buildLuna(LUNA_SCENARIOS['cloudhsm-hapg']);
    const { command, args } = lunacmCommand(luna.luna.statePath);
    clusterFile = join(luna.dir, 'luna-hapg1.json');
    await writeFile(
      clusterFile,
      JSON.stringify({
        clusterId: 'hapg1',
        tool: 'luna',
        command: [command, ...args],
        toolSettings: {
          LUNA_PKCS11_LIBRARY: luna.luna.libraryPath,
          LUNA_SLOT_MATCH: 'label',
          LUNA_ROLE: 'co',
        },
        nodes: [
          { nodeId: '475256026', address: '10.0.1.10' },
          { nodeId: '511541022', address: '10.0.2.10' },
        ],
        credentials: { from: 'env', passwordVariable: 'LUNA_PARTITION_PASSWORD' },
        reportDir: 'reports',
      }),
    );
  });
  afterAll(() => luna.remove());

  it('audit finds the single-member key, writes nothing, exits 3; sync repairs and verifies it, exits 0', async () => {
    const audit = await runCli(['audit', '--cluster-file', clusterFile], { env: env() });
    const sync = await runCli(['sync', '--cluster-file', clusterFile, '--yes'], { env: env() });

    expect(audit.code).toBe(3);
    expect(audit.stdout).toMatch(
      /single-node\s+secretKey AES "created-offline" \(id 11\): only on 475256026/,
    );
    expect(audit.stdout).toContain('outcome: attention (dry run: nothing written)');
    expect(sync.stderr).toMatch(
      /states Resolve > ClusterWide\? > CollectNodes > Audit > RecheckDue\? > WriteAllowed\? > Sync > Verify/,
    );
    expect(sync.code).toBe(0);
    expect(sync.stdout).toMatch(/synced\s+hagroup synchronize -group hapg1 \(to 511541022\)/);
    expect(sync.stdout).toContain('Verified: every repaired object is now on every node.');
    expect(expectNoSecret(sync, join(luna.dir, 'reports'), PIN)).toBeGreaterThan(0);
  }, 60000);
});

describe('hsm-sentinel parse listgroups --tool luna', () => {
  it('prints the contract of the documented 7.3 PCI reply', async () => {
    const result = await runCli(['parse', 'listgroups', '--tool', 'luna'], {
      stdin: transcript('luna/listgroups-7.3-pci.txt'),
    });

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      command: 'hagroup listgroups',
      groups: [
        {
          label: 'myHAgroup',
          serial: '1154438865287',
          needsSync: false,
          autoRecovery: { maxRetry: 500, pollIntervalSeconds: 60 },
          members: [
            { serial: '154438865287', status: 'alive' },
            { serial: '1238700701509', status: 'down' },
          ],
        },
      ],
    });
  });

  it('a cut reply exits 1 with one line naming the command and line', async () => {
    const text = transcript('luna/listgroups-7.3-pci.txt');
    const cut = text.slice(0, text.indexOf('------  1238700701509'));

    const result = await runCli(['parse', 'listgroups', '--tool', 'luna'], { stdin: cut });

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^hsm-sentinel parse: ParseError: hagroup listgroups: line \d+: .*cut short/,
    );
    expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
  });
});

describe('the Luna cluster file examples (README, module README)', () => {
  it.each(['README.md', 'src/drivers/luna/README.md'])('%s: its luna cluster file is valid', async (file) => {
    const text = await readFile(join(PROJECT_ROOT, file), 'utf8');
    const start = text.indexOf('```json\n{\n  "clusterId": "myHAgroup",\n  "tool": "luna"');
    const block = text.slice(start + 8, text.indexOf('\n```', start + 8));

    expect(start).toBeGreaterThan(0);
    expect(clusterFileSchema.safeParse(JSON.parse(block)).error?.issues ?? []).toEqual([]);
  });
});
