import { describe, expect, it } from '@jest/globals';
import { ERROR_NAMES } from '#core/errors.ts';
import { Secret } from '#core/secret.ts';
import { collectNodeStep, markUnreadableStep } from '#workflow/steps/collect-node.ts';
import { cluster, key, user } from '../support/core/builders.ts';
import { context, fakeDeps } from '../support/workflow/fake-deps.ts';
import { FakeDriver } from '../support/workflow/fake-driver.ts';

const admin = user(1, 'admin', 'PCO');

describe('collectNodeStep', () => {
  it('stores what it read and passes only a reference and counts', async () => {
    const c = cluster(2);
    const { deps, store } = fakeDeps(
      c,
      new FakeDriver({ 'hsm-0': { users: [admin], keys: [key(8)] }, 'hsm-1': { users: [], keys: [] } }),
    );

    const out = await collectNodeStep({ context: context(c.clusterId), cluster: c, nodeId: 'hsm-0' }, deps);

    expect(out).toEqual({
      nodeId: 'hsm-0',
      status: 'read',
      reason: null,
      inventoryRef: 'runs/run-1/before/inventory-hsm-0.json',
      users: 1,
      keys: 1,
    });
    expect(store.documents.has(out.inventoryRef)).toBe(true);
  });

  it('records a refused login at once (never thrown, so never retried)', async () => {
    const c = cluster(2);
    const driver = new FakeDriver({
      'hsm-0': { users: [admin], keys: [], fault: 'reject-login' },
      'hsm-1': { users: [], keys: [] },
    });
    const { deps } = fakeDeps(c, driver);

    const out = await collectNodeStep({ context: context(c.clusterId), cluster: c, nodeId: 'hsm-0' }, deps);

    expect(out).toMatchObject({ status: 'unreadable', reason: 'login-failed' });
    expect(driver.loginAttempts.get('hsm-0')).toBe(1);
  });

  it('throws a retryable TransportError for an unreachable node', async () => {
    const c = cluster(2);
    const { deps } = fakeDeps(
      c,
      new FakeDriver({
        'hsm-0': { users: [], keys: [], fault: 'unreachable' },
        'hsm-1': { users: [], keys: [] },
      }),
    );

    await expect(
      collectNodeStep({ context: context(c.clusterId), cluster: c, nodeId: 'hsm-0' }, deps),
    ).rejects.toMatchObject({
      name: ERROR_NAMES.transport,
    });
  });

  it('retries (throws) a timeout before any login, never one after it: the late login still counts', async () => {
    // Before: every timeout was thrown and retried, and each retry sent the login again: three
    // logins to a hanging node per run, three failures with a wrong password.
    const c = cluster(2);
    const driver = new FakeDriver({
      'hsm-0': { users: [admin], keys: [], fault: 'timeout' },
      'hsm-1': { users: [admin], keys: [], fault: 'timeout-before-login' },
    });
    const { deps } = fakeDeps(c, driver);

    const after = await collectNodeStep({ context: context(c.clusterId), cluster: c, nodeId: 'hsm-0' }, deps);
    const before = collectNodeStep({ context: context(c.clusterId), cluster: c, nodeId: 'hsm-1' }, deps);

    expect(after).toMatchObject({ status: 'unreadable', reason: 'timeout' });
    expect(driver.loginAttempts.get('hsm-0')).toBe(1);
    await expect(before).rejects.toMatchObject({ name: ERROR_NAMES.commandTimeout });
  });

  it('remembers a refused password by its secret version: no later run sends it, a new version may', async () => {
    // Before: nothing was remembered between runs; the fifth scheduled run locked admin everywhere.
    const c = cluster(2);
    const driver = new FakeDriver({
      'hsm-0': { users: [admin], keys: [], fault: 'reject-login' },
      'hsm-1': { users: [admin], keys: [] },
    });
    let version = 'v1';
    const { deps } = fakeDeps(c, driver, {
      credentials: {
        get: async () => ({ username: 'admin', password: new Secret('Wrong-9911'), role: 'CO', version }),
      },
    });
    const input = (nodeId: string) => ({ context: context(c.clusterId), cluster: c, nodeId });

    await collectNodeStep(input('hsm-0'), deps);
    const sameVersionOtherNode = await collectNodeStep(input('hsm-1'), deps);
    const sameVersionLaterRun = await collectNodeStep(input('hsm-0'), deps);

    expect(driver.loginAttempts.get('hsm-0')).toBe(1);
    expect(driver.loginAttempts.get('hsm-1')).toBeUndefined();
    expect(sameVersionOtherNode).toMatchObject({ status: 'unreadable', reason: 'login-refused-by-guard' });
    expect(sameVersionLaterRun).toMatchObject({ reason: 'login-refused-by-guard' });
    version = 'v2';
    await collectNodeStep(input('hsm-1'), deps);
    expect(driver.loginAttempts.get('hsm-1')).toBe(1);
  });

  it('fails with a non-retryable ArtifactStoreError when what it read cannot be stored', async () => {
    const c = cluster(2);
    const driver = new FakeDriver({
      'hsm-0': { users: [admin], keys: [], fault: 'reject-login' },
      'hsm-1': { users: [], keys: [] },
    });
    const { deps, store } = fakeDeps(c, driver);
    store.putJson = async () => {
      throw Object.assign(new Error('S3 is having a bad day'), { name: ERROR_NAMES.transport });
    };

    await expect(
      collectNodeStep({ context: context(c.clusterId), cluster: c, nodeId: 'hsm-0' }, deps),
    ).rejects.toMatchObject({
      name: ERROR_NAMES.artifactStore,
    });
    expect(driver.loginAttempts.get('hsm-0')).toBe(1);
  });

  it('refuses a node that is not in the cluster', async () => {
    const c = cluster(2);
    const { deps } = fakeDeps(c, new FakeDriver({}));

    await expect(
      collectNodeStep({ context: context(c.clusterId), cluster: c, nodeId: 'hsm-9' }, deps),
    ).rejects.toThrow("node 'hsm-9' is not in cluster cluster-test");
  });
});

describe('markUnreadableStep', () => {
  it('keeps the node unknown with the error and its readable cause', async () => {
    const c = cluster(2);
    const { deps, store } = fakeDeps(c, new FakeDriver({}));

    const out = await markUnreadableStep(
      {
        context: context(c.clusterId),
        nodeId: 'hsm-1',
        error: {
          Error: 'CommandTimeoutError',
          Cause: JSON.stringify({ errorMessage: 'listUsers timed out after 30000 ms' }),
        },
      },
      deps,
    );

    expect(out).toMatchObject({ status: 'unreadable', reason: 'timeout' });
    expect(await store.getJson(out.inventoryRef)).toMatchObject({
      detail: 'CommandTimeoutError: listUsers timed out after 30000 ms',
    });
  });
});
