import { describe, expect, it } from '@jest/globals';
import type { RunReport } from '#core/report.ts';
import { runPipeline } from '#workflow/run-pipeline.ts';
import { cluster, key, user } from '../support/builders.ts';
import { context, fakeDeps, TEST_PASSWORD } from '../support/fake-deps.ts';
import { FakeDriver } from '../support/fake-driver.ts';

const noSleep = async () => {};
const admin = user(1, 'admin', 'PCO');
const newest = user(7, 'newest_user');

function seedDriver() {
  return new FakeDriver({
    'hsm-0': { users: [admin, newest], keys: [key(262150), key(262151, 3), key(8)] },
    'hsm-1': { users: [admin], keys: [key(262151, 4), key(8)] },
    'hsm-2': { users: [admin, newest], keys: [key(8)] },
  });
}

describe('runPipeline', () => {
  it('repairs the seed scenarios, leaves the divergent key, verifies, and alerts once', async () => {
    const c = cluster(3);
    const driver = seedDriver();
    const { deps, sink, store } = fakeDeps(c, driver);

    const state = await runPipeline(context(c.clusterId), deps, { sleep: noSleep });

    expect(state.failure).toBeUndefined();
    expect(state.sync).toMatchObject({ synced: 3, failed: 0 });
    expect(state.verify).toMatchObject({ ok: true });
    expect(state.alert?.outcome).toBe('attention');
    expect(driver.nodes.get('hsm-1')?.users.map((u) => u.username)).toContain('newest_user');
    expect(driver.nodes.get('hsm-2')?.keys.map((k) => k.handle)).toContain(262150);
    expect(driver.nodes.get('hsm-1')?.keys.find((k) => k.handle === 262151)?.owner).toBe(4);
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

  it('writes nothing and sends no alert on a clean cluster', async () => {
    const c = cluster(2);
    const driver = new FakeDriver({
      'hsm-0': { users: [admin], keys: [key(8)] },
      'hsm-1': { users: [admin], keys: [key(8)] },
    });
    const { deps, sink } = fakeDeps(c, driver);

    const state = await runPipeline(context(c.clusterId), deps, { sleep: noSleep });

    expect(state.alert).toMatchObject({ outcome: 'clean', alertSent: false });
    expect(driver.syncCalls).toEqual([]);
    expect(sink.alerts).toEqual([]);
  });

  it('retries an unreachable node, then marks it unknown and writes nothing anywhere', async () => {
    const c = cluster(3);
    const driver = seedDriver();
    (driver.nodes.get('hsm-2') as { fault?: string }).fault = 'unreachable';
    const { deps, sink } = fakeDeps(c, driver);

    const state = await runPipeline(context(c.clusterId), deps, { sleep: noSleep });

    expect(state.collected?.find((n) => n.nodeId === 'hsm-2')).toMatchObject({
      status: 'unreadable',
      reason: 'unreachable',
    });
    expect(driver.syncCalls).toEqual([]);
    expect(
      sink.alerts[0]?.items.some((i) => i.category === 'node-unreadable' && i.nodeIds.includes('hsm-2')),
    ).toBe(true);
  });

  it('tries a refused login exactly once and writes nothing', async () => {
    const c = cluster(3);
    const driver = seedDriver();
    (driver.nodes.get('hsm-1') as { fault?: string }).fault = 'reject-login';
    const { deps, sink } = fakeDeps(c, driver);

    await runPipeline(context(c.clusterId), deps, { sleep: noSleep });

    expect(driver.loginAttempts.get('hsm-1')).toBe(1);
    expect(driver.syncCalls).toEqual([]);
    expect(sink.alerts[0]?.severity).toBe('critical');
  });

  it('writes nothing when the node set changed between Resolve and Sync', async () => {
    const c = cluster(3);
    const driver = seedDriver();
    const { deps, provider, sink } = fakeDeps(c, driver);
    provider.clusters = [c, cluster(4)];

    const state = await runPipeline(context(c.clusterId), deps, { sleep: noSleep });

    expect(state.failure).toMatchObject({ step: 'Sync', errorName: 'MembershipChangedError' });
    expect(driver.syncCalls).toEqual([]);
    expect(sink.alerts[0]?.items[0]?.category).toBe('run-failed');
  });

  it('fails the run when the alert cannot be published', async () => {
    const c = cluster(3);
    const { deps, sink } = fakeDeps(c, seedDriver());
    sink.fail = true;

    await expect(runPipeline(context(c.clusterId), deps, { sleep: noSleep })).rejects.toThrow(
      'SNS unavailable',
    );
  });

  it('in a dry run plans but writes nothing', async () => {
    const c = cluster(3);
    const driver = seedDriver();
    const { deps } = fakeDeps(c, driver);

    const state = await runPipeline(context(c.clusterId, { dryRun: true }), deps, { sleep: noSleep });

    expect(state.audit).toMatchObject({ actionCount: 3, writeAllowed: false, dryRun: true });
    expect(driver.syncCalls).toEqual([]);
  });
});
