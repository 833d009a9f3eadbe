/**
 * The node set changes between Resolve and Sync (an HSM added by a CreateHsm, one removed by a
 * DeleteHsm, while the run is collecting): server numbers would no longer mean the same HSMs,
 * so Sync writes nothing (MembershipChangedError), the run fails loudly, and no node changed.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import type { ClusterNode } from '#core/model.ts';
import type { ClusterSeed } from '#emulator/cluster-seed.ts';
import { seedScenarios } from '#emulator/seed-scenarios.ts';
import { receivedLogins, viewOf } from '../support/faults/invariants.ts';
import { type Rig, runOnce, startRig } from '../support/faults/rig.ts';

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

/** The demo seed on 4 nodes: the 4th holds what node 2 holds. */
function fourNodes(password: Parameters<typeof seedScenarios>[0]['adminPassword']): ClusterSeed {
  const demo = seedScenarios({ adminPassword: password }).demo;
  return { ...demo, name: 'demo-4', nodes: [...demo.nodes, demo.nodes[2] as ClusterSeed['nodes'][number]] };
}

/** The control plane's answer: `first` at Resolve, `later` from the next resolve on. */
function changingView(first: () => readonly ClusterNode[], later: () => readonly ClusterNode[]) {
  let calls = 0;
  return () => {
    calls += 1;
    return calls === 1 ? first() : later();
  };
}

/** One run whose control plane answers `first` at Resolve and `later` at Sync; what the nodes held before. */
async function changedBetweenResolveAndSync(
  r: Rig,
  first: () => readonly ClusterNode[],
  later: () => readonly ClusterNode[],
) {
  const before = viewOf(r.cluster);
  const run = await runOnce(r, { nodes: changingView(first, later) });
  expect(run.result.error?.name).toBe('MembershipChangedError');
  expect(run.report?.results).toEqual([]);
  expect(viewOf(r.cluster).objects).toEqual(before.objects);
  return run;
}

describe('membership changed between Resolve and Sync', () => {
  it('a node added: MembershipChangedError, nothing written, a failure alert', async () => {
    rig = await startRig({ seed: fourNodes, nodeCount: 4 });
    const r = rig;

    const run = await changedBetweenResolveAndSync(
      r,
      () => r.cluster.nodes.slice(0, 3),
      () => r.cluster.nodes,
    );

    expect(run.result.status).toBe('failed');
    expect(run.result.visited.slice(-4)).toEqual(['Sync', 'SyncFailed', 'FailureAlert', 'RunFailed']);
    expect(run.report?.failure?.message).toMatch(/changed since Resolve.*nothing written/);
    // Sync never started a util: the only logins are Collect's, one per node it knew of.
    expect(receivedLogins(r.cluster)).toEqual([1, 1, 1, 0]);
    expect(run.alerts.flatMap((a) => a.items.map((i) => i.category))).toContain('run-failed');
  });

  it('a node removed: MembershipChangedError, nothing written', async () => {
    rig = await startRig();
    const r = rig;

    await changedBetweenResolveAndSync(
      r,
      () => r.cluster.nodes,
      () => r.cluster.nodes.slice(0, 2),
    );

    expect(receivedLogins(r.cluster)).toEqual([1, 1, 1]);
  });

  it('a node replaced by another at the same position: MembershipChangedError, nothing written', async () => {
    rig = await startRig({ seed: fourNodes, nodeCount: 4 });
    const r = rig;

    const run = await changedBetweenResolveAndSync(
      r,
      () => r.cluster.nodes.slice(0, 3),
      () => [r.cluster.nodes[0], r.cluster.nodes[1], r.cluster.nodes[3]] as ClusterNode[],
    );

    expect(run.report?.failure?.errorName).toBe('MembershipChangedError');
  });
});
