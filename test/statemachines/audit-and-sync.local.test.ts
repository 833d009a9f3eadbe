import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from '@jest/globals';
import type { ResolvedCluster } from '#core/model.ts';
import type { RunReport } from '#core/report.ts';
import type { WorkflowDeps } from '#workflow/deps.ts';
import {
  DEFAULT_DEFINITION_PATH,
  type LocalStateEvent,
  runStateMachineLocally,
} from '#workflow/local-asl-runner.ts';
import { parseCollectNodeInput, parseMarkUnreadableInput, parseRunState } from '#workflow/schemas.ts';
import { cluster, key, user } from '../support/core/builders.ts';
import { context, fakeDeps, TEST_PASSWORD } from '../support/workflow/fake-deps.ts';
import { FakeDriver, type FakeNode } from '../support/workflow/fake-driver.ts';

const admin = user(1, 'admin', 'PCO');
const newest = user(7, 'newest_user');

function seedDriver() {
  return new FakeDriver({
    'hsm-0': { users: [admin, newest], keys: [key(262150), key(262151, 3), key(8)] },
    'hsm-1': { users: [admin], keys: [key(262151, 4), key(8)] },
    'hsm-2': { users: [admin, newest], keys: [key(8)] },
  });
}

/** Every Task input the ASL produces must pass the schema its Lambda validates with. */
function checkWithLambdaSchemas(state: string, input: unknown): void {
  if (state === 'CollectNode') parseCollectNodeInput(input);
  else if (state === 'MarkUnreadable') parseMarkUnreadableInput(input);
  else parseRunState(input, state);
}

async function run(c: ResolvedCluster, deps: WorkflowDeps) {
  const events: LocalStateEvent[] = [];
  const result = await runStateMachineLocally({
    input: { context: context(c.clusterId) },
    deps,
    onState: (event) => events.push(event),
    checkTaskInput: checkWithLambdaSchemas,
  });
  return { result, events };
}

function fault(driver: FakeDriver, nodeId: string, kind: NonNullable<FakeNode['fault']>): void {
  (driver.nodes.get(nodeId) as FakeNode).fault = kind;
}

describe('statemachines/audit-and-sync.asl.json run by aws-local-stepfunctions', () => {
  it('executes the definition file itself (sha256 of the file = what ran)', async () => {
    const c = cluster(2);
    const driver = new FakeDriver({
      'hsm-0': { users: [admin], keys: [key(8)] },
      'hsm-1': { users: [admin], keys: [key(8)] },
    });
    const { deps } = fakeDeps(c, driver);

    const { result } = await run(c, deps);

    const fileHash = createHash('sha256').update(readFileSync(DEFAULT_DEFINITION_PATH)).digest('hex');
    expect(result.definitionPath).toBe(DEFAULT_DEFINITION_PATH);
    expect(result.definitionPath.endsWith('statemachines/audit-and-sync.asl.json')).toBe(true);
    expect(result.definitionSha256).toBe(fileHash);
  });

  it('on a clean cluster writes nothing and sends no alert', async () => {
    const c = cluster(2);
    const driver = new FakeDriver({
      'hsm-0': { users: [admin], keys: [key(8)] },
      'hsm-1': { users: [admin], keys: [key(8)] },
    });
    const { deps, sink } = fakeDeps(c, driver);

    const { result, events } = await run(c, deps);

    expect(result.status).toBe('succeeded');
    expect(result.visited).toEqual([
      'Resolve',
      'ClusterWide?',
      'CollectNodes',
      'Audit',
      'RecheckDue?',
      'WriteAllowed?',
      'Protect',
      'Alert',
      'Done',
    ]);
    expect(result.state?.alert).toMatchObject({ outcome: 'clean', alertSent: false });
    expect(driver.syncCalls).toEqual([]);
    expect(sink.alerts).toEqual([]);
    expect(
      events.filter((e) => e.kind === 'entered' && e.state === 'CollectNode').map((e) => e.index),
    ).toEqual([0, 1]);
  });

  it('repairs the seed scenarios, leaves the divergent key and names it in the one alert', async () => {
    const c = cluster(3);
    const driver = seedDriver();
    const { deps, sink, store } = fakeDeps(c, driver);

    const { result } = await run(c, deps);

    expect(result.status).toBe('succeeded');
    expect(result.visited).toEqual([
      'Resolve',
      'ClusterWide?',
      'CollectNodes',
      'Audit',
      'RecheckDue?',
      'WriteAllowed?',
      'Sync',
      'Verify',
      'Protect',
      'Alert',
      'Done',
    ]);
    expect(result.state?.sync).toMatchObject({ synced: 3, failed: 0 });
    expect(result.state?.verify).toMatchObject({ ok: true });
    expect(result.state?.alert).toMatchObject({ outcome: 'attention', alertSent: true });
    // newest_user was missing on node 1; key 262150 was on node 0 only.
    expect(driver.nodes.get('hsm-1')?.users.map((u) => u.username)).toContain('newest_user');
    expect(driver.nodes.get('hsm-1')?.keys.map((k) => k.handle)).toContain(262150);
    expect(driver.nodes.get('hsm-2')?.keys.map((k) => k.handle)).toContain(262150);
    // The divergent key is left as it is on both nodes and never copied to node 2.
    expect(driver.nodes.get('hsm-1')?.keys.find((k) => k.handle === 262151)?.owner).toBe(4);
    expect(driver.nodes.get('hsm-0')?.keys.find((k) => k.handle === 262151)?.owner).toBe(3);
    expect(driver.nodes.get('hsm-2')?.keys.some((k) => k.handle === 262151)).toBe(false);
    expect(sink.alerts).toHaveLength(1);
    expect(sink.alerts[0]?.items.map((i) => `${i.category}:${i.objectId}`)).toEqual([
      'repaired:user:newest_user',
      'repaired:key:262150',
      'divergent:key:262151',
    ]);
    const report = await store.getJson<RunReport>('runs/run-1/report.json');
    expect(report.after?.counts).toEqual({ consistent: 4, missing: 0, 'single-node': 0, divergent: 1 });
    expect([...store.documents.values()].join('\n')).not.toContain(TEST_PASSWORD);
  });

  it('retries an unreachable node, then marks it unreadable, syncs nothing and names it in the alert', async () => {
    const c = cluster(3);
    const driver = seedDriver();
    fault(driver, 'hsm-2', 'unreachable');
    const { deps, sink } = fakeDeps(c, driver);

    const { result, events } = await run(c, deps);

    expect(result.status).toBe('succeeded');
    const retries = events.filter((e) => e.kind === 'retried' && e.state === 'CollectNode' && e.index === 2);
    expect(retries.map((e) => e.attempt)).toEqual([1, 2]);
    expect(events.some((e) => e.kind === 'caught' && e.state === 'CollectNode' && e.index === 2)).toBe(true);
    expect(events.some((e) => e.kind === 'entered' && e.state === 'MarkUnreadable' && e.index === 2)).toBe(
      true,
    );
    expect(result.state?.collected?.find((n) => n.nodeId === 'hsm-2')).toMatchObject({
      status: 'unreadable',
      reason: 'unreachable',
    });
    expect(result.visited).not.toContain('Sync');
    expect(driver.syncCalls).toEqual([]);
    expect(
      sink.alerts[0]?.items.some((i) => i.category === 'node-unreadable' && i.nodeIds.includes('hsm-2')),
    ).toBe(true);
  });

  it('tries a refused login exactly once, writes nothing anywhere, and alerts', async () => {
    const c = cluster(3);
    const driver = seedDriver();
    fault(driver, 'hsm-1', 'reject-login');
    const { deps, sink } = fakeDeps(c, driver);

    const { result, events } = await run(c, deps);

    expect(result.status).toBe('succeeded');
    expect(driver.loginAttempts.get('hsm-1')).toBe(1);
    expect(events.some((e) => e.kind === 'retried')).toBe(false);
    expect(driver.syncCalls).toEqual([]);
    expect(result.state?.collected?.find((n) => n.nodeId === 'hsm-1')).toMatchObject({
      reason: 'login-failed',
    });
    expect(sink.alerts).toHaveLength(1);
    expect(sink.alerts[0]?.severity).toBe('critical');
  });

  it('never logs in again where a login was refused, even when the policy lets writes go ahead with a node unread', async () => {
    const c = cluster(3);
    const driver = seedDriver();
    fault(driver, 'hsm-2', 'reject-login');
    const { deps } = fakeDeps(c, driver);

    const result = await runStateMachineLocally({
      input: { context: context(c.clusterId, { requireAllNodesLoggedIn: false }) },
      deps,
    });

    expect(driver.loginAttempts.get('hsm-2')).toBe(1);
    expect(driver.syncCalls).toEqual([]);
    expect(result.state?.audit?.writesBlocked).toContain('hsm-2');
  });

  it('writes nothing when the node set changed between Resolve and Sync, alerts, and ends failed', async () => {
    const c = cluster(3);
    const driver = seedDriver();
    const { deps, provider, sink } = fakeDeps(c, driver);
    provider.clusters = [c, cluster(4)];

    const { result } = await run(c, deps);

    expect(result.status).toBe('failed');
    expect(result.error?.name).toBe('MembershipChangedError');
    expect(result.visited.slice(-4)).toEqual(['Sync', 'SyncFailed', 'FailureAlert', 'RunFailed']);
    expect(result.state?.failure).toMatchObject({ step: 'Sync', errorName: 'MembershipChangedError' });
    expect(result.state?.failure?.message).toContain('changed since Resolve');
    expect(driver.syncCalls).toEqual([]);
    expect(sink.alerts).toHaveLength(1);
    expect(sink.alerts[0]?.items[0]?.category).toBe('run-failed');
  });

  it('ends failed, not green, when the alert cannot be published', async () => {
    const c = cluster(3);
    const { deps, sink } = fakeDeps(c, seedDriver());
    sink.fail = true;

    const { result } = await run(c, deps);

    expect(result.status).toBe('failed');
    expect(result.error?.name).toBe('AlertDeliveryError');
    expect(result.visited.slice(-4)).toEqual(['Alert', 'AlertFailed', 'FailureAlert', 'RunFailed']);
    expect(result.state?.failure).toMatchObject({ step: 'Alert', errorName: 'AlertDeliveryError' });
  });

  it('in a dry run plans but takes the no-write branch', async () => {
    const c = cluster(3);
    const driver = seedDriver();
    const { deps } = fakeDeps(c, driver);

    const result = await runStateMachineLocally({
      input: { context: context(c.clusterId, { dryRun: true }) },
      deps,
    });

    expect(result.status).toBe('succeeded');
    expect(result.state?.audit).toMatchObject({ actionCount: 3, writeAllowed: false, dryRun: true });
    expect(result.visited).not.toContain('Sync');
    expect(driver.syncCalls).toEqual([]);
  });

  it('waits out a cluster that is not stable (Resolve retried), then runs', async () => {
    const c = cluster(2);
    const driver = new FakeDriver({
      'hsm-0': { users: [admin], keys: [key(8)] },
      'hsm-1': { users: [admin], keys: [key(8)] },
    });
    let calls = 0;
    const { deps } = fakeDeps(c, driver, {
      provider: {
        async resolve() {
          calls += 1;
          if (calls < 3)
            throw Object.assign(new Error('hsm-2 is CREATE_IN_PROGRESS'), { name: 'ClusterNotStableError' });
          return c;
        },
      },
    });

    const { result, events } = await run(c, deps);

    expect(result.status).toBe('succeeded');
    expect(events.filter((e) => e.kind === 'retried' && e.state === 'Resolve')).toHaveLength(2);
  });
});
