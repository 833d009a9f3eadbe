import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT, runCli } from '../support/cli/run-cli.ts';

const env = { HSM_CO_PASSWORD: 'Practice-Pa55-3e7a', HSM_CO_USER: 'admin' };

describe('hsm-sentinel emulator (practising the runbook)', () => {
  let stateDir: string;

  beforeAll(async () => {
    stateDir = await mkdtemp(join(tmpdir(), 'emulator-cli-'));
  });

  afterAll(async () => {
    await runCli(['emulator', 'stop', '--state-dir', stateDir]);
    await rm(stateDir, { recursive: true, force: true });
  });

  it('starts seeded by default (the demo seed), and says what to type next with the command that works', async () => {
    const started = await runCli(['emulator', 'start', '--state-dir', stateDir], { env });

    expect(started.code).toBe(0);
    expect(started.stderr).toBe('');
    expect(started.stdout).toMatch(/seed demo\) in /);
    expect(started.stdout).toMatch(/server 1: hsm-emu-1 127\.0\.0\.2:\d+/);
    expect(started.stdout).toContain(
      `  ./bin/hsm-sentinel.js audit --cluster-file ${join(stateDir, 'cluster-file.json')}`,
    );
    expect(started.stdout).toContain(
      `${join(stateDir, 'bin', 'cloudhsm_mgmt_util')} ${join(stateDir, 'cloudhsm_mgmt_util.cfg')}`,
    );

    const status = await runCli(['emulator', 'status', '--json', '--state-dir', stateDir]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, cluster: { seed: 'demo' } });
  });

  it('refuses a second start for the same folder as a usage error (exit 2, one line)', async () => {
    const again = await runCli(['emulator', 'start', '--state-dir', stateDir], { env });

    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
    expect(again.stderr).toMatch(
      /^hsm-sentinel emulator start: an emulated cluster already runs for [^\n]*\n$/,
    );
  });

  it('takes a node down; audit then calls it unreachable, never empty, and plans no write', async () => {
    const fault = await runCli(['emulator', 'fault', '--node', '1', '--down', '--state-dir', stateDir]);
    expect(fault.stdout).toContain('"down":true');

    const audit = await runCli(['audit', '--cluster-file', join(stateDir, 'cluster-file.json'), '--json'], {
      env,
    });

    expect(audit.code).toBe(3);
    const report = JSON.parse(audit.stdout);
    expect(report.before.nodes).toEqual([
      expect.objectContaining({ nodeId: 'hsm-emu-1', kind: 'unreachable' }),
    ]);
    expect(
      report.before.objects.every((f: { missingOn: string[] }) => !f.missingOn.includes('hsm-emu-1')),
    ).toBe(true);
    expect(report.plan.actions).toEqual([]);
    expect(report.plan.writesBlocked).toContain('hsm-emu-1');
  }, 60000);

  it("names, in its alerts, the emulated util and the emulator's config the operator practises with", async () => {
    await runCli(['emulator', 'fault', '--node', '1', '--clear', '--state-dir', stateDir]);

    const audit = await runCli(['audit', '--cluster-file', join(stateDir, 'cluster-file.json')], { env });

    expect(audit.code).toBe(3);
    expect(audit.stdout).toContain(
      `$ ${join(stateDir, 'bin', 'cloudhsm_mgmt_util')} ${join(stateDir, 'cloudhsm_mgmt_util.cfg')}`,
    );
    expect(audit.stdout).not.toContain('/opt/cloudhsm/bin/cloudhsm_mgmt_util /opt');
  }, 60000);

  it('clears the fault and stops the cluster; status with nothing running is an answer (exit 0)', async () => {
    expect(
      (await runCli(['emulator', 'fault', '--node', '1', '--clear', '--state-dir', stateDir])).code,
    ).toBe(0);
    expect((await runCli(['emulator', 'stop', '--state-dir', stateDir])).stdout).toContain('stopped');
    const status = await runCli(['emulator', 'status', '--state-dir', stateDir]);
    const json = await runCli(['emulator', 'status', '--json', '--state-dir', stateDir]);
    const stopAgain = await runCli(['emulator', 'stop', '--state-dir', stateDir]);
    const fault = await runCli(['emulator', 'fault', '--node', '1', '--down', '--state-dir', stateDir]);

    expect(status).toMatchObject({ code: 0, stderr: '' });
    expect(status.stdout).toMatch(/^not running: no emulated cluster runs for /);
    expect(JSON.parse(json.stdout)).toMatchObject({ running: false });
    expect(stopAgain.code).toBe(0);
    expect(stopAgain.stdout).toMatch(/^nothing to stop/);
    expect(fault.code).toBe(2);
    expect(fault.stderr).toMatch(/no emulated cluster runs for .*: start one with emulator start\n$/);
  });

  it('refuses to seed without a password in the environment (usage: exit 2), and starts empty nodes with --seed none', async () => {
    const other = join(stateDir, 'x');
    const refused = await runCli(['emulator', 'start', '--state-dir', other], {
      env: { HSM_CO_PASSWORD: '' },
    });
    const empty = await runCli(['emulator', 'start', '--seed', 'none', '--state-dir', other], {
      env: { HSM_CO_PASSWORD: '' },
    });
    await runCli(['emulator', 'stop', '--state-dir', other]);

    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('set HSM_CO_PASSWORD');
    expect(existsSync(join(other, 'cluster.json'))).toBe(false);
    expect(empty.code).toBe(0);
    expect(empty.stdout).toMatch(/seed none\)/);
    expect(empty.stdout).toContain('the nodes are empty');
  });

  it('prints the launcher path in its hint when run outside the checkout', async () => {
    const other = join(stateDir, 'y');
    const started = await runCli(['emulator', 'start', '--state-dir', other], { env, cwd: stateDir });
    await runCli(['emulator', 'stop', '--state-dir', other]);

    expect(started.code).toBe(0);
    expect(started.stdout).toContain(
      `  ${join(PROJECT_ROOT, 'bin/hsm-sentinel.js')} audit --cluster-file ${relative(stateDir, join(other, 'cluster-file.json'))}`,
    );
  });
});
