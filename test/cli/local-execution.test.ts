import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { executeLocally } from '#cli/local-execution.ts';
import { SILENT_PROGRESS } from '#cli/progress.ts';
import { ERROR_NAMES } from '#core/errors.ts';
import { FileRunLock } from '#store/file-run-lock.ts';
import { cluster, key, user } from '../support/core/builders.ts';
import { context, fakeDeps } from '../support/workflow/fake-deps.ts';
import { FakeDriver } from '../support/workflow/fake-driver.ts';

const admin = user(1, 'admin', 'PCO');

describe('executeLocally and the local run lock', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'local-exec-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  function setup() {
    const c = cluster(2);
    const driver = new FakeDriver({
      'hsm-0': { users: [admin], keys: [key(262150)] },
      'hsm-1': { users: [admin], keys: [] },
    });
    const lock = new FileRunLock(dir);
    const { deps } = fakeDeps(c, driver, { runLock: lock });
    return { c, driver, lock, deps };
  }

  it('starts nothing while another run of the cluster holds the lock (before: both wrote)', async () => {
    const { c, driver, lock, deps } = setup();
    await lock.acquire(c.clusterId, 'the-other-run', new Date());

    const started = executeLocally(context(c.clusterId), deps, SILENT_PROGRESS);

    await expect(started).rejects.toMatchObject({
      name: ERROR_NAMES.runLocked,
      message: expect.stringContaining('the-other-run'),
    });
    expect(driver.loginAttempts.size).toBe(0);
    expect(driver.syncCalls).toEqual([]);
  });

  it('takes the lock for the run and leaves it free afterwards', async () => {
    const { c, driver, deps } = setup();

    const { result } = await executeLocally(context(c.clusterId), deps, SILENT_PROGRESS);

    expect(result.status).toBe('succeeded');
    expect(driver.syncCalls).toHaveLength(1);
    expect(await readdir(dir)).toEqual([]);
  });
});
