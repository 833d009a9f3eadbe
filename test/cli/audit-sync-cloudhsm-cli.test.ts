/**
 * `hsm-sentinel audit|sync --cluster-file F` with `"tool": "cloudhsm-cli"`: the SDK 5 driver
 * spawning the CLI the file names (the emulated one), its settings and secrets from the
 * file's `toolSettings` (secrets as env:NAME references), as an operator runs it.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Secret } from '#core/secret.ts';
import { sdk5Scenarios } from '#emulator/cloudhsm-cli/seed-scenarios.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import { emulatedCommand } from '#emulator/programs.ts';
import { runCli } from '../support/cli/run-cli.ts';

const ADMIN = 'File-admin-pass-3';
const CU = 'File-crypto-pass-4';

describe('hsm-sentinel audit / sync --cluster-file with the cloudhsm-cli tool', () => {
  let dir: string;
  let cluster: EmulatedCluster;
  let clusterFile: string;
  const env = { HSM_CO_PASSWORD: ADMIN, HSM_CO_USER: 'admin', ALICE_PW: CU, BOB_PW: CU, CAROL_PW: CU };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'audit-sync-sdk5-'));
    const scenario = sdk5Scenarios({
      adminPassword: new Secret(ADMIN),
      cryptoUserPassword: new Secret(CU),
    }).userCreatedWhileHsmFailed;
    cluster = await startEmulatedCluster({
      stateDir: join(dir, 'state'),
      nodeCount: scenario.nodeCount,
      states: scenario.states,
    });
    clusterFile = join(dir, 'cluster.json');
    await writeFile(
      clusterFile,
      JSON.stringify({
        clusterId: 'sdk5-file-cluster',
        tool: 'cloudhsm-cli',
        command: emulatedCommand('cloudhsm-cli'),
        toolSettings: {
          CLOUDHSM_CLI_CRYPTO_USERS: 'alice,bob',
          CLOUDHSM_CLI_USER_SECRETS: JSON.stringify({
            alice: 'env:ALICE_PW',
            bob: 'env:BOB_PW',
            carol: 'env:CAROL_PW',
          }),
        },
        nodes: cluster.nodes.map(({ nodeId, address, port }) => ({ nodeId, address, port })),
        credentials: {
          from: 'env',
          passwordVariable: 'HSM_CO_PASSWORD',
          usernameVariable: 'HSM_CO_USER',
          role: 'admin',
        },
        reportDir: 'reports',
      }),
    );
  });

  afterAll(async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('audit finds carol on some HSMs only, writes nothing and exits 3', async () => {
    const result = await runCli(['audit', '--cluster-file', clusterFile, '--json'], { env });

    expect(result.code).toBe(3);
    const report = JSON.parse(result.stdout);
    expect(report.tool).toBe('cloudhsm-cli');
    expect(report.before.counts).toEqual({ consistent: 16, missing: 1, 'single-node': 0, divergent: 0 });
    expect(report.plan.actions.map((a: { objectId: string }) => a.objectId)).toEqual(['user:carol']);
    expect(report.results).toEqual([]);
    expect(cluster.readState(1).users.map((u) => u.username)).not.toContain('carol');
  });

  it('sync re-creates carol, verifies it and exits 0; no password in the output', async () => {
    const result = await runCli(['sync', '--cluster-file', clusterFile, '--yes'], { env });

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/synced\s+user create --username carol --role crypto-user/);
    expect(result.stdout).toContain('Verified: every repaired object is now on every node.');
    expect(cluster.readState(1).users.map((u) => u.username)).toContain('carol');
    expect(result.stdout + result.stderr).not.toContain(ADMIN);
    expect(result.stdout + result.stderr).not.toContain(CU);
  });
});
