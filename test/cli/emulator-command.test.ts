import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../support/run-cli.ts';

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

  it('starts a seeded cluster in the background and reports its servers', async () => {
    const started = await runCli(['emulator', 'start', '--seed', 'aws', '--state-dir', stateDir], { env });
    expect(started.code).toBe(0);
    expect(started.stdout).toMatch(/server 1: hsm-emu-1 127\.0\.0\.2:\d+/);

    const status = await runCli(['emulator', 'status', '--json', '--state-dir', stateDir]);
    expect(status.code).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true, cluster: { seed: 'aws' } });
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

  it('clears the fault and stops the cluster', async () => {
    expect(
      (await runCli(['emulator', 'fault', '--node', '1', '--clear', '--state-dir', stateDir])).code,
    ).toBe(0);
    expect((await runCli(['emulator', 'stop', '--state-dir', stateDir])).stdout).toContain('stopped');
    expect((await runCli(['emulator', 'status', '--state-dir', stateDir])).code).toBe(3);
  });

  it('refuses to seed without a password in the environment', async () => {
    const result = await runCli(['emulator', 'start', '--seed', 'aws', '--state-dir', join(stateDir, 'x')], {
      env: { HSM_CO_PASSWORD: '' },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('set HSM_CO_PASSWORD');
  });
});
