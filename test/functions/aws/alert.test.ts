import { DeleteItemCommand, DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { ERROR_NAMES } from '#core/errors.ts';
import type { RunLock } from '#store/run-lock.ts';
import type { RunState } from '#workflow/contracts.ts';
import type { StepLogger, WorkflowDeps } from '#workflow/deps.ts';
import { auditStep } from '#workflow/steps/audit.ts';
import { collectNodeStep } from '#workflow/steps/collect-node.ts';
import { protectStep } from '#workflow/steps/protect.ts';
import { resolveStep } from '#workflow/steps/resolve.ts';
import { syncStep } from '#workflow/steps/sync.ts';
import { verifyStep } from '#workflow/steps/verify.ts';
import { makeHandler } from '../../../functions/aws/alert.ts';
import { type AwsClients, awsDeps } from '../../../functions/aws/deps.ts';
import { RUN_METRIC_NAMES } from '../../../functions/aws/run-metrics.ts';
import { lambdaContext, quietObservability } from '../../support/aws/lambda-test-kit.ts';
import { cluster, key, user } from '../../support/core/builders.ts';
import { context, fakeDeps } from '../../support/workflow/fake-deps.ts';
import { FakeDriver } from '../../support/workflow/fake-driver.ts';

const admin = user(1, 'admin', 'PCO');

/** The run document as it reaches Alert, made by the same steps the other states run. */
async function stateBeforeAlert(deps: WorkflowDeps, clusterId: string): Promise<RunState> {
  const state: RunState = { context: context(clusterId) };
  state.cluster = await resolveStep(state, deps);
  const c = state.cluster;
  state.collected = await Promise.all(
    c.nodes.map((n) => collectNodeStep({ context: state.context, cluster: c, nodeId: n.nodeId }, deps)),
  );
  state.audit = await auditStep(state, deps);
  state.sync = await syncStep(state, deps);
  state.verify = await verifyStep(state, deps);
  state.backup = await protectStep(state, deps);
  return state;
}

function seeded() {
  const c = cluster(3);
  const driver = new FakeDriver({
    'hsm-0': { users: [admin, user(7, 'newest_user')], keys: [key(262150), key(8)] },
    'hsm-1': { users: [admin], keys: [key(8)] },
    'hsm-2': { users: [admin, user(7, 'newest_user')], keys: [key(8)] },
  });
  return { c, ...fakeDeps(c, driver) };
}

describe('functions/aws/alert', () => {
  it('publishes the run alert and emits the contract metrics once, with the ClusterId dimension only', async () => {
    const { c, deps, sink } = seeded();
    const obs = quietObservability();
    const state = await stateBeforeAlert(deps, c.clusterId);

    const out = await makeHandler(deps, obs)(state, lambdaContext());

    expect(out).toMatchObject({ outcome: 'repaired', alertSent: true });
    expect(sink.alerts).toHaveLength(1);
    expect(obs.flushed).toHaveLength(1);
    expect(obs.flushed[0]).toEqual({
      namespace: 'HsmSentinel',
      dimensions: { ClusterId: c.clusterId },
      values: {
        ObjectsMissing: 0,
        ObjectsSingleNode: 0,
        ObjectsDivergent: 0,
        NodesUnreadable: 0,
        ActionsTaken: 3,
        RunDurationSeconds: 0,
        RunFailed: 0,
        RunSucceeded: 1,
      },
    });
    expect(Object.keys(obs.flushed[0]?.values ?? {}).sort()).toEqual([...RUN_METRIC_NAMES].sort());
  });

  it('as FailureAlert announces the failed step with a readable message and counts a failed run', async () => {
    const { c, deps, sink } = seeded();
    const obs = quietObservability();
    const cause = JSON.stringify({
      errorType: 'MembershipChangedError',
      errorMessage: 'the node set of cluster-test changed since Resolve: nothing written',
      trace: ['MembershipChangedError: …', '    at syncStep (file:///var/task/sync.mjs:1:1)'],
    });
    const state: RunState = {
      context: context(c.clusterId),
      cluster: c,
      failure: { step: 'Sync', errorName: 'MembershipChangedError', message: cause },
    };

    const out = await makeHandler(deps, obs)(state, lambdaContext());

    expect(out).toMatchObject({ outcome: 'failed', alertSent: true });
    const item = sink.alerts[0]?.items[0];
    expect(item?.category).toBe('run-failed');
    expect(JSON.stringify(sink.alerts[0])).toContain('changed since Resolve');
    expect(JSON.stringify(sink.alerts[0])).not.toContain('trace');
    expect(obs.flushed[0]?.values).toMatchObject({ RunFailed: 1, RunSucceeded: 0 });
    expect(obs.flushed[0]?.values.ObjectsMissing).toBeUndefined();
  });

  it('fails with AlertDeliveryError when SNS is down, still counting the run as failed', async () => {
    const { c, deps, sink } = seeded();
    const obs = quietObservability();
    const state = await stateBeforeAlert(deps, c.clusterId);
    sink.fail = true;
    const handler = makeHandler(deps, obs);

    await expect(handler(state, lambdaContext())).rejects.toMatchObject({ name: ERROR_NAMES.alertDelivery });
    expect(obs.flushed[0]?.values).toMatchObject({ RunFailed: 1, RunSucceeded: 0 });

    // The FailureAlert that follows does not count the run a second time.
    const failed = {
      ...state,
      failure: { step: 'Alert', errorName: 'AlertDeliveryError', message: 'SNS unavailable' },
    };
    await expect(handler(failed, lambdaContext())).rejects.toMatchObject({ name: ERROR_NAMES.alertDelivery });
    expect(obs.flushed).toHaveLength(1);
  });
});

/** A run lock that records releases (and what had been published by then), or fails them. */
function recordingLock(sink: { alerts: unknown[] }, fail = false) {
  const released: { clusterId: string; runId: string; alertsSent: number }[] = [];
  const lock: RunLock = {
    acquire: async () => ({ acquired: true }),
    takeOver: async () => ({ acquired: true }),
    async release(clusterId, runId) {
      if (fail) throw Object.assign(new Error('throttled'), { name: 'TransportError' });
      released.push({ clusterId, runId, alertsSent: sink.alerts.length });
    },
  };
  return { lock, released };
}

function recordingLog() {
  const warnings: { message: string; fields?: Record<string, unknown> }[] = [];
  const log: StepLogger = {
    info() {},
    error() {},
    warn(message, fields) {
      warnings.push({ message, ...(fields ? { fields } : {}) });
    },
  };
  return { log, warnings };
}

describe('the run lock at the end of a run (alertStep)', () => {
  it('is released for the run after the alert is delivered', async () => {
    const { c, deps, sink } = seeded();
    const state = await stateBeforeAlert(deps, c.clusterId);
    const { lock, released } = recordingLock(sink);

    await makeHandler({ ...deps, runLock: lock }, quietObservability())(state, lambdaContext());

    expect(released).toEqual([{ clusterId: c.clusterId, runId: state.context.runId, alertsSent: 1 }]);
  });

  it('is released on the FailureAlert path too', async () => {
    const { c, deps, sink } = seeded();
    const { lock, released } = recordingLock(sink);
    const state: RunState = {
      context: context(c.clusterId),
      failure: { step: 'Resolve', errorName: 'ClusterNotStableError', message: 'not stable' },
    };

    const out = await makeHandler({ ...deps, runLock: lock }, quietObservability())(state, lambdaContext());

    expect(out).toMatchObject({ outcome: 'failed', alertSent: true });
    expect(released).toEqual([{ clusterId: c.clusterId, runId: 'run-1', alertsSent: 1 }]);
  });

  it('is not released while the alert is undelivered (the FailureAlert that follows releases it)', async () => {
    const { c, deps, sink } = seeded();
    const state = await stateBeforeAlert(deps, c.clusterId);
    const { lock, released } = recordingLock(sink);
    sink.fail = true;

    await expect(
      makeHandler({ ...deps, runLock: lock }, quietObservability())(state, lambdaContext()),
    ).rejects.toMatchObject({ name: ERROR_NAMES.alertDelivery });
    expect(released).toEqual([]);
  });

  it('does not fail the run when the release fails: it is logged, and the lease expires', async () => {
    const { c, deps, sink } = seeded();
    const state = await stateBeforeAlert(deps, c.clusterId);
    const { lock } = recordingLock(sink, true);
    const { log, warnings } = recordingLog();

    const out = await makeHandler({ ...deps, runLock: lock, log }, quietObservability())(
      state,
      lambdaContext(),
    );

    expect(out).toMatchObject({ outcome: 'repaired', alertSent: true });
    expect(warnings).toEqual([
      {
        message: 'run lock not released (its lease will expire)',
        fields: { clusterId: c.clusterId, runId: 'run-1', error: 'TransportError: throttled' },
      },
    ]);
  });
});

describe('functions/aws/alert over the AWS adapters (aws-sdk-client-mock)', () => {
  const s3 = mockClient(S3Client);
  const sns = mockClient(SNSClient);
  const dynamo = mockClient(DynamoDBClient);
  afterEach(() => {
    s3.reset();
    sns.reset();
    dynamo.reset();
  });

  it('writes the report to REPORT_BUCKET, checks and records the dedup memory in STATE_TABLE, publishes to ALERT_TOPIC_ARN', async () => {
    s3.on(PutObjectCommand).resolves({});
    dynamo.on(GetItemCommand).resolves({});
    dynamo.on(PutItemCommand).resolves({});
    dynamo.on(DeleteItemCommand).resolves({});
    sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    const env = {
      REPORT_BUCKET: 'hsm-sentinel-reports',
      ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:111122223333:hsm-sentinel-alerts',
      STATE_TABLE: 'hsm-sentinel-state',
      ALERT_WINDOW_HOURS: '6',
    };
    const clients = {
      s3: new S3Client({ region: 'us-east-1' }),
      sns: new SNSClient({ region: 'us-east-1' }),
      dynamo: new DynamoDBClient({ region: 'us-east-1' }),
    } as AwsClients;
    const deps = awsDeps(['alerts'], { env, clients, log: { info() {}, warn() {}, error() {} } });
    const c = cluster(3, 'cluster-igklspoyj5v');
    const state: RunState = {
      context: { ...context(c.clusterId), runId: 'cluster-igklspoyj5v-runbook-0123456789ab' },
      failure: {
        step: 'Resolve',
        errorName: 'ClusterNotStableError',
        message: 'hsm-x is CREATE_IN_PROGRESS',
      },
    };

    const out = await makeHandler(deps, quietObservability())(state, lambdaContext());

    expect(out).toMatchObject({ outcome: 'failed', alertSent: true });
    const puts = s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input);
    expect(puts.map((p) => [p.Bucket, p.Key])).toEqual(
      expect.arrayContaining([
        ['hsm-sentinel-reports', 'runs/cluster-igklspoyj5v-runbook-0123456789ab/report.json'],
        ['hsm-sentinel-reports', 'runs/cluster-igklspoyj5v-runbook-0123456789ab/report.txt'],
      ]),
    );
    expect(dynamo.commandCalls(GetItemCommand)[0]?.args[0].input.TableName).toBe('hsm-sentinel-state');
    expect(dynamo.commandCalls(PutItemCommand)[0]?.args[0].input.TableName).toBe('hsm-sentinel-state');
    // The run ends here: the lock the trigger took under the execution name is released.
    expect(dynamo.commandCalls(DeleteItemCommand).map((call) => call.args[0].input)).toEqual([
      {
        TableName: 'hsm-sentinel-state',
        Key: { pk: { S: 'lock#cluster-igklspoyj5v' } },
        ConditionExpression: 'runId = :runId',
        ExpressionAttributeValues: { ':runId': { S: 'cluster-igklspoyj5v-runbook-0123456789ab' } },
      },
    ]);
    const publish = sns.commandCalls(PublishCommand);
    expect(publish).toHaveLength(1);
    expect(publish[0]?.args[0].input).toMatchObject({
      TopicArn: 'arn:aws:sns:us-east-1:111122223333:hsm-sentinel-alerts',
      MessageAttributes: {
        clusterId: { DataType: 'String', StringValue: 'cluster-igklspoyj5v' },
        severity: { DataType: 'String' },
      },
    });
  });
});
