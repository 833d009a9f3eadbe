/**
 * The real ASL run locally with a cluster-wide tool (the SDK 5 CLI's rules, planner and
 * runbook over an in-memory driver): one CollectCluster instead of the per-node Map, the
 * bounded wait-and-read-again while keys are still being copied by the service, retries while
 * nothing was read, and no re-read after a refused login.
 */
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY, type NodeNote, type Policy, type ResolvedCluster } from '#core/model.ts';
import type { RunReport } from '#core/report.ts';
import { runStateMachineLocally } from '#workflow/local-asl-runner.ts';
import { parseCollectClusterInput, parseRunState } from '#workflow/schemas.ts';
import { cliKey, cliListing, cliUser, sdk5Cluster } from '../support/cloudhsm-cli/listing-builders.ts';
import {
  type ClusterAnswer,
  clusterWideTool,
  FakeClusterDriver,
} from '../support/workflow/fake-cluster-driver.ts';
import { context, fakeDeps } from '../support/workflow/fake-deps.ts';

const users = [cliUser('admin', 'admin'), cliUser('alice')];
const key = (coverage: 'full' | 'inconsistent') =>
  cliKey('0x000000000000010b', 'alice', { clusterCoverage: coverage });
const consistent = cliListing(users, [key('full')]);
const heldBack = cliListing(users, [key('inconsistent')]);
const SETTINGS = { CLOUDHSM_CLI_USER_SECRETS: JSON.stringify({ carol: 'env:CAROL' }) };

function checkInput(state: string, input: unknown): void {
  if (state === 'CollectCluster' || state === 'MarkClusterUnreadable') parseCollectClusterInput(input, state);
  else parseRunState(input, state);
}

async function run(
  answers: ClusterAnswer[],
  c: ResolvedCluster = sdk5Cluster(3),
  policy: Partial<Policy> = {},
) {
  const driver = new FakeClusterDriver(answers);
  const { deps, sink, store } = fakeDeps(c, driver as never, { tool: clusterWideTool(driver, SETTINGS) });
  const result = await runStateMachineLocally({
    input: { context: context(c.clusterId, policy) },
    deps,
    checkTaskInput: checkInput,
    waitTimeMs: 0,
  });
  const reportRef = result.state?.alert?.reportRef;
  const report = reportRef ? await store.getJson<RunReport>(reportRef) : null;
  return { result, driver, sink, report };
}

describe('the state machine with a cluster-wide tool', () => {
  it('collects the cluster once (CollectCluster), not per node', async () => {
    const { result, driver } = await run([{ listing: consistent }]);

    expect(result.status).toBe('succeeded');
    expect(result.visited).toEqual([
      'Resolve',
      'ClusterWide?',
      'CollectCluster',
      'Audit',
      'RecheckDue?',
      'WriteAllowed?',
      'Protect',
      'Alert',
      'Done',
    ]);
    expect(driver.collects).toEqual([['hsm-0', 'hsm-1', 'hsm-2']]);
    expect(result.state?.collected?.map((n) => n.nodeId)).toEqual(['hsm-0', 'hsm-1', 'hsm-2']);
    expect(result.state?.cluster?.addressing).toBe('cluster-wide');
  });

  it('waits and reads again while a key is still being copied by the service, and ends clean once it is everywhere', async () => {
    const { result, driver, report } = await run([
      { listing: heldBack },
      { listing: heldBack },
      { listing: consistent },
    ]);

    expect(result.status).toBe('succeeded');
    expect(result.visited.filter((s) => s === 'WaitForServiceSync')).toHaveLength(2);
    expect(driver.collects).toHaveLength(3);
    expect(result.state?.audit?.recheck).toEqual({ due: false, done: 2, pending: 0 });
    expect(report?.outcome).toBe('clean');
    expect(result.largestPayload.bytes).toBeLessThan(8 * 1024);
  });

  it(`re-reads at most ${DEFAULT_POLICY.serviceSyncRechecks} times, then alerts the key with the recovery commands and names the lagging HSM`, async () => {
    const c = sdk5Cluster(3);
    const nodes = c.nodes.map((n, i) => ({
      ...n,
      metrics: { tokenKeys: i === 2 ? 12 : 13, usersAvailable: 1022 },
    }));

    const { result, driver, sink } = await run([{ listing: heldBack }], { ...c, nodes });

    expect(driver.collects).toHaveLength(DEFAULT_POLICY.serviceSyncRechecks + 1);
    expect(result.visited.filter((s) => s === 'WaitForServiceSync')).toHaveLength(
      DEFAULT_POLICY.serviceSyncRechecks,
    );
    const items = sink.alerts[0]?.items ?? [];
    const keyItem = items.find((i) => i.objectId === 'key:0x10b');
    expect(keyItem?.message).toMatch(/synced-by-service: .* still not on every node after 3 re-check\(s\)/);
    expect(keyItem?.runbook).toContain(
      '/opt/cloudhsm/bin/cloudhsm-cli key list --filter key-reference=0x000000000000010b --verbose',
    );
    expect(items.find((i) => i.category === 'node-health')).toMatchObject({
      nodeIds: ['hsm-2'],
      message: expect.stringMatching(/^hsm-2: lagging: .*token keys 12 where its peers show 13/),
    });
  });

  it("with serviceSyncRechecks 0 (the CLI's preview) reads once and alerts the key as not re-checked", async () => {
    const { result, driver, sink } = await run([{ listing: heldBack }], sdk5Cluster(3), {
      serviceSyncRechecks: 0,
    });

    expect(result.status).toBe('succeeded');
    expect(driver.collects).toHaveLength(1);
    expect(result.visited).not.toContain('WaitForServiceSync');
    const keyItem = sink.alerts[0]?.items.find((i) => i.objectId === 'key:0x10b');
    expect(keyItem?.message).toMatch(/synced-by-service: .*; not re-checked in this run/);
  });

  it('re-creates a user on some HSMs only (secret configured), verifies it, and waits for nothing', async () => {
    const carol = cliUser('carol', 'crypto-user', { clusterCoverage: 'inconsistent' });
    const { result, driver, report } = await run([{ listing: cliListing([...users, carol], [key('full')]) }]);

    expect(result.visited).toContain('Sync');
    expect(result.visited).not.toContain('WaitForServiceSync');
    expect(driver.syncCalls.flat().map((a) => a.description)).toEqual([
      'user create --username carol --role crypto-user (the CLI fills in every HSM that lacks it)',
    ]);
    expect(report?.verification?.ok).toBe(true);
    expect(report?.outcome).toBe('repaired');
  });

  it('after a refused login reads nothing again and writes nothing, even with a key pending and a user to re-create', async () => {
    const carol = cliUser('carol', 'crypto-user', { clusterCoverage: 'inconsistent' });
    const refused: NodeNote = {
      kind: 'lockout-risk',
      severity: 'critical',
      detail: 'the login of crypto user alice was refused',
    };

    const { result, driver } = await run([
      { listing: cliListing([...users, carol], [key('inconsistent')]), notes: [refused] },
    ]);

    expect(driver.collects).toHaveLength(1);
    expect(driver.syncCalls).toEqual([]);
    expect(result.visited).not.toContain('WaitForServiceSync');
    expect(result.state?.audit?.writesBlocked).toMatch(/a login was refused in this run/);
  });

  it('alerts a one-HSM cluster as critical: every key is one failure from loss', async () => {
    const { result, sink } = await run([{ listing: consistent }], sdk5Cluster(1));

    expect(result.status).toBe('succeeded');
    expect(sink.alerts[0]?.severity).toBe('critical');
    expect(sink.alerts[0]?.items.find((i) => i.category === 'node-health')).toMatchObject({
      severity: 'critical',
      nodeIds: ['hsm-0'],
      runbook: expect.arrayContaining([
        'aws cloudhsmv2 create-hsm --cluster-id <cluster-id> --availability-zone us-east-1a',
      ]),
    });
  });

  it('retries a cluster the tool could not reach while no login was sent, then records every node unknown', async () => {
    const { result, driver, sink } = await run([{ unreadable: 'unreachable', loginAttempted: false }]);

    expect(driver.collects).toHaveLength(3);
    expect(result.visited).toContain('MarkClusterUnreadable');
    expect(result.state?.collected?.map((n) => [n.nodeId, n.status, n.reason])).toEqual([
      ['hsm-0', 'unreadable', 'unreachable'],
      ['hsm-1', 'unreadable', 'unreachable'],
      ['hsm-2', 'unreadable', 'unreachable'],
    ]);
    expect(sink.alerts[0]?.items.filter((i) => i.category === 'node-unreadable')).toHaveLength(3);
  });

  it('never retries once a login may have been sent: a refused admin is recorded at once', async () => {
    const { result, driver } = await run([{ unreadable: 'login-failed', loginAttempted: true }]);

    expect(driver.collects).toHaveLength(1);
    expect(result.visited).not.toContain('MarkClusterUnreadable');
    expect(result.state?.audit?.writesBlocked).toMatch(/login was refused/);
  });
});
