import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { FileRunLock, lockFileOf } from '#store/file-run-lock.ts';

const NOW = new Date('2026-12-01T12:00:00.000Z');
const CLUSTER =
  '/subscriptions/x/resourceGroups/rg/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/c1';

describe('FileRunLock (local runs: one per cluster at a time)', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'run-lock-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('lets one of two runs of a cluster hold it, and the other after the release', async () => {
    const lock = new FileRunLock(dir);

    const [first, second] = await Promise.all([
      lock.acquire(CLUSTER, 'run-a', NOW),
      lock.acquire(CLUSTER, 'run-b', NOW),
    ]);

    expect([first.acquired, second.acquired].filter(Boolean)).toHaveLength(1);
    const winner = first.acquired ? 'run-a' : 'run-b';
    const loser = first.acquired ? second : first;
    expect(loser).toMatchObject({ acquired: false, heldBy: winner });
    await lock.release(CLUSTER, 'run-c'); // not the holder: left alone
    expect((await lock.acquire(CLUSTER, 'run-d', NOW)).acquired).toBe(false);
    await lock.release(CLUSTER, winner);
    expect((await lock.acquire(CLUSTER, 'run-d', NOW)).acquired).toBe(true);
  });

  it('keeps clusters apart', async () => {
    const lock = new FileRunLock(dir);

    expect((await lock.acquire('cluster-a', 'r1', NOW)).acquired).toBe(true);
    expect((await lock.acquire('cluster-b', 'r2', NOW)).acquired).toBe(true);
  });

  it('takes over a lock whose holder died, and one whose lease ended', async () => {
    const dead = new FileRunLock(dir, { isAlive: () => false });
    const alive = new FileRunLock(dir, { isAlive: () => true, leaseHours: 6 });
    await alive.acquire(CLUSTER, 'died', NOW);

    expect(await dead.acquire(CLUSTER, 'next', NOW)).toEqual({ acquired: true });
    const later = new Date(NOW.getTime() + 7 * 3_600_000);
    expect(await alive.acquire(CLUSTER, 'after-lease', later)).toEqual({ acquired: true });
  });

  it('replaces an unreadable lock file, and leaves no file behind after the release', async () => {
    const lock = new FileRunLock(dir);
    await writeFile(lockFileOf(dir, CLUSTER), 'not json');

    expect(await lock.acquire(CLUSTER, 'r1', NOW)).toEqual({ acquired: true });
    await lock.release(CLUSTER, 'r1');
    expect(await readdir(dir)).toEqual([]);
  });
});
