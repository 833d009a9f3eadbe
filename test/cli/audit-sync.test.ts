import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Secret } from '#core/secret.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import { emulatedCommand } from '#emulator/programs.ts';
import { seedScenarios } from '#emulator/seed-scenarios.ts';
import { runCli } from '../support/cli/run-cli.ts';

const PASSWORD = 'Audit-Pa55-91c2';

describe('hsm-sentinel audit / sync against a cluster file', () => {
  let dir: string;
  let cluster: EmulatedCluster;
  let clusterFile: string;
  const env = { HSM_CO_PASSWORD: PASSWORD, HSM_CO_USER: 'admin' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-sync-'));
    cluster = await startEmulatedCluster({
      stateDir: join(dir, 'state'),
      seed: seedScenarios({ adminPassword: new Secret(PASSWORD) }).demo,
    });
    clusterFile = join(dir, 'cluster.json');
    await writeFile(
      clusterFile,
      JSON.stringify({
        clusterId: 'file-cluster',
        dialect: 'aws',
        util: emulatedCommand('mgmt-util-aws'),
        nodes: cluster.nodes.map(({ nodeId, address, port }) => ({ nodeId, address, port })),
        credentials: { from: 'env', passwordVariable: 'HSM_CO_PASSWORD', usernameVariable: 'HSM_CO_USER' },
        reportDir: 'reports',
      }),
    );
  });

  afterAll(async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const handles = (node: number) => cluster.readState(node).keys.map((k) => k.handle);

  it('audit reports the gaps, writes nothing, and exits 3 (a human must act)', async () => {
    const result = await runCli(['audit', '--cluster-file', clusterFile, '--json'], { env });

    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report.before.counts).toEqual({ consistent: 8, missing: 1, 'single-node': 1, divergent: 1 });
    expect(report.results).toEqual([]);
    expect(handles(1)).not.toContain(262150);
  });

  it('sync --dry-run plans the copies and writes nothing', async () => {
    const result = await runCli(['sync', '--cluster-file', clusterFile, '--dry-run'], { env });

    expect(result.code).toBe(3);
    expect(result.stdout).toContain('Actions (planned, not run):');
    expect(result.stdout).toMatch(/not-run\s+server 0 > syncKey 262150 2/);
    expect(handles(2)).not.toContain(262150);
  });

  it('sync refuses to write without --yes when stdin is not a terminal, before reading any node', async () => {
    const result = await runCli(['sync', '--cluster-file', clusterFile], { env });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'hsm-sentinel sync: sync writes to the HSMs: on a terminal it asks first; here, give --yes to apply its plan (or --dry-run to only plan)\n',
    );
    expect(handles(1)).not.toContain(262150);
  });

  it('sync repairs the gaps from server 0, verifies, and leaves only the divergent key', async () => {
    const result = await runCli(['sync', '--cluster-file', clusterFile, '--json', '--yes'], { env });

    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report.results.map((r: { outcome: string }) => r.outcome)).toEqual(['synced', 'synced', 'synced']);
    expect(report.verification).toEqual({ ok: true, unrecovered: [] });
    expect(report.after.counts).toEqual({ consistent: 10, missing: 0, 'single-node': 0, divergent: 1 });
    expect(handles(1)).toContain(262150);
    expect(handles(2)).toContain(262150);
    expect(handles(2)).not.toContain(262170);
    expect(result.stderr).toContain('Plan for file-cluster (3 action(s), additive only):');
    expect(result.stderr).toContain('  + server 0 > syncKey 262150 2');
  });

  it('refuses a cluster file with a bad field, naming it, and touches nothing', async () => {
    const bad = join(dir, 'bad.json');
    await writeFile(
      bad,
      JSON.stringify({
        clusterId: 'x',
        dialect: 'aws',
        util: ['u'],
        nodes: [{ nodeId: 'a\nb', address: '1.2.3.4' }],
        credentials: { from: 'env', passwordVariable: 'P' },
      }),
    );

    const result = await runCli(['audit', '--cluster-file', bad], { env });

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^hsm-sentinel audit: cluster file .*bad\.json: nodes\.0\.nodeId: letters, digits[^\n]*\n$/,
    );
    expect(existsSync(join(dir, '.runs'))).toBe(false);
  });

  it('says which variable is missing when the password is not in the environment', async () => {
    const result = await runCli(['audit', '--cluster-file', clusterFile], {
      env: { HSM_CO_PASSWORD: undefined as unknown as string },
    });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'hsm-sentinel audit: environment variable HSM_CO_PASSWORD is not set (the CO password)\n',
    );
  });

  it('a missing cluster file is a usage error: exit 2, one line', async () => {
    const result = await runCli(['audit', '--cluster-file', join(dir, 'missing.json')], { env });

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(
      /^hsm-sentinel audit: cluster file .*missing\.json cannot be read \(ENOENT\)\n$/,
    );
  });
});
