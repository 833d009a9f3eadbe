/**
 * `audit --save-plan` and `sync --plan` (terraform's plan/apply) against an emulated cluster:
 * the plan names the cluster, its node set and the audit's digest; applying it re-reads every
 * node and writes only if the cluster is as it was, and nothing when it changed.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { EmulatedCluster } from '#emulator/cluster.ts';
import { runCli } from '../support/cli/run-cli.ts';
import { emulatedClusterFile } from '../support/emulator/emulated-cluster-file.ts';

const PASSWORD = 'Plan-Pa55-5d0e';
const env = { HSM_CO_PASSWORD: PASSWORD, HSM_CO_USER: 'admin' };

describe('hsm-sentinel audit --save-plan / sync --plan', () => {
  let dir: string;
  let cluster: EmulatedCluster;
  let clusterFile: string;
  let planFile: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'saved-plan-'));
    ({ cluster, clusterFile } = await emulatedClusterFile(dir, {
      clusterId: 'plan-cluster',
      seed: 'azure',
      password: PASSWORD,
    }));
    planFile = join(dir, 'plan.json');
  });

  afterEach(async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });

  const handles = (node: number) => cluster.readState(node).keys.map((k) => k.handle);

  it('saves the cluster, its node set, the audit digest and the actions, and writes nothing', async () => {
    const audit = await runCli(['audit', '--cluster-file', clusterFile, '--save-plan', planFile], { env });

    expect(audit.code).toBe(3);
    const plan = JSON.parse(await readFile(planFile, 'utf8'));
    expect(plan).toMatchObject({
      format: 'hsm-sentinel plan 1',
      clusterId: 'plan-cluster',
      membershipToken: cluster.nodes.map((n) => `${n.nodeId}@${n.address}:${n.port}`).join(','),
      auditDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      actions: [
        expect.objectContaining({
          objectId: 'key:262150',
          description: expect.stringContaining('syncKey 262150 1'),
        }),
        expect.objectContaining({
          objectId: 'key:262150',
          description: expect.stringContaining('syncKey 262150 2'),
        }),
      ],
    });
    expect(audit.stderr).toContain(`hsm-sentinel sync --cluster-file ${clusterFile} --plan ${planFile}`);
    expect(handles(1)).not.toContain(262150);
  }, 30000);

  it('applies the saved plan when the cluster is as it was: exit 0, verified', async () => {
    await runCli(['audit', '--cluster-file', clusterFile, '--save-plan', planFile], { env });

    const sync = await runCli(['sync', '--cluster-file', clusterFile, '--plan', planFile, '--json'], { env });

    expect(sync.code).toBe(0);
    const report = JSON.parse(sync.stdout);
    expect(report.results.map((r: { outcome: string }) => r.outcome)).toEqual(['synced', 'synced']);
    expect(report.verification).toEqual({ ok: true, unrecovered: [] });
    expect(handles(1)).toContain(262150);
    expect(handles(2)).toContain(262150);
  }, 30000);

  it('refuses a plan the cluster no longer matches: writes nothing, exit 3, says why', async () => {
    await runCli(['audit', '--cluster-file', clusterFile, '--save-plan', planFile], { env });
    cluster.createKey(0, { handle: 262199, owner: 2 }); // the cluster changes after the plan was seen

    const sync = await runCli(['sync', '--cluster-file', clusterFile, '--plan', planFile], { env });

    expect(sync.code).toBe(3);
    expect(sync.stderr).toContain('Refused: the cluster changed since plan');
    expect(sync.stdout).toMatch(
      /key 262150: writes-blocked: the cluster changed since plan .*: nothing written/,
    );
    expect(handles(1)).not.toContain(262150);
    expect(handles(1)).not.toContain(262199);
  }, 30000);

  it('refuses a file that is not a plan, and a missing one, as usage errors', async () => {
    await writeFile(planFile, JSON.stringify({ format: 'hsm-sentinel plan 1', clusterId: 'x' }));
    const malformed = await runCli(['sync', '--cluster-file', clusterFile, '--plan', planFile], { env });
    const missing = await runCli(['sync', '--cluster-file', clusterFile, '--plan', join(dir, 'nope.json')], {
      env,
    });

    expect(malformed.code).toBe(2);
    expect(malformed.stderr).toMatch(
      /^hsm-sentinel sync: plan .*plan\.json is not a saved plan: tool: [^\n]*\n$/,
    );
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/cannot be read \(ENOENT\)\n$/);
    expect(handles(1)).not.toContain(262150);
  }, 30000);
});
