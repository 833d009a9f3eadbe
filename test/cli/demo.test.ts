import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { main } from '#cli/main.ts';
import { memoryIo } from '../support/cli/memory-io.ts';
import { type CliResult, PROJECT_ROOT, runCli } from '../support/cli/run-cli.ts';
import { filesBelow, scanForSecret } from '../support/faults/secret-scan.ts';

const PASSWORD = 'Demo-Pa55-4b1d-unique';

describe('hsm-sentinel demo (the embedded default, as npm start runs it)', () => {
  let reportDir: string;
  let result: CliResult;

  beforeAll(async () => {
    reportDir = await mkdtemp(join(tmpdir(), 'demo-test-'));
    result = await runCli(['demo', '--report-dir', reportDir], {
      env: { HSM_SENTINEL_DEMO_PASSWORD: PASSWORD },
    });
  }, 90000);

  afterAll(async () => {
    await rm(reportDir, { recursive: true, force: true });
  });

  it('exits 0: the run told the seed story (its outcome is attention, by design)', () => {
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('outcome: attention');
    expect(result.stderr).not.toMatch(/did not tell its story|Error|at .*\.ts:\d+/);
  });

  it('prints progress on stderr and only the report on stdout', () => {
    expect(result.stdout.split('\n')[0]).toMatch(/^hsm-sentinel run demo-\S+ on demo-aws-cluster/);
    expect(result.stdout).not.toContain('> Resolve');
    expect(result.stderr).toContain("Emulated aws cluster 'demo-aws-cluster'");
    expect(result.stderr).toMatch(/ {4}done CollectNode \[server 1\] hsm-emu-1 \(\d+\.\d s\)/);
  });

  it('keeps each run in its own folder: report, page and the transcripts of that run', async () => {
    const files = filesBelow(reportDir);
    const runFolders = new Set(
      files.filter((f) => f.includes('/runs/')).map((f) => f.split('/runs/')[1]?.split('/')[0]),
    );
    expect(runFolders.size).toBe(1);
    const [runId] = [...runFolders];
    expect(files).toEqual(
      expect.arrayContaining([
        join(reportDir, 'runs', runId ?? '', 'report.json'),
        join(reportDir, 'runs', runId ?? '', 'report.html'),
      ]),
    );
    expect(
      files.filter((f) => f.includes('transcripts')).every((f) => f.includes(`/runs/${runId}/transcripts/`)),
    ).toBe(true);
    expect(existsSync(join(reportDir, 'transcripts'))).toBe(false);
  });

  it('executes the real state machine file, state by state', async () => {
    const definition = await readFile(join(PROJECT_ROOT, 'statemachines/audit-and-sync.asl.json'));
    const sha256 = createHash('sha256').update(definition).digest('hex');
    expect(result.stderr).toContain(
      `Executed statemachines/audit-and-sync.asl.json (sha256 ${sha256.slice(0, 12)}`,
    );
    expect(result.stderr).toMatch(
      /states Resolve > ClusterWide\? > CollectNodes > Audit > RecheckDue\? > WriteAllowed\? > Sync > Verify > Protect > Alert > Done/,
    );
    expect(result.stderr).toContain('  > CollectNode [server 2] hsm-emu-2');
  });

  it('finds newest_user missing on node 1 and syncs it from server 0', () => {
    expect(result.stdout).toMatch(
      /\[warning\]\s+missing\s+CU newest_user \(id 3\): on hsm-emu-0, hsm-emu-2; missing on hsm-emu-1/,
    );
    expect(result.stdout).toMatch(/synced\s+server 0 > syncUser 3 1 /);
  });

  it('flags key 262150 single-node on node 0 and syncs it to nodes 1 and 2', () => {
    expect(result.stdout).toMatch(/\[critical\]\s+single-node\s+key 262150: only on hsm-emu-0/);
    expect(result.stdout).toMatch(/synced\s+server 0 > syncKey 262150 1 /);
    expect(result.stdout).toMatch(/synced\s+server 0 > syncKey 262150 2 /);
  });

  it('aligns the finding columns', () => {
    const findings = (result.stdout.split('Findings:\n')[1] ?? '').split('\n\n')[0]?.split('\n') ?? [];
    const starts = findings.map((line) => /^ {2}\[\w+\]\s+(\S)/.exec(line)?.index ?? -1);
    const columns = findings.map((line) => line.search(/(?<=\] +)\S/));
    expect(findings.length).toBe(4);
    expect(starts.every((s) => s === 0)).toBe(true);
    expect(new Set(columns).size).toBe(1);
    const details = findings.map((line) => line.search(/(?<=\] +\S+ +)\S/));
    expect(new Set(details).size).toBe(1);
  });

  it('reports the divergent key and leaves it untouched', () => {
    expect(result.stdout).toMatch(/key 262170: divergent: a human must choose/);
    expect(result.stdout).not.toMatch(/syncKey 262170/);
  });

  it('shows an after-matrix consistent except the divergent key', () => {
    const after = result.stdout.split('Presence after:')[1]?.split('\n\n')[0] ?? '';
    const rows = after.split('\n').filter((line) => /^\s{2}(PCO|CU|key)\s/.test(line));
    expect(rows).toHaveLength(11);
    const inconsistent = rows.filter((row) => !/yes\s+yes\s+yes\s*$/.test(row));
    expect(inconsistent).toEqual([expect.stringMatching(/key 262170\s+variant A\s+variant B\s+--/)]);
    expect(result.stdout).toContain('Verified: every repaired object is now on every node.');
  });

  it('prints the alert that would be sent, naming the at-risk and divergent keys', () => {
    const alert = result.stdout.split('Alert:')[1] ?? '';
    expect(alert).toContain('Subject: [hsm-sentinel] CRITICAL demo-aws-cluster');
    expect(alert).toMatch(/key 262150 was on hsm-emu-0 only \(at risk\)/);
    expect(alert).toMatch(/key 262170 is divergent/);
  });

  it('never writes the password to its output, report, logs or kept transcripts', async () => {
    expect(result.stdout + result.stderr).not.toContain(PASSWORD);
    const files = filesBelow(reportDir);
    const transcripts = files.filter((f) => f.includes('transcripts'));
    expect(transcripts.length).toBeGreaterThanOrEqual(4);
    const transcriptText = (await Promise.all(transcripts.map((f) => readFile(f, 'utf8')))).join('\n');
    expect(transcriptText).toContain('loginHSM CO admin <redacted>');
    for (const file of files) expect(await readFile(file, 'utf8')).not.toContain(PASSWORD);
    // And in no other encoding (the project's scanner: any 10 characters, base64, hex).
    expect(
      scanForSecret(PASSWORD, [reportDir], { stdout: result.stdout, stderr: result.stderr }).hits,
    ).toEqual([]);
  });
});

describe('hsm-sentinel demo --provider azure (the same story in the Azure dialect)', () => {
  let reportDir: string;
  let result: CliResult;

  beforeAll(async () => {
    reportDir = await mkdtemp(join(tmpdir(), 'demo-azure-test-'));
    result = await runCli(['demo', '--provider', 'azure', '--report-dir', reportDir], {
      env: { HSM_SENTINEL_DEMO_PASSWORD: PASSWORD },
    });
  }, 90000);

  afterAll(async () => {
    await rm(reportDir, { recursive: true, force: true });
  });

  it('repairs from server 0, leaves the divergent key, and exits 0', () => {
    expect(result.code).toBe(0);
    expect(result.stderr).toContain("Emulated azure cluster 'demo-azure-cluster'");
    expect(result.stdout).toMatch(/synced\s+server 0 > syncUser 3 1 /);
    expect(result.stdout).toMatch(/synced\s+server 0 > syncKey 262150 2 /);
    expect(result.stdout).toMatch(/key 262170: divergent/);
    expect(result.stdout).toContain('Verified: every repaired object is now on every node.');
  });

  it('spoke to an emulated azcloudhsm_mgmt_util, and kept no password', async () => {
    const files = filesBelow(reportDir).filter((f) => f.includes('transcripts'));
    const text = (await Promise.all(files.map((f) => readFile(f, 'utf8')))).join('\n');
    expect(text).toContain('Liquidsec MGMT Util Version');
    expect(text).toContain('cloudmgmt> loginHSM CO admin <redacted>');
    expect(text).not.toContain(PASSWORD);
  });
});

describe('hsm-sentinel demo --json', () => {
  it('prints one JSON document: whether the story was told, and each run with its outcome and report', async () => {
    const reportDir = await mkdtemp(join(tmpdir(), 'demo-json-'));
    try {
      const { io, out } = memoryIo({ env: { HSM_SENTINEL_DEMO_PASSWORD: PASSWORD } });

      const code = await main(['demo', '--json', '--report-dir', reportDir], io);

      expect(code).toBe(0);
      const doc = JSON.parse(out.stdout);
      expect(doc).toMatchObject({
        tool: 'mgmt-util-aws',
        storyTold: true,
        runs: [{ clusterId: 'demo-aws-cluster', outcome: 'attention', storyTold: true, differences: [] }],
      });
      expect(doc.runs[0].report.alert.reportLink).toBe(doc.runs[0].reportPage);
      expect(out.stderr).toContain('> Resolve');
    } finally {
      await rm(reportDir, { recursive: true, force: true });
    }
  }, 60000);
});
