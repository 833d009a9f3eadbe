/**
 * Fault injection over real sockets: the emulated HSMs (each its own TCP server on loopback),
 * the production mgmt-util driver spawning the emulated util, the real state machine run
 * locally with the CLI's local deps. Every case compares what every node holds before and
 * after, object by object, and reads the run's report.
 *
 * The demo seed: newest_user (3) on nodes 0 and 2 only; key 262150 on node 0 only; key 262170
 * variant A on node 0 and variant B on node 1 (divergent). A full run copies newest_user to
 * node 1 and 262150 to nodes 1 and 2, and leaves 262170 alone.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import type { RunReport } from '#core/report.ts';
import { CLI } from '../support/cli/run-cli.ts';
import {
  added,
  type ClusterView,
  receivedLogins,
  safetyViolations,
  viewOf,
} from '../support/faults/invariants.ts';
import {
  DRIVER_WORK_DIR,
  type Rig,
  type RigRun,
  runOnce,
  startRig,
  writeClusterFile,
} from '../support/faults/rig.ts';

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

async function rigWith(faults: Parameters<typeof startRig>[0] = {}): Promise<Rig> {
  rig = await startRig(faults);
  return rig;
}

function collected(run: RigRun, nodeId: string) {
  return run.result.state?.collected?.find((n) => n.nodeId === nodeId);
}

function nodeFindings(report: RunReport | null, nodeId: string): string[] {
  return (report?.before?.nodes ?? []).filter((n) => n.nodeId === nodeId).map((n) => n.kind);
}

function alertCategories(run: RigRun): string[] {
  return [...new Set(run.alerts.flatMap((a) => a.items.map((i) => i.category)))];
}

/** Nothing changed on any node (the run wrote nothing). */
function expectUntouched(before: ClusterView, after: ClusterView): void {
  expect(after.objects.map((o) => [...o.entries()])).toEqual(before.objects.map((o) => [...o.entries()]));
}

/** No util config (node addresses) left in the drivers' work folder, on any exit path. */
function expectNoLeftovers(run: RigRun): void {
  expect(run.workLeftovers).toEqual([]);
}

function collectRetries(run: RigRun, index: number): number {
  return run.events.filter((e) => e.kind === 'retried' && e.state === 'CollectNode' && e.index === index)
    .length;
}

describe('a node killed before Collect', () => {
  it('is retried, then unknown (never empty): nothing is written anywhere, the alert names it', async () => {
    const r = await rigWith({ faults: { 1: { down: true } } });
    const before = viewOf(r.cluster);

    const run = await runOnce(r);

    const after = viewOf(r.cluster);
    expectNoLeftovers(run);
    expect(run.result.status).toBe('succeeded');
    expect(collectRetries(run, 1)).toBe(2);
    expect(collected(run, 'hsm-emu-1')).toMatchObject({ status: 'unreadable', reason: 'unreachable' });
    expect(run.result.visited).not.toContain('Sync');
    expectUntouched(before, after);
    expect(safetyViolations(before, after, run.report)).toEqual([]);
    // "could not list" is not "empty": nothing it might hold is reported missing there.
    expect(run.report?.before?.objects.every((f) => !f.missingOn.includes('hsm-emu-1'))).toBe(true);
    expect(run.report?.before?.objects.find((f) => f.objectId === 'key:262150')?.unknownOn).toEqual([
      'hsm-emu-1',
    ]);
    expect(run.report?.outcome).toBe('attention');
    expect(alertCategories(run)).toContain('node-unreadable');
  });

  it('even with requireAllNodesLoggedIn off: nothing whose copy on the unread node is unknown is copied', async () => {
    const r = await rigWith({ faults: { 1: { down: true } } });
    const before = viewOf(r.cluster);

    const run = await runOnce(r, { policy: { requireAllNodesLoggedIn: false } });

    const after = viewOf(r.cluster);
    expectUntouched(before, after);
    expect(run.report?.plan?.actions).toEqual([]);
    expect(run.report?.plan?.skipped.find((s) => s.objectId === 'key:262150')?.reason).toBe('unread-node');
  });
});

describe('a node killed mid-listing', () => {
  it('findAllKeys crashes the node after its login: unknown, not retried (one login), nothing written', async () => {
    const r = await rigWith({ faults: { 1: { tripOn: { op: 'findAllKeys', action: 'crash' } } } });
    const before = viewOf(r.cluster);

    const run = await runOnce(r);

    const after = viewOf(r.cluster);
    expectNoLeftovers(run);
    expect(run.result.status).toBe('succeeded');
    expect(collected(run, 'hsm-emu-1')?.status).toBe('unreadable');
    expect(collectRetries(run, 1)).toBe(0);
    expect(receivedLogins(r.cluster)[1]).toBe(1);
    expect(r.cluster.faults(1).down).toBe(true);
    expectUntouched(before, after);
    expect(run.report?.outcome).toBe('attention');
  });

  it('a disconnect between two getKeyInfo replies: the node stays unknown, its login is not sent again', async () => {
    const r = await rigWith({
      faults: { 0: { tripOn: { op: 'getKeyInfo', action: 'disconnect', skip: 2 } } },
    });
    const before = viewOf(r.cluster);

    const run = await runOnce(r);

    const after = viewOf(r.cluster);
    expect(collected(run, 'hsm-emu-0')?.status).toBe('unreadable');
    expect(collectRetries(run, 0)).toBe(0);
    expect(receivedLogins(r.cluster)[0]).toBe(1);
    expect(r.cluster.faults(0).down).toBe(false);
    expectUntouched(before, after);
    expect(nodeFindings(run.report, 'hsm-emu-0').length).toBeGreaterThan(0);
  });
});

describe('a node killed mid-sync (after extract, before insert)', () => {
  it('the target crashes on its first insert: that copy is not made, the others are, Verify says what is left', async () => {
    const r = await rigWith({ faults: { 2: { tripOn: { op: 'insertMasked', action: 'crash' } } } });
    const before = viewOf(r.cluster);

    const run = await runOnce(r);

    const after = viewOf(r.cluster);
    expectNoLeftovers(run);
    expect(run.result.visited).toEqual(expect.arrayContaining(['Sync', 'Verify']));
    const outcomes = Object.fromEntries(
      (run.report?.results ?? []).map((x) => [`${x.action.objectId}>${x.action.targetNodeId}`, x.outcome]),
    );
    expect(outcomes).toEqual({
      'user:newest_user>hsm-emu-1': 'synced',
      'key:262150>hsm-emu-1': 'synced',
      'key:262150>hsm-emu-2': 'failed',
    });
    expect(added(before, after).sort()).toEqual(['hsm-emu-1 key#262150', 'hsm-emu-1 user#3']);
    expect(safetyViolations(before, after, run.report)).toEqual([]);
    expect(run.report?.verification?.ok).toBe(false);
    // Node 2 is down now: nothing planned can be confirmed there (unknown, not "missing").
    expect(run.report?.verification?.unrecovered.map((u) => [u.objectId, u.missingOn, u.unknownOn])).toEqual([
      ['user:newest_user', [], ['hsm-emu-2']],
      ['key:262150', [], ['hsm-emu-2']],
    ]);
    expect(run.report?.outcome).toBe('attention');
    expect(alertCategories(run)).toContain('unrecovered');
  });

  it('the target drops the connection on an insert and stays up: Verify reads it back and reports the gap', async () => {
    const r = await rigWith({ faults: { 1: { tripOn: { op: 'insertMasked', action: 'disconnect' } } } });
    const before = viewOf(r.cluster);

    const run = await runOnce(r);

    const after = viewOf(r.cluster);
    expect(safetyViolations(before, after, run.report)).toEqual([]);
    expect(after.objects[1]?.has('user#3')).toBe(false);
    expect(run.report?.after?.readableNodeIds).toEqual(['hsm-emu-0', 'hsm-emu-1', 'hsm-emu-2']);
    expect(run.report?.verification?.unrecovered.map((u) => [u.objectId, u.missingOn])).toEqual(
      expect.arrayContaining([['user:newest_user', ['hsm-emu-1']]]),
    );
  });
});

describe('a node that hangs', () => {
  it('answers nothing from the start: timed out before any login, retried, then unknown; nothing written', async () => {
    const r = await rigWith({ faults: { 2: { slowMs: 120_000 } } });
    const before = viewOf(r.cluster);

    const run = await runOnce(r, { commandTimeoutMs: 1000 });

    const after = viewOf(r.cluster);
    expectNoLeftovers(run);
    expect(collected(run, 'hsm-emu-2')).toMatchObject({ status: 'unreadable', reason: 'timeout' });
    expect(collectRetries(run, 2)).toBe(2);
    // The listing that needs no login is what hung: no login ever reached it.
    expect(receivedLogins(r.cluster)[2]).toBe(0);
    expectUntouched(before, after);
    expect(run.report?.outcome).toBe('attention');
  });

  it('stops answering at its login: the login is sent once and never again in the run', async () => {
    const r = await rigWith({ faults: { 2: { tripOn: { op: 'login', action: 'hang' } } } });
    const before = viewOf(r.cluster);

    const run = await runOnce(r, { commandTimeoutMs: 1000 });

    const after = viewOf(r.cluster);
    expectNoLeftovers(run);
    expect(collected(run, 'hsm-emu-2')).toMatchObject({ status: 'unreadable', reason: 'timeout' });
    expect(collectRetries(run, 2)).toBe(0);
    expect(receivedLogins(r.cluster)).toEqual([1, 1, 1]);
    expectUntouched(before, after);
  });
});

describe('login rejected on one node', () => {
  it('is tried once, nothing is written anywhere, and the next run sends no login at all', async () => {
    const r = await rigWith({ faults: { 1: { rejectLogin: true } } });
    const before = viewOf(r.cluster);

    const first = await runOnce(r);
    const second = await runOnce(r);

    const after = viewOf(r.cluster);
    expect(collected(first, 'hsm-emu-1')).toMatchObject({ status: 'unreadable', reason: 'login-failed' });
    expect(first.result.visited).not.toContain('Sync');
    expect(alertCategories(first)).toContain('credentials');
    expect(r.cluster.loginStats(1)).toEqual({ received: 1, refused: 1 });
    expect(second.result.state?.collected?.map((n) => n.reason)).toEqual([
      'login-refused-by-guard',
      'login-refused-by-guard',
      'login-refused-by-guard',
    ]);
    expect(receivedLogins(r.cluster)).toEqual([1, 1, 1]);
    expectUntouched(before, after);
    expect(after.accounts.flat().every((a) => !a.locked && a.loginFailureCount <= 1)).toBe(true);
  });
});

describe('a sync that says success but is absent on read-back', () => {
  it('Verify reads every node back and reports the copies as unrecovered', async () => {
    const r = await rigWith({ faults: { 1: { lieOnInsert: true } } });
    const before = viewOf(r.cluster);

    const run = await runOnce(r);

    const after = viewOf(r.cluster);
    const onNode1 = (run.report?.results ?? []).filter((x) => x.action.targetNodeId === 'hsm-emu-1');
    expect(onNode1.map((x) => x.outcome)).toEqual(['synced', 'synced']);
    expect(after.objects[1]?.has('user#3')).toBe(false);
    expect(run.report?.verification?.ok).toBe(false);
    expect(
      run.report?.verification?.unrecovered.map((u) => `${u.objectId} missing on ${u.missingOn.join(',')}`),
    ).toEqual(['user:newest_user missing on hsm-emu-1', 'key:262150 missing on hsm-emu-1']);
    expect(run.report?.outcome).toBe('attention');
    expect(alertCategories(run)).toContain('unrecovered');
    expect(safetyViolations(before, after, run.report)).toEqual([]);
  });
});

describe('the emulator restarted between runs', () => {
  it('the second run finds the repairs kept and writes nothing', async () => {
    const r = await rigWith();
    const start = viewOf(r.cluster);

    const first = await runOnce(r);
    const repaired = viewOf(r.cluster);
    await r.restart();
    const afterRestart = viewOf(r.cluster);
    const second = await runOnce(r);

    const end = viewOf(r.cluster);
    expect(first.report?.results.map((x) => x.outcome)).toEqual(['synced', 'synced', 'synced']);
    expect(safetyViolations(start, repaired, first.report)).toEqual([]);
    expectUntouched(repaired, afterRestart);
    expect(second.result.visited).not.toContain('Sync');
    expect(second.report?.plan?.actions).toEqual([]);
    expect(second.report?.results).toEqual([]);
    expectUntouched(afterRestart, end);
    // Only the divergent key is left, for a human.
    expect(second.report?.before?.counts).toEqual({
      consistent: 10,
      missing: 0,
      'single-node': 0,
      divergent: 1,
    });
  });
});

describe('the leftover check itself', () => {
  it('sees a util config naming this cluster left in the work folder (planted during the run)', async () => {
    const r = await rigWith();
    const planted = join(DRIVER_WORK_DIR, `planted-${process.pid}`);

    const run = await runOnce(r, {
      prepare: (deps) => {
        mkdirSync(planted, { recursive: true });
        writeFileSync(
          join(planted, 'cloudhsm_mgmt_util.cfg'),
          JSON.stringify({ port: r.cluster.nodes[0]?.port }),
        );
        return deps;
      },
    });

    try {
      expect(run.workLeftovers).toEqual([join(planted, 'cloudhsm_mgmt_util.cfg')]);
    } finally {
      rmSync(planted, { recursive: true, force: true });
    }
  });
});

describe('the CLI stopped by a signal mid-run', () => {
  /** Processes whose command line names `text` (the util the CLI spawned names its config path). */
  function processesNaming(text: string): number[] {
    return readdirSync('/proc')
      .filter((p) => /^\d+$/.test(p))
      .filter((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8').includes(text);
        } catch {
          return false;
        }
      })
      .map(Number);
  }

  it.each(['SIGTERM', 'SIGINT'] as const)(
    '%s while a node hangs: no util left running, no util config, the run lock released',
    async (signal) => {
      const r = await rigWith({ faults: { 2: { tripOn: { op: 'findAllKeys', action: 'hang' } } } });
      const file = writeClusterFile(r, 'cli-signal');
      const child = spawn(process.execPath, [CLI, 'audit', '--cluster-file', file], {
        env: { ...process.env, HSM_CO_PASSWORD: r.password, HSM_CO_USER: 'admin' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
      });
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
        child.on('exit', (code, sig) => resolve({ code, signal: sig })),
      );
      const workDir = join(DRIVER_WORK_DIR, `pid-${child.pid}`);
      // Wait (with a deadline) until node 2's util session is under way: its config is on disk.
      const deadline = Date.now() + 20_000;
      while (processesNaming(workDir).length < 1 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      expect(processesNaming(workDir).length).toBeGreaterThan(0);

      child.kill(signal);
      const end = await exited;

      expect(end.code !== 0 || end.signal !== null).toBe(true);
      expect(stderr).not.toMatch(/\n\s+at /);
      expect(processesNaming(workDir)).toEqual([]);
      expect(existsSync(workDir)).toBe(false);
      const locks = join(r.dir, 'reports', 'state', 'locks');
      expect(existsSync(locks) ? readdirSync(locks) : []).toEqual([]);
    },
    60_000,
  );
});
