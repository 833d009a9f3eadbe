/**
 * The orchestrator driven step by step with scripted activity answers: the order of the
 * states, the retry rules (ClusterNotStableError on Resolve; TransportError /
 * CommandTimeoutError per node, never CredentialsRejectedError), the Choice on writeAllowed,
 * and the failure path (failure alert, then the instance fails).
 */
import { describe, expect, it } from '@jest/globals';
import { ACTIVITY_NAMES, type ActivityName } from '../../../functions/azure/contracts.ts';
import { durableOrchestrator } from '../../../functions/azure/orchestrator.ts';
import { CLUSTER_ID, HSM_FQDNS } from '../../support/azure/fake-azure.ts';
import { driveOrchestrator } from '../../support/azure/functions.ts';
import { cluster, fail, ok, orchestrationInput } from '../../support/azure/orchestration-fixtures.ts';

const input = orchestrationInput('chsm-prod-20261123T120000Z-1a2b3c4d');
const collected = (nodeId: string, status = 'read') => ({
  nodeId,
  status,
  reason: status === 'read' ? null : 'unreachable',
  inventoryRef: `runs/r/before/inventory-${nodeId}.json`,
  users: 2,
  keys: 2,
});
const auditOut = (writeAllowed: boolean) => ({
  auditRef: 'a',
  planRef: 'p',
  counts: { consistent: 3, missing: writeAllowed ? 1 : 0, 'single-node': 0, divergent: 0 },
  unreadableNodes: [],
  actionCount: writeAllowed ? 1 : 0,
  skippedCount: 0,
  writesBlocked: null,
  dryRun: false,
  writeAllowed,
});
const alertOut = {
  reportRef: 'runs/r/report.json',
  reportPageRef: 'runs/r/report.txt',
  outcome: 'clean',
  alertSent: false,
  alertReason: 'nothing to report',
  subject: null,
};

type Script = Partial<Record<ActivityName, (input: never) => unknown>>;

/** Answers each activity from the script, with a sane default for every step. */
function scripted(script: Script) {
  const inputs: { name: ActivityName; input: unknown }[] = [];
  const defaults: Record<ActivityName, (input: never) => unknown> = {
    [ACTIVITY_NAMES.resolve]: () => ok(cluster),
    [ACTIVITY_NAMES.collectNode]: (i: { nodeId: string }) => ok(collected(i.nodeId)),
    [ACTIVITY_NAMES.markUnreadable]: (i: { nodeId: string }) => ok(collected(i.nodeId, 'unreadable')),
    [ACTIVITY_NAMES.collectCluster]: (i: { error?: unknown }) =>
      ok(HSM_FQDNS.map((id) => collected(id, i.error === undefined ? 'read' : 'unreadable'))),
    [ACTIVITY_NAMES.audit]: () => ok(auditOut(false)),
    [ACTIVITY_NAMES.sync]: () =>
      ok({ resultsRef: 's', synced: 1, alreadyPresent: 0, failed: 0, lastWriteAt: 'x' }),
    [ACTIVITY_NAMES.verify]: () => ok({ afterAuditRef: 'v', ok: true, unrecovered: 0 }),
    [ACTIVITY_NAMES.protect]: () =>
      ok({ state: 'skipped', backupId: null, createdAt: null, detail: 'd', kept: [], copiedTo: [] }),
    [ACTIVITY_NAMES.alert]: () => ok(alertOut),
  };
  const resolve = async (name: ActivityName, activityInput: unknown) => {
    inputs.push({ name, input: activityInput });
    return (script[name] ?? defaults[name])(activityInput as never);
  };
  return { resolve, inputs };
}

const short = (name: string) => name.replace('hsmSentinel', '');

describe('the orchestrator', () => {
  it('runs Resolve, one Collect per node in parallel, Audit, Protect and Alert when nothing is to be written', async () => {
    const { resolve } = scripted({});

    const run = await driveOrchestrator(durableOrchestrator(), input, resolve);

    expect(run.error).toBeNull();
    expect(run.trace.map(short)).toEqual([
      'Resolve',
      'CollectNode',
      'CollectNode',
      'CollectNode',
      'Audit',
      'Protect',
      'Alert',
    ]);
    expect(run.output).toEqual({
      runId: input.context.runId,
      clusterId: CLUSTER_ID,
      outcome: 'clean',
      alertSent: false,
      reportRef: 'runs/r/report.json',
      subject: null,
    });
    expect(run.statuses.map((s) => (s as { step: string }).step)).toEqual([
      'Resolve',
      'Collect',
      'Audit',
      'Protect',
      'Alert',
    ]);
  });

  it('runs Sync then Verify when the audit allows writes, handing each step the state so far', async () => {
    const { resolve, inputs } = scripted({ [ACTIVITY_NAMES.audit]: () => ok(auditOut(true)) });

    const run = await driveOrchestrator(durableOrchestrator(), input, resolve);

    expect(run.trace.map(short).slice(4)).toEqual(['Audit', 'Sync', 'Verify', 'Protect', 'Alert']);
    const protect = inputs.find((i) => i.name === ACTIVITY_NAMES.protect)?.input as Record<string, unknown>;
    expect(Object.keys(protect).sort()).toEqual([
      'audit',
      'cluster',
      'collected',
      'context',
      'sync',
      'verify',
    ]);
    expect((protect.collected as { nodeId: string }[]).map((c) => c.nodeId)).toEqual(HSM_FQDNS);
  });

  it('collects a cluster-wide tool once (CollectCluster), not per node', async () => {
    const { resolve, inputs } = scripted({
      [ACTIVITY_NAMES.resolve]: () => ok({ ...cluster, addressing: 'cluster-wide' }),
    });

    const run = await driveOrchestrator(durableOrchestrator(), input, resolve);

    expect(run.error).toBeNull();
    expect(run.trace.map(short)).toEqual(['Resolve', 'CollectCluster', 'Audit', 'Protect', 'Alert']);
    const audit = inputs.find((i) => i.name === ACTIVITY_NAMES.audit)?.input as { collected: unknown[] };
    expect(audit.collected).toHaveLength(HSM_FQDNS.length);
  });

  it('retries a cluster-wide read on a transport error, then marks every node unreadable (the same activity, with the error)', async () => {
    const { resolve, inputs } = scripted({
      [ACTIVITY_NAMES.resolve]: () => ok({ ...cluster, addressing: 'cluster-wide' }),
      [ACTIVITY_NAMES.collectCluster]: (i: { error?: unknown }) =>
        i.error === undefined
          ? fail('TransportError', 'user list: every HSM unreachable')
          : ok(HSM_FQDNS.map((id) => collected(id, 'unreadable'))),
    });

    const run = await driveOrchestrator(durableOrchestrator(), input, resolve);

    expect(run.trace.map(short).slice(0, 6)).toEqual([
      'Resolve',
      'CollectCluster',
      'timer:2000',
      'CollectCluster',
      'timer:4000',
      'CollectCluster',
    ]);
    const calls = inputs.filter((i) => i.name === ACTIVITY_NAMES.collectCluster);
    expect(calls).toHaveLength(4);
    expect(calls[3]?.input).toMatchObject({
      error: { Error: 'TransportError', Cause: 'user list: every HSM unreachable' },
    });
  });

  it('waits and reads again (Resolve, Collect, Audit) while the audit says a re-check is due, at most as often as it says', async () => {
    let audits = 0;
    const { resolve } = scripted({
      [ACTIVITY_NAMES.resolve]: () => ok({ ...cluster, addressing: 'cluster-wide' }),
      [ACTIVITY_NAMES.audit]: () => {
        audits += 1;
        return ok({ ...auditOut(false), recheck: { due: audits < 3, done: audits - 1, pending: 1 } });
      },
    });

    const run = await driveOrchestrator(durableOrchestrator(), input, resolve);

    expect(run.error).toBeNull();
    expect(run.trace.map(short)).toEqual([
      'Resolve',
      'CollectCluster',
      'Audit',
      'timer:120000',
      'Resolve',
      'CollectCluster',
      'Audit',
      'timer:120000',
      'Resolve',
      'CollectCluster',
      'Audit',
      'Protect',
      'Alert',
    ]);
  });

  it('waits and resolves again while the cluster is not stable (60 s, then x1.5)', async () => {
    let calls = 0;
    const { resolve } = scripted({
      [ACTIVITY_NAMES.resolve]: () => (++calls <= 2 ? fail('ClusterNotStableError') : ok(cluster)),
    });

    const run = await driveOrchestrator(durableOrchestrator(), input, resolve);

    expect(run.error).toBeNull();
    expect(run.trace.slice(0, 5).map(short)).toEqual([
      'Resolve',
      'timer:60000',
      'Resolve',
      'timer:90000',
      'Resolve',
    ]);
  });

  it('re-reads only the node that had a transport error, after a durable wait', async () => {
    let attempts = 0;
    const { resolve, inputs } = scripted({
      [ACTIVITY_NAMES.collectNode]: (i: { nodeId: string }) =>
        i.nodeId === HSM_FQDNS[1] && ++attempts === 1 ? fail('TransportError') : ok(collected(i.nodeId)),
    });

    const run = await driveOrchestrator(durableOrchestrator(), input, resolve);

    expect(run.trace.slice(1, 6).map(short)).toEqual([
      'CollectNode',
      'CollectNode',
      'CollectNode',
      'timer:2000',
      'CollectNode',
    ]);
    const collects = inputs.filter((i) => i.name === ACTIVITY_NAMES.collectNode);
    expect(collects[3]?.input).toMatchObject({ nodeId: HSM_FQDNS[1] });
    expect(inputs.some((i) => i.name === ACTIVITY_NAMES.markUnreadable)).toBe(false);
  });

  it('marks a node unreadable after the last retry of a timeout', async () => {
    const { resolve, inputs } = scripted({
      [ACTIVITY_NAMES.collectNode]: (i: { nodeId: string }) =>
        i.nodeId === HSM_FQDNS[2]
          ? fail('CommandTimeoutError', 'listUsers timed out')
          : ok(collected(i.nodeId)),
    });

    const run = await driveOrchestrator(durableOrchestrator(), input, resolve);

    expect(run.trace.filter((t) => t.startsWith('timer'))).toEqual(['timer:2000', 'timer:4000']);
    const marks = inputs.filter((i) => i.name === ACTIVITY_NAMES.markUnreadable);
    expect(marks.map((m) => m.input)).toEqual([
      {
        context: input.context,
        nodeId: HSM_FQDNS[2],
        error: { Error: 'CommandTimeoutError', Cause: 'listUsers timed out' },
      },
    ]);
    const audit = inputs.find((i) => i.name === ACTIVITY_NAMES.audit)?.input as {
      collected: { nodeId: string; status: string }[];
    };
    expect(audit.collected.map((c) => `${c.nodeId}:${c.status}`)).toEqual([
      `${HSM_FQDNS[0]}:read`,
      `${HSM_FQDNS[1]}:read`,
      `${HSM_FQDNS[2]}:unreadable`,
    ]);
  });

  it('never retries a refused login, and (as the ASL Catch does) fails the run after the failure alert', async () => {
    const { resolve, inputs } = scripted({
      [ACTIVITY_NAMES.collectNode]: (i: { nodeId: string }) =>
        i.nodeId === HSM_FQDNS[0] ? fail('CredentialsRejectedError') : ok(collected(i.nodeId)),
      [ACTIVITY_NAMES.alert]: () => ok({ ...alertOut, outcome: 'failed', alertSent: true }),
    });

    const run = await driveOrchestrator(durableOrchestrator(), input, resolve);

    expect(run.trace.filter((t) => t.startsWith('timer'))).toEqual([]);
    expect(inputs.filter((i) => i.name === ACTIVITY_NAMES.collectNode)).toHaveLength(3);
    expect(inputs.filter((i) => i.name === ACTIVITY_NAMES.markUnreadable)).toHaveLength(0);
    expect(inputs.some((i) => i.name === ACTIVITY_NAMES.audit)).toBe(false);
    const alert = inputs.find((i) => i.name === ACTIVITY_NAMES.alert)?.input as { failure: unknown };
    expect(alert.failure).toMatchObject({ step: 'Collect', errorName: 'CredentialsRejectedError' });
    expect(run.error?.name).toBe('CredentialsRejectedError');
  });

  it('fails the run (not "node unknown") when a node read fails with anything but a transport error or timeout', async () => {
    const { resolve, inputs } = scripted({
      [ACTIVITY_NAMES.collectNode]: (i: { nodeId: string }) =>
        i.nodeId === HSM_FQDNS[1]
          ? fail('ConfigurationError', 'app setting HSM_CO_PASSWORD is not set')
          : ok(collected(i.nodeId)),
      [ACTIVITY_NAMES.alert]: () => ok({ ...alertOut, outcome: 'failed', alertSent: true }),
    });

    const run = await driveOrchestrator(durableOrchestrator(), input, resolve);

    expect(run.trace.filter((t) => t.startsWith('timer'))).toEqual([]);
    expect(inputs.filter((i) => i.name === ACTIVITY_NAMES.markUnreadable)).toHaveLength(0);
    expect(inputs.some((i) => i.name === ACTIVITY_NAMES.audit)).toBe(false);
    const alert = inputs.find((i) => i.name === ACTIVITY_NAMES.alert)?.input as { failure: unknown };
    expect(alert.failure).toEqual({
      step: 'Collect',
      errorName: 'ConfigurationError',
      message: 'app setting HSM_CO_PASSWORD is not set',
    });
    expect(run.error?.name).toBe('ConfigurationError');
    expect(run.statuses.at(-1)).toMatchObject({ step: 'FailureAlert' });
  });

  it('on a failed step sends the failure alert with the failure, then fails the instance', async () => {
    const { resolve, inputs } = scripted({
      [ACTIVITY_NAMES.audit]: () => ok(auditOut(true)),
      [ACTIVITY_NAMES.sync]: () => fail('MembershipChangedError', 'the node set changed since Resolve'),
      [ACTIVITY_NAMES.alert]: () => ok({ ...alertOut, outcome: 'failed', alertSent: true }),
    });

    const run = await driveOrchestrator(durableOrchestrator(), input, resolve);

    expect(run.trace.map(short).slice(-2)).toEqual(['Sync', 'Alert']);
    const alert = inputs.find((i) => i.name === ACTIVITY_NAMES.alert)?.input as { failure: unknown };
    expect(alert.failure).toEqual({
      step: 'Sync',
      errorName: 'MembershipChangedError',
      message: 'the node set changed since Resolve',
    });
    expect(run.error?.name).toBe('MembershipChangedError');
    expect(run.error?.message).toMatch(
      /failed in Sync: the node set changed since Resolve \(failure alert sent/,
    );
    expect(run.statuses.at(-1)).toMatchObject({ step: 'FailureAlert' });
  });

  it('fails the instance when the alert cannot be delivered (never ends green without it)', async () => {
    const { resolve } = scripted({
      [ACTIVITY_NAMES.alert]: () => fail('AlertDeliveryError', 'SNS publish failed'),
    });

    const run = await driveOrchestrator(durableOrchestrator(), input, resolve);

    expect(run.error?.name).toBe('AlertDeliveryError');
    expect(run.error?.message).toContain('Alert could not be delivered: SNS publish failed');
  });

  it('treats an activity that crashed outside its envelope as that step failing', async () => {
    const { resolve } = scripted({
      [ACTIVITY_NAMES.protect]: () => {
        throw Object.assign(new Error('Timeout value of 00:30:00 was exceeded'), {
          name: 'TaskFailedError',
          failureDetails: {
            errorType: 'FunctionTimeoutException',
            errorMessage: 'Timeout value of 00:30:00 was exceeded',
          },
        });
      },
    });

    const run = await driveOrchestrator(durableOrchestrator(), input, resolve);

    expect(run.error?.name).toBe('FunctionTimeoutException');
    expect(run.error?.message).toContain('failed in Protect');
  });

  it('fails at once on a malformed input, naming the field', async () => {
    const run = await driveOrchestrator(
      durableOrchestrator(),
      { context: { runId: 'x' } },
      scripted({}).resolve,
    );

    expect(run.error?.name).toBe('InvalidInputError');
    expect(run.error?.message).toMatch(/orchestration input is malformed: context.clusterId/);
    expect(run.trace).toEqual([]);
  });
});
