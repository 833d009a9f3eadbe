/**
 * The run lock of local runs (`audit`, `sync`, local `run`, `demo`): one lock file per cluster
 * in a folder the runs of that cluster share (their report folder), with the deployed lock's
 * rules: a lease (6 hours by default) after which it is free, and a takeover when its holder
 * is no longer running (here: the holder's process is gone). The file is created with
 * O_EXCL, so two runs starting at once cannot both hold it.
 */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import type { RunLock, RunLockAcquisition } from './run-lock.ts';
import { DEFAULT_RUN_LOCK_LEASE_HOURS } from './run-lock.ts';

interface LockFile {
  clusterId: string;
  runId: string;
  acquiredAt: string;
  expiresAt: string;
  pid: number;
  host: string;
}

export interface FileRunLockOptions {
  leaseHours?: number;
  /** Whether a process is alive (tests replace it); default: `process.kill(pid, 0)` on this host. */
  isAlive?: (pid: number, host: string) => boolean;
}

export class FileRunLock implements RunLock {
  readonly #dir: string;
  readonly #leaseMs: number;
  readonly #isAlive: (pid: number, host: string) => boolean;

  constructor(dir: string, options: FileRunLockOptions = {}) {
    this.#dir = dir;
    this.#leaseMs = (options.leaseHours ?? DEFAULT_RUN_LOCK_LEASE_HOURS) * 3_600_000;
    this.#isAlive = options.isAlive ?? processAlive;
  }

  /** Takes the lock, or takes it over from an expired holder or one whose process is gone. */
  async acquire(clusterId: string, runId: string, now: Date): Promise<RunLockAcquisition> {
    await mkdir(this.#dir, { recursive: true, mode: 0o700 });
    const path = this.#path(clusterId);
    if (await this.#create(path, this.#lockFile(clusterId, runId, now))) return { acquired: true };
    const held = await this.#read(path);
    if (held === null) {
      // Unreadable or half-written: it was never a valid holder.
      await rm(path, { force: true });
      return this.#acquireFresh(path, clusterId, runId, now);
    }
    if (held.runId === runId) return { acquired: false, heldBy: runId, acquiredAt: held.acquiredAt };
    const expired = Date.parse(held.expiresAt) <= now.getTime();
    if (expired || !this.#isAlive(held.pid, held.host))
      return this.takeOver(clusterId, held.runId, runId, now);
    return { acquired: false, heldBy: held.runId, acquiredAt: held.acquiredAt };
  }

  async takeOver(
    clusterId: string,
    staleRunId: string,
    runId: string,
    now: Date,
  ): Promise<RunLockAcquisition> {
    const path = this.#path(clusterId);
    const held = await this.#read(path);
    if (held !== null && held.runId !== staleRunId) {
      return { acquired: false, heldBy: held.runId, acquiredAt: held.acquiredAt };
    }
    // Move the stale file aside, then create ours with O_EXCL: of two runs taking over at once,
    // one rename succeeds, and only one create does.
    const aside = `${path}.${process.pid}.stale`;
    await rename(path, aside).catch(() => {});
    await rm(aside, { force: true });
    return this.#acquireFresh(path, clusterId, runId, now);
  }

  async release(clusterId: string, runId: string): Promise<void> {
    const path = this.#path(clusterId);
    const held = await this.#read(path);
    if (held?.runId === runId) await rm(path, { force: true });
  }

  async #acquireFresh(
    path: string,
    clusterId: string,
    runId: string,
    now: Date,
  ): Promise<RunLockAcquisition> {
    return (await this.#create(path, this.#lockFile(clusterId, runId, now)))
      ? { acquired: true }
      : this.#heldBy(path);
  }

  #lockFile(clusterId: string, runId: string, now: Date): LockFile {
    return {
      clusterId,
      runId,
      acquiredAt: now.toISOString(),
      expiresAt: new Date(now.getTime() + this.#leaseMs).toISOString(),
      pid: process.pid,
      host: hostname(),
    };
  }

  async #heldBy(path: string): Promise<RunLockAcquisition> {
    const held = await this.#read(path);
    return {
      acquired: false,
      heldBy: held?.runId ?? '(unknown)',
      ...(held ? { acquiredAt: held.acquiredAt } : {}),
    };
  }

  /** O_EXCL create; false when the file exists. */
  async #create(path: string, lock: LockFile): Promise<boolean> {
    try {
      const handle = await open(path, 'wx', 0o600);
      try {
        await handle.writeFile(`${JSON.stringify(lock)}\n`);
      } finally {
        await handle.close();
      }
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw error;
    }
  }

  async #read(path: string): Promise<LockFile | null> {
    try {
      const lock = JSON.parse(await readFile(path, 'utf8')) as Partial<LockFile>;
      return typeof lock.runId === 'string' &&
        typeof lock.expiresAt === 'string' &&
        typeof lock.pid === 'number'
        ? (lock as LockFile)
        : null;
    } catch {
      // Missing, or unreadable (a torn write): no holder either way; acquire replaces the file.
      return null;
    }
  }

  #path(clusterId: string): string {
    return lockFileOf(this.#dir, clusterId);
  }
}

function processAlive(pid: number, host: string): boolean {
  if (host !== hostname()) return true; // Another machine's run: only the lease can free it.
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The lock file of a cluster in `dir` (a hash of the id: cluster ids may hold `/`). */
export function lockFileOf(dir: string, clusterId: string): string {
  const name = createHash('sha256').update(clusterId).digest('hex').slice(0, 32);
  return join(dir, `lock-${name}.json`);
}
