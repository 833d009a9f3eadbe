/**
 * `hsm-sentinel demo --tool cloudhsm-cli`: the SDK 5 stories through the real state machine,
 * the production cloudhsm-cli driver and the emulated CLI, run as a user runs it.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { type CliResult, runCli } from '../support/cli/run-cli.ts';
import { filesBelow, scanForSecret } from '../support/faults/secret-scan.ts';

const PASSWORD = 'Sdk5-Demo-7c1e-uniq';

describe('hsm-sentinel demo --tool cloudhsm-cli', () => {
  let reportDir: string;
  let result: CliResult;
  let alert: string;

  beforeAll(async () => {
    reportDir = await mkdtemp(join(tmpdir(), 'demo-sdk5-test-'));
    result = await runCli(['demo', '--tool', 'cloudhsm-cli', '--report-dir', reportDir], {
      env: { HSM_SENTINEL_DEMO_PASSWORD: PASSWORD },
    });
    alert = result.stdout.split('\nAlert:\n')[1] ?? '';
  }, 90000);

  afterAll(async () => {
    await rm(reportDir, { recursive: true, force: true });
  });

  it('exits 0 (it told its story), collecting the cluster once per read and re-reading while the key is held back', () => {
    expect(result.code).toBe(0);
    expect(result.stderr).not.toMatch(/did not tell its story|Error|at .*\.ts:\d+/);
    expect(result.stdout).toContain('outcome: attention');
    expect(result.stderr).toMatch(
      /states Resolve > ClusterWide\? > CollectCluster > Audit > RecheckDue\? > WaitForServiceSync > Resolve > .* > Audit > RecheckDue\? > WriteAllowed\? > Sync > Verify > Protect > Alert > Done/,
    );
    expect(result.stderr).not.toContain('CollectNode');
  });

  it('finds carol on some HSMs only, re-creates her with user create (her secret is configured) and verifies it', () => {
    expect(result.stdout).toMatch(
      /\[warning\]\s+missing\s+crypto-user carol: on some of hsm-emu-0, hsm-emu-1, hsm-emu-2 only/,
    );
    expect(result.stdout).toMatch(/synced\s+user create --username carol --role crypto-user/);
    const after = result.stdout.split('Presence after:')[1] ?? '';
    expect(after).toMatch(/crypto-user carol\s+yes\s+yes\s+yes/);
    expect(result.stdout).toContain('Verified: every repaired object is now on every node.');
    expect(alert).toMatch(
      /repaired: crypto-user carol was on some of hsm-emu-0, hsm-emu-1, hsm-emu-2 only; repaired and verified/,
    );
  });

  it("alerts dave (role inconsistent) with AWS's recovery commands, and leaves him untouched", () => {
    expect(alert).toMatch(
      /\[critical\] divergent: user dave \(role inconsistent\) is divergent, left untouched/,
    );
    expect(alert).toMatch(/\$ \S+ .*user delete --username dave --role admin/);
    expect(alert).toMatch(/\$ \S+ .*user create --username dave --role <desired role>/);
    expect(result.stdout).not.toMatch(/synced\s+user create --username dave/);
  });

  it('re-checks the held-back key, then alerts it with the commands to look again, never copying it', () => {
    expect(alert).toMatch(
      /key 0x10b app-key-11 is still not on every node: .*synced-by-service: .*after 3 re-check\(s\)/,
    );
    expect(alert).toMatch(/\$ \S+ .*key list --filter key-reference=0x000000000000010b --verbose/);
    expect(result.stdout).not.toMatch(/synced\s+.*0x10b/);
  });

  it('names the lagging HSM from its per-HSM counts', () => {
    expect(alert).toMatch(/node-health: hsm-emu-2: lagging: .*token keys 12 where its peers show 13/);
    expect(alert).toMatch(/Name=HsmId,Value=hsm-emu-2/);
  });

  it('never writes the password, in plain, base64 or hex, to its output, report or kept files', async () => {
    const files = filesBelow(reportDir);
    expect(files.some((f) => f.includes('transcripts'))).toBe(true);
    expect(files.some((f) => f.endsWith('report.json'))).toBe(true);
    // The project's scanner: plain, any 10 characters, base64 at every alignment, hex.
    const scan = scanForSecret(PASSWORD, [reportDir], { stdout: result.stdout, stderr: result.stderr });
    expect(scan.hits).toEqual([]);
    expect(scan.files).toBe(files.length);
    const transcripts = (
      await Promise.all(files.filter((f) => f.includes('transcripts')).map((f) => readFile(f, 'utf8')))
    ).join('\n');
    expect(transcripts).toContain('CLOUDHSM_PIN=admin:<redacted>');
    expect(transcripts).toContain(
      'user create --username carol --role crypto-user  (2 line(s) on stdin, not kept)',
    );
  });
});
