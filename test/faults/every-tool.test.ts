/**
 * Every tool in the registry, through its own demo's wiring (src/cli/demos: the emulated
 * cluster or Luna client, the control plane, the program the driver spawns, the settings) and
 * the CLI's local deps: a wrong password over 10 consecutive runs of each of its clusters sends
 * a login at most in the first run (then every node is `login-refused-by-guard`, never logged in
 * to), writes nothing, and a new secret version with the right password is used at once. No
 * password anywhere: log lines, output, alerts, errors, every file of the runs, temp entries.
 * (The mgmt-util tools also have the node servers' own login counts: lockout.test.ts.)
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConsoleSink } from '#alerts/console-sink.ts';
import type { DemoCluster, RunningDemo } from '#cli/demos/demo-scenario.ts';
import { DEMOS } from '#cli/demos/registry.ts';
import { localDeps } from '#cli/local-deps.ts';
import { executeLocally } from '#cli/local-execution.ts';
import { SILENT_PROGRESS } from '#cli/progress.ts';
import { runShutdownTasks } from '#cli/shutdown.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import { Secret } from '#core/secret.ts';
import { setMemberFault } from '#emulator/luna/faults.ts';
import { readApplianceState } from '#emulator/luna/state.ts';
import { jsonLineLogger } from '#workflow/json-line-logger.ts';
import { DRIVER_WORK_DIR, uniquePassword } from '../support/faults/rig.ts';
import { scanForSecret } from '../support/faults/secret-scan.ts';

let runs = 0;

/** One run of one demo cluster with the given password and secret version. */
async function runCluster(
  cluster: DemoCluster,
  tool: string,
  reportDir: string,
  password: string,
  version: string,
) {
  runs += 1;
  const log: string[] = [];
  let output = '';
  const sink = new ConsoleSink((text) => {
    output += text;
  });
  const deps = await localDeps({
    provider: cluster.clusterProvider,
    tool,
    toolCommand: cluster.toolCommand,
    toolSettings: cluster.toolSettings,
    credentials: {
      get: async () => ({ ...(await cluster.credentials.get()), password: new Secret(password), version }),
    },
    ...(cluster.secrets ? { secrets: cluster.secrets } : {}),
    backup: cluster.backup,
    reportDir,
    alerts: sink,
    log: jsonLineLogger((line) => log.push(line)),
  });
  const startedAt = new Date().toISOString();
  const { result, report } = await executeLocally(
    {
      runId: `every-tool-${process.pid}-${runs}`,
      clusterId: cluster.clusterId,
      provider: cluster.provider,
      policy: { ...DEFAULT_POLICY, allowedKinds: [...DEFAULT_POLICY.allowedKinds] },
      startedAt,
      trigger: { kind: 'runbook', detail: 'test/faults every tool' },
    },
    deps,
    SILENT_PROGRESS,
    0,
    cluster.waitTimeMs,
  );
  return {
    result,
    report,
    texts: {
      log: log.join('\n'),
      output,
      alerts: JSON.stringify(sink.published),
      error: JSON.stringify(result.error),
      report: JSON.stringify(report),
    },
  };
}

describe.each(DEMOS.map((d) => [d.tool, d] as const))('%s, through its demo wiring', (tool, demo) => {
  let dir: string;
  let running: RunningDemo;
  const password = uniquePassword('Demo');
  const wrong = uniquePassword('Wrong');
  const tmpBefore = new Set(readdirSync(tmpdir()));
  const texts: Record<string, string> = {};
  /** Per cluster, the nodes that refused the wrong password in the first run (the HSM counted it). */
  const refusedBy = new Map<string, string[]>();

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hsm-faults-tool-'));
    running = await demo.start({
      stateDir: join(dir, 'state'),
      reportDir: join(dir, 'reports'),
      password: new Secret(password),
      preferDocumentedPorts: false,
    });
  }, 120_000);
  afterAll(async () => {
    await running.stop();
    await runShutdownTasks();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a wrong password, 10 runs of every cluster: a login in the first run at most, then none; nothing written', async () => {
    for (const cluster of running.clusters) {
      const reportDir = join(dir, 'reports', cluster.clusterId);
      for (let i = 1; i <= 10; i++) {
        const run = await runCluster(cluster, tool, reportDir, wrong, 'wrong-1');
        for (const [k, v] of Object.entries(run.texts)) texts[`${cluster.clusterId} wrong ${i} ${k}`] = v;
        const reasons = run.result.state?.collected?.map((n) => n.reason) ?? [];

        expect(run.report?.results ?? []).toEqual([]);
        expect(reasons.length).toBeGreaterThan(0);
        if (i === 1) {
          // Refused by the HSM (or, for members after the first refusal, by the guard), or not reachable.
          expect(reasons.every((r) => r !== null)).toBe(true);
          expect(reasons).toEqual(expect.arrayContaining(['login-failed']));
          refusedBy.set(
            cluster.clusterId,
            (run.result.state?.collected ?? [])
              .filter((n) => n.reason === 'login-failed')
              .map((n) => n.nodeId),
          );
        } else {
          expect({ run: i, reasons }).toEqual({
            run: i,
            reasons: reasons.map(() => 'login-refused-by-guard'),
          });
        }
      }
    }
  }, 240_000);

  it('a new secret version with the right password is used at once (where no failure count stops it)', async () => {
    for (const cluster of running.clusters) {
      const reportDir = join(dir, 'reports', cluster.clusterId);
      const run = await runCluster(cluster, tool, reportDir, password, 'right-2');
      for (const [k, v] of Object.entries(run.texts)) texts[`${cluster.clusterId} right ${k}`] = v;
      const collected = run.result.state?.collected ?? [];

      expect(collected.some((n) => n.status === 'read')).toBe(true);
      expect(collected.map((n) => n.reason)).not.toContain('login-failed');
      // A node may stay off only where the wrong password was really tried: its own failure count
      // (PKCS#11 CKF_USER_PIN_COUNT_LOW on Luna) keeps the guard shut until a login by hand.
      const guarded = collected.filter((n) => n.reason === 'login-refused-by-guard').map((n) => n.nodeId);
      for (const nodeId of guarded) expect(refusedBy.get(cluster.clusterId)).toContain(nodeId);
    }
  }, 240_000);

  it('no password anywhere: every text and file of those runs, the temp entries they left', () => {
    const tmpEntries = readdirSync(tmpdir())
      .filter((e) => !tmpBefore.has(e))
      .map((e) => join(tmpdir(), e));
    for (const secret of [password, wrong]) {
      const scan = scanForSecret(secret, [dir, DRIVER_WORK_DIR, ...tmpEntries], texts);
      expect(scan.hits).toEqual([]);
      expect(scan.files).toBeGreaterThan(10);
    }
  });
});

describe('luna: a member down before Collect (seed (a) myHAgroup, which a full run repairs)', () => {
  const demo = DEMOS.find((d) => d.tool === 'luna');

  /** Every member's token objects as files on disk (SoftHSM keeps one file per object): an independent view. */
  function tokenObjects(statePath: string): Record<string, string[]> {
    const state = readApplianceState(statePath);
    const out: Record<string, string[]> = {};
    for (const group of state.groups) {
      for (const member of group.members) {
        const folder = [state.softhsm.tokenDir, state.softhsm.offlineDir]
          .map((d) => join(d, member.tokenFolder))
          .find((d) => existsSync(d));
        out[member.serial] = folder
          ? readdirSync(folder)
              .filter((f) => f.endsWith('.object') && f !== 'token.object')
              .map(
                (f) =>
                  `${f}:${createHash('sha256')
                    .update(readFileSync(join(folder, f)))
                    .digest('hex')
                    .slice(0, 12)}`,
              )
              .sort()
          : [];
      }
    }
    return out;
  }

  async function withLunaDemo(
    work: (cluster: DemoCluster, statePath: string, dir: string, password: string) => Promise<void>,
  ) {
    if (!demo) throw new Error('no luna demo in the registry');
    const dir = mkdtempSync(join(tmpdir(), 'hsm-faults-luna-'));
    const password = uniquePassword('Luna');
    const running = await demo.start({
      stateDir: join(dir, 'state'),
      reportDir: join(dir, 'reports'),
      password: new Secret(password),
      preferDocumentedPorts: false,
    });
    try {
      const cluster = running.clusters.find((c) => c.clusterId === 'myHAgroup') as DemoCluster;
      const statePath = cluster.toolCommand[cluster.toolCommand.indexOf('--state') + 1] as string;
      await work(cluster, statePath, dir, password);
    } finally {
      await running.stop();
      await runShutdownTasks();
      rmSync(dir, { recursive: true, force: true });
    }
  }

  it('the member is unknown, never empty; nothing is synchronized; no token object changes anywhere', async () => {
    await withLunaDemo(async (cluster, statePath, dir, password) => {
      const before = tokenObjects(statePath);
      setMemberFault(statePath, '1238700701509', 'down');

      const run = await runCluster(cluster, 'luna', join(dir, 'reports'), password, 'v1');

      const down = run.result.state?.collected?.find((n) => n.nodeId === '1238700701509');
      expect(down?.status).toBe('unreadable');
      expect(run.report?.results ?? []).toEqual([]);
      expect(run.report?.before?.objects.every((f) => !f.missingOn.includes('1238700701509'))).toBe(true);
      expect(tokenObjects(statePath)).toEqual(before);
    });
  }, 120_000);

  it('the control: without the fault the same run synchronizes, and the token files show the copy', async () => {
    await withLunaDemo(async (cluster, statePath, dir, password) => {
      const before = tokenObjects(statePath);

      const run = await runCluster(cluster, 'luna', join(dir, 'reports'), password, 'v1');

      expect(run.report?.results.map((r) => r.outcome)).toContain('synced');
      const after = tokenObjects(statePath);
      expect(after).not.toEqual(before);
      // Additive: every object file a member held is still there, unchanged.
      for (const [serial, files] of Object.entries(before)) {
        for (const f of files) expect(after[serial]).toContain(f);
      }
    });
  }, 120_000);
});
