import { describe, expect, it } from '@jest/globals';
import { ERROR_NAMES } from '#core/errors.ts';
import type { CollectedNode, RunState } from '#workflow/contracts.ts';
import { makeHandler as makeAudit } from '../../../functions/aws/audit.ts';
import { makeHandler as makeCollectNode } from '../../../functions/aws/collect-node.ts';
import { makeHandler as makeMarkUnreadable } from '../../../functions/aws/mark-unreadable.ts';
import { makeHandler as makeProtect } from '../../../functions/aws/protect.ts';
import { makeHandler as makeResolve } from '../../../functions/aws/resolve.ts';
import { makeHandler as makeSync } from '../../../functions/aws/sync.ts';
import { makeHandler as makeVerify } from '../../../functions/aws/verify.ts';
import { lambdaContext, quietObservability } from '../../support/aws/lambda-test-kit.ts';
import { cluster, key, user } from '../../support/core/builders.ts';
import { context, fakeDeps } from '../../support/workflow/fake-deps.ts';
import { FakeDriver, type FakeNode } from '../../support/workflow/fake-driver.ts';

const admin = user(1, 'admin', 'PCO');

function setup() {
  const c = cluster(3);
  const driver = new FakeDriver({
    'hsm-0': { users: [admin, user(7, 'newest_user')], keys: [key(262150), key(8)] },
    'hsm-1': { users: [admin], keys: [key(8)] },
    'hsm-2': { users: [admin, user(7, 'newest_user')], keys: [key(8)] },
  });
  const fake = fakeDeps(c, driver);
  const obs = quietObservability();
  const handlers = {
    resolve: makeResolve(fake.deps, obs),
    collectNode: makeCollectNode(fake.deps, obs),
    markUnreadable: makeMarkUnreadable(fake.deps, obs),
    audit: makeAudit(fake.deps, obs),
    sync: makeSync(fake.deps, obs),
    verify: makeVerify(fake.deps, obs),
    protect: makeProtect(fake.deps, obs),
  };
  return { c, driver, ...fake, handlers };
}

/** The rejection of a handler, as the Lambda runtime would report it (errorType = error.name). */
async function failureOf(promise: Promise<unknown>): Promise<{ errorType: string; errorMessage: string }> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(Error);
    const e = error as Error;
    return { errorType: e.name, errorMessage: e.message };
  }
  throw new Error('expected the handler to fail');
}

describe('functions/aws step handlers', () => {
  it('run the loop in the order the ASL does, passing only references and counts', async () => {
    const { c, driver, handlers } = setup();
    const ctx = lambdaContext();
    const state: RunState = { context: context(c.clusterId) };

    state.cluster = await handlers.resolve(state, ctx);
    state.collected = (await Promise.all(
      c.nodes.map((n) =>
        handlers.collectNode({ context: state.context, cluster: state.cluster, nodeId: n.nodeId }, ctx),
      ),
    )) as CollectedNode[];
    state.audit = await handlers.audit(state, ctx);
    state.sync = await handlers.sync(state, ctx);
    state.verify = await handlers.verify(state, ctx);
    state.backup = await handlers.protect(state, ctx);

    expect(state.cluster.nodes.map((n) => n.nodeId)).toEqual(['hsm-0', 'hsm-1', 'hsm-2']);
    expect(state.collected.map((n) => [n.nodeId, n.status, n.keys])).toEqual([
      ['hsm-0', 'read', 2],
      ['hsm-1', 'read', 1],
      ['hsm-2', 'read', 1],
    ]);
    expect(state.audit).toMatchObject({ actionCount: 3, writeAllowed: true });
    expect(state.sync).toMatchObject({ synced: 3, failed: 0 });
    expect(state.verify).toMatchObject({ ok: true, unrecovered: 0 });
    expect(state.backup).toMatchObject({ state: 'covered', backupId: 'backup-1' });
    expect(driver.nodes.get('hsm-1')?.users.map((u) => u.username)).toContain('newest_user');
    expect(JSON.stringify(state).length).toBeLessThan(8_000);
  });

  it('reject an invalid input with InvalidInputError naming the field', async () => {
    const { c, handlers } = setup();
    const ctx = lambdaContext();
    const good = { context: context(c.clusterId) };

    const noCluster = await failureOf(handlers.resolve({ context: { ...good.context, clusterId: '' } }, ctx));
    expect(noCluster.errorType).toBe(ERROR_NAMES.invalidInput);
    expect(noCluster.errorMessage).toMatch(/^Resolve input: context\.clusterId: /);

    const badPolicy = await failureOf(
      handlers.audit(
        { context: { ...good.context, policy: { ...good.context.policy, dryRun: 'yes' } } },
        ctx,
      ),
    );
    expect(badPolicy.errorMessage).toMatch(/^Audit input: context\.policy\.dryRun: /);

    const noNode = await failureOf(handlers.collectNode({ context: good.context, cluster: c }, ctx));
    expect(noNode).toMatchObject({ errorType: ERROR_NAMES.invalidInput });
    expect(noNode.errorMessage).toMatch(/^CollectNode input: nodeId: /);

    const notAnObject = await failureOf(handlers.sync('hello', ctx));
    expect(notAnObject.errorMessage).toMatch(/^Sync input: \(the whole input\): /);

    const noError = await failureOf(handlers.markUnreadable({ context: good.context, nodeId: 'hsm-1' }, ctx));
    expect(noError.errorMessage).toMatch(/^MarkUnreadable input: error: /);
  });

  it('surface step errors with the names the ASL Retry/Catch match', async () => {
    const { c, driver, provider, handlers } = setup();
    const ctx = lambdaContext();
    (driver.nodes.get('hsm-2') as FakeNode).fault = 'unreachable';
    const state: RunState = { context: context(c.clusterId), cluster: c };

    const unreachable = await failureOf(
      handlers.collectNode({ context: state.context, cluster: c, nodeId: 'hsm-2' }, ctx),
    );
    expect(unreachable.errorType).toBe(ERROR_NAMES.transport);

    provider.clusters = [cluster(4)];
    state.collected = (await Promise.all(
      ['hsm-0', 'hsm-1'].map((nodeId) =>
        handlers.collectNode({ context: state.context, cluster: c, nodeId }, ctx),
      ),
    )) as CollectedNode[];
    delete (driver.nodes.get('hsm-2') as FakeNode).fault;
    state.collected.push(
      (await handlers.collectNode(
        { context: state.context, cluster: c, nodeId: 'hsm-2' },
        ctx,
      )) as CollectedNode,
    );
    state.audit = await handlers.audit(state, ctx);
    const changed = await failureOf(handlers.sync(state, ctx));
    expect(changed.errorType).toBe(ERROR_NAMES.membershipChanged);
    expect(driver.syncCalls).toEqual([]);
  });

  it('MarkUnreadable records the node unknown with the reason of the caught error', async () => {
    const { c, handlers, store } = setup();
    const cause = JSON.stringify({
      errorType: 'CommandTimeoutError',
      errorMessage: 'hsm-1: listUsers timed out',
    });

    const out = await handlers.markUnreadable(
      {
        context: context(c.clusterId),
        nodeId: 'hsm-1',
        error: { Error: 'CommandTimeoutError', Cause: cause },
      },
      lambdaContext(),
    );

    expect(out).toMatchObject({ nodeId: 'hsm-1', status: 'unreadable', reason: 'timeout', keys: 0 });
    const inventory = await store.getJson<{ detail: string }>(out.inventoryRef);
    expect(inventory.detail).toBe('CommandTimeoutError: hsm-1: listUsers timed out');
  });
});
