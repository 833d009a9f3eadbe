import { readFileSync } from 'node:fs';
import { DeleteItemCommand, DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { ERROR_NAMES, InvalidInputError } from '#core/errors.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import { DynamoDbRunLock, lockItemKey } from '#store/dynamodb-run-lock.ts';
import {
  executionArnOf,
  executionName,
  isRunOf,
  type NormalisedRun,
  normaliseTrigger,
  startRun,
  startRuns,
  type TriggerDefaults,
  UNSTARTED_HOLDER_GRACE_MS,
} from '#workflow/trigger.ts';
import { FakeStateTable } from '../support/fake-state-table.ts';

const CLUSTER = 'cluster-igklspoyj5v';
const OTHER = 'cluster-jxhlf7644ne';
const SM = 'arn:aws:states:us-east-1:111122223333:stateMachine:hsm-sentinel-audit-and-sync';
const NOW = new Date('2026-11-23T06:00:00.000Z');
const DEFAULTS: TriggerDefaults = {
  clusterIds: [CLUSTER, OTHER],
  provider: 'aws',
  dialect: 'aws',
  policy: DEFAULT_POLICY,
};
const sfn = mockClient(SFNClient);

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(new URL(`../fixtures/events/${name}.json`, import.meta.url), 'utf8'));
}

function client(): SFNClient {
  return new SFNClient({ region: 'us-east-1' });
}

function invalid(event: unknown, defaults: TriggerDefaults = DEFAULTS): InvalidInputError {
  try {
    normaliseTrigger(event, defaults);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected InvalidInputError');
}

describe('normaliseTrigger', () => {
  it('turns a scheduled event into one run per configured cluster', () => {
    const result = normaliseTrigger(fixture('scheduled-event'), DEFAULTS);

    expect(result.kind).toBe('schedule');
    expect(result.ignored).toEqual([]);
    expect(result.runs.map((r) => r.clusterId)).toEqual([CLUSTER, OTHER]);
    const [first] = result.runs;
    expect(first).toMatchObject({
      provider: 'aws',
      dialect: 'aws',
      trigger: { kind: 'schedule', detail: 'rule my-scheduled-rule at 2015-10-08T16:53:06Z' },
      policyOverrides: {},
      policy: DEFAULT_POLICY,
    });
    expect(first?.executionName).toMatch(new RegExp(`^${CLUSTER}-schedule-[0-9a-f]{12}$`));
  });

  it('turns a CloudTrail CreateHsm event into a scaling run for that cluster', () => {
    const result = normaliseTrigger(fixture('cloudtrail-create-hsm'), DEFAULTS);

    expect(result).toMatchObject({ kind: 'scaling', ignored: [] });
    expect(result.runs).toHaveLength(1);
    expect(result.runs[0]).toMatchObject({
      clusterId: CLUSTER,
      trigger: {
        kind: 'scaling',
        detail:
          'CreateHsm hsm-ted36yp5b2x by arn:aws:iam::111122223333:user/Alice (CloudTrail event 114b61b9-0ea6-47f5-a9d2-4f2bdd0017d5)',
      },
    });
  });

  it('turns a CloudTrail DeleteHsm event into a scaling run', () => {
    const result = normaliseTrigger(fixture('cloudtrail-delete-hsm'), DEFAULTS);

    expect(result.runs[0]?.trigger.detail).toMatch(/^DeleteHsm hsm-ted36yp5b2x by .*HsmOps/);
  });

  it('ignores a failed CreateHsm call, a cluster not configured and other CloudHSM calls', () => {
    const failed = normaliseTrigger(fixture('cloudtrail-create-hsm-failed'), DEFAULTS);
    const elsewhere = normaliseTrigger(fixture('cloudtrail-create-hsm'), {
      ...DEFAULTS,
      clusterIds: [OTHER],
    });
    const other = fixture('cloudtrail-create-hsm');
    (other.detail as Record<string, unknown>).eventName = 'TagResource';
    const tagged = normaliseTrigger(other, DEFAULTS);

    expect(failed.runs).toEqual([]);
    expect(failed.ignored[0]).toContain('failed with CloudHsmInvalidRequestException');
    expect(elsewhere.runs).toEqual([]);
    expect(elsewhere.ignored[0]).toContain(`cluster ${CLUSTER}, which this deployment does not look after`);
    expect(tagged.runs).toEqual([]);
    expect(tagged.ignored[0]).toContain('TagResource');
  });

  it('turns a runbook request into a run with validated policy overrides', () => {
    const result = normaliseTrigger(fixture('runbook-request'), DEFAULTS);

    expect(result.kind).toBe('runbook');
    expect(result.runs[0]).toMatchObject({
      clusterId: CLUSTER,
      trigger: {
        kind: 'runbook',
        detail:
          'requested by arn:aws:sts::111122223333:assumed-role/HsmOps/alice (request 2f9c6f1e-8a41-4c1b-9f5e-3c7d2b1a0e99)',
      },
      policyOverrides: { maxActionsPerRun: 10, allowedKinds: ['user'], dryRun: true },
      policy: { ...DEFAULT_POLICY, maxActionsPerRun: 10, allowedKinds: ['user'], dryRun: true },
    });
  });

  it('names the same event the same way every time, and different events differently', () => {
    const a = normaliseTrigger(fixture('cloudtrail-create-hsm'), DEFAULTS).runs[0];
    const b = normaliseTrigger(fixture('cloudtrail-create-hsm'), DEFAULTS).runs[0];
    const c = normaliseTrigger(fixture('cloudtrail-delete-hsm'), DEFAULTS).runs[0];
    const byInvocation = normaliseTrigger({ clusterId: CLUSTER }, DEFAULTS, 'lambda-request-1').runs[0];

    expect(a?.executionName).toBe(b?.executionName);
    expect(a?.dedupToken).toMatch(/^[0-9a-f]{12}$/);
    expect(c?.executionName).not.toBe(a?.executionName);
    expect(byInvocation?.executionName).toBe(
      executionName(CLUSTER, 'runbook', byInvocation?.dedupToken ?? ''),
    );
  });

  it('keeps execution names within Step Functions limits', () => {
    const name = executionName(`weird id/${'x'.repeat(120)}`, 'schedule', '0123456789ab');

    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^[A-Za-z0-9_-]+-schedule-0123456789ab$/);
    expect(isRunOf(CLUSTER, `${CLUSTER}-scaling-0123456789ab`)).toBe(true);
    expect(isRunOf(CLUSTER, `${CLUSTER}-x-scaling-0123456789ab`)).toBe(false);
    expect(isRunOf(CLUSTER, 'manual-run')).toBe(false);
  });

  it('rejects malformed events with the field and where it is', () => {
    const noClusterId = fixture('cloudtrail-create-hsm');
    delete ((noClusterId.detail as Record<string, unknown>).requestParameters as Record<string, unknown>)
      .clusterId;
    const badSchedule = { ...fixture('scheduled-event'), time: 'yesterday' };
    const wrongDetailType = { ...fixture('scheduled-event'), 'detail-type': 'Sheduled Event' };
    const noEventId = fixture('cloudtrail-delete-hsm');
    delete (noEventId.detail as Record<string, unknown>).eventID;

    expect(invalid(noClusterId).message).toContain('detail.requestParameters.clusterId');
    expect(invalid(badSchedule).message).toMatch(/^scheduled event is malformed: time: /);
    expect(invalid(wrongDetailType).message).toContain('detail-type');
    expect(invalid(noEventId).message).toContain('detail.eventID');
    expect(
      invalid({ source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification' }).message,
    ).toContain("source 'aws.ec2'");
    expect(invalid({ clusterId: CLUSTER, requestId: 'r', dryrun: true }).message).toContain('dryrun');
    expect(invalid({ clusterId: CLUSTER, requestId: 'r', dryRun: 'yes' }).message).toContain('dryRun');
    expect(
      invalid({ clusterId: CLUSTER, requestId: 'r', policy: { maxActionsPerRun: -1 } }).message,
    ).toContain('runbook request: policy.maxActionsPerRun');
    expect(invalid({ clusterId: 'cluster-notmine000', requestId: 'r' }).message).toContain(
      'cluster-notmine000',
    );
    expect(invalid({ clusterId: CLUSTER }).message).toContain('requestId');
    expect(invalid('CreateHsm').message).toContain('got string');
    expect(invalid(null).name).toBe(ERROR_NAMES.invalidInput);
  });
});

describe('startRun', () => {
  afterEach(() => {
    sfn.reset();
  });

  it('starts an execution named after the event with the RunContext as input', async () => {
    // Arrange
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${SM}:x`, startDate: NOW });
    const [run] = normaliseTrigger(fixture('cloudtrail-create-hsm'), DEFAULTS).runs;
    if (!run) throw new Error('no run');

    // Act
    const outcome = await startRun(client(), SM, run, NOW);

    // Assert
    expect(sfn.commandCalls(ListExecutionsCommand).map((c) => c.args[0].input)).toEqual([
      { stateMachineArn: SM, statusFilter: 'RUNNING' },
    ]);
    const starts = sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input);
    expect(starts).toEqual([{ stateMachineArn: SM, name: run.executionName, input: expect.any(String) }]);
    expect(JSON.parse(starts[0]?.input ?? '')).toEqual({
      context: {
        runId: run.executionName,
        clusterId: CLUSTER,
        provider: 'aws',
        dialect: 'aws',
        policy: DEFAULT_POLICY,
        startedAt: NOW.toISOString(),
        trigger: run.trigger,
      },
    });
    expect(outcome).toMatchObject({
      started: true,
      executionName: run.executionName,
      executionArn: `${SM}:x`,
    });
  });

  it('refuses a second concurrent execution for the same cluster and names the running one', async () => {
    const runningArn = `arn:aws:states:us-east-1:111122223333:execution:hsm-sentinel-audit-and-sync:${CLUSTER}-schedule-aaaaaaaaaaaa`;
    sfn
      .on(ListExecutionsCommand, { stateMachineArn: SM, statusFilter: 'RUNNING' })
      .resolves({
        executions: [
          {
            executionArn: 'arn:other',
            stateMachineArn: SM,
            name: `${OTHER}-schedule-aaaaaaaaaaaa`,
            status: 'RUNNING',
            startDate: NOW,
          },
        ],
        nextToken: 'p2',
      })
      .on(ListExecutionsCommand, { stateMachineArn: SM, statusFilter: 'RUNNING', nextToken: 'p2' })
      .resolves({
        executions: [
          {
            executionArn: runningArn,
            stateMachineArn: SM,
            name: `${CLUSTER}-schedule-aaaaaaaaaaaa`,
            status: 'RUNNING',
            startDate: NOW,
          },
        ],
      });
    const [run] = normaliseTrigger(fixture('runbook-request'), DEFAULTS).runs;
    if (!run) throw new Error('no run');

    const outcome = await startRun(client(), SM, run, NOW);

    expect(outcome).toEqual({
      started: false,
      reason: 'already running',
      executionName: run.executionName,
      runningExecutionArn: runningArn,
      runningExecutionName: `${CLUSTER}-schedule-aaaaaaaaaaaa`,
    });
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(2);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('reports ExecutionAlreadyExists as a duplicate, not an error', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' }));
    const [run] = normaliseTrigger(fixture('cloudtrail-delete-hsm'), DEFAULTS).runs;
    if (!run) throw new Error('no run');

    const outcome = await startRun(client(), SM, run, NOW);

    expect(outcome).toEqual({
      started: false,
      reason: 'duplicate',
      executionName: run.executionName,
      executionArn: `arn:aws:states:us-east-1:111122223333:execution:hsm-sentinel-audit-and-sync:${run.executionName}`,
    });
  });

  it('starts one execution per configured cluster for a schedule', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:x', startDate: NOW });

    const outcomes = await startRuns(
      client(),
      SM,
      normaliseTrigger(fixture('scheduled-event'), DEFAULTS),
      NOW,
    );

    expect(outcomes.map((o) => o.started)).toEqual([true, true]);
    expect(sfn.commandCalls(StartExecutionCommand).map((c) => c.args[0].input.name)).toEqual([
      expect.stringMatching(new RegExp(`^${CLUSTER}-schedule-`)),
      expect.stringMatching(new RegExp(`^${OTHER}-schedule-`)),
    ]);
  });

  it('starts nothing for a malformed event or an ignored one', async () => {
    expect(() => normaliseTrigger({ clusterId: 7 }, DEFAULTS)).toThrow(InvalidInputError);
    const ignored = normaliseTrigger(fixture('cloudtrail-create-hsm-failed'), DEFAULTS);

    const outcomes = await startRuns(client(), SM, ignored, NOW);

    expect(outcomes).toEqual([]);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('maps a missing state machine to a ConfigurationError', async () => {
    sfn
      .on(ListExecutionsCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'StateMachineDoesNotExist' }));
    const [run] = normaliseTrigger(fixture('runbook-request'), DEFAULTS).runs;
    if (!run) throw new Error('no run');

    await expect(startRun(client(), SM, run, NOW)).rejects.toMatchObject({
      name: ERROR_NAMES.configuration,
      message: expect.stringContaining('STATE_MACHINE_ARN'),
    });
  });
});

describe('startRun with the run lock (STATE_TABLE)', () => {
  const dynamo = mockClient(DynamoDBClient);
  const TABLE = 'hsm-sentinel-state';
  let table: FakeStateTable;
  const runLock = () => new DynamoDbRunLock(TABLE, new DynamoDBClient({ region: 'us-east-1' }));
  const firstRun = (name: string): NormalisedRun => {
    const [run] = normaliseTrigger(fixture(name), DEFAULTS).runs;
    if (!run) throw new Error('no run');
    return run;
  };
  const holder = () => table.items.get(lockItemKey(CLUSTER))?.runId?.S;
  const notFound = () =>
    Object.assign(new Error('Execution Does Not Exist'), { name: 'ExecutionDoesNotExist' });
  /** Step Functions as seen by the trigger: started executions are RUNNING, others do not exist. */
  const startedNames: string[] = [];
  function stepFunctions() {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(StartExecutionCommand).callsFake(async (input: { name: string }) => {
      startedNames.push(input.name);
      return { executionArn: executionArnOf(SM, input.name), startDate: NOW };
    });
    sfn.on(DescribeExecutionCommand).callsFake(async (input: { executionArn: string }) => {
      const name = input.executionArn.split(':').pop() ?? '';
      if (!startedNames.includes(name)) throw notFound();
      return { executionArn: input.executionArn, status: 'RUNNING', startDate: NOW };
    });
  }

  beforeEach(() => {
    table = new FakeStateTable().attach(dynamo);
    startedNames.length = 0;
  });
  afterEach(() => {
    sfn.reset();
    dynamo.reset();
  });

  it('lets exactly one of two different events for the same cluster start, at the same instant', async () => {
    // Arrange: the schedule and a CreateHsm both see "nothing running" in ListExecutions.
    stepFunctions();
    const scheduled = firstRun('scheduled-event');
    const scaling = firstRun('cloudtrail-create-hsm');

    // Act
    const outcomes = await Promise.all([
      startRun(client(), SM, scheduled, NOW, runLock()),
      startRun(client(), SM, scaling, NOW, runLock()),
    ]);

    // Assert
    expect(sfn.commandCalls(ListExecutionsCommand)).toHaveLength(2);
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(1);
    const started = outcomes.filter((o) => o.started);
    const refused = outcomes.filter((o) => !o.started);
    expect(started).toHaveLength(1);
    const winner = started[0]?.executionName ?? '';
    expect(refused).toEqual([
      {
        started: false,
        reason: 'already running',
        executionName: winner === scheduled.executionName ? scaling.executionName : scheduled.executionName,
        runningExecutionName: winner,
        runningExecutionArn: executionArnOf(SM, winner),
      },
    ]);
    expect(holder()).toBe(winner);
    const puts = dynamo.commandCalls(PutItemCommand).map((c) => c.args[0].input);
    expect(puts.map((p) => [p.TableName, p.Item?.pk?.S, p.ConditionExpression])).toEqual([
      [TABLE, `lock#${CLUSTER}`, 'attribute_not_exists(pk) OR expiresAt < :now'],
      [TABLE, `lock#${CLUSTER}`, 'attribute_not_exists(pk) OR expiresAt < :now'],
    ]);
  });

  it('names the holder of the lock as the running execution while it is RUNNING', async () => {
    stepFunctions();
    const first = firstRun('scheduled-event');
    await startRun(client(), SM, first, NOW, runLock());

    const second = await startRun(client(), SM, firstRun('runbook-request'), NOW, runLock());

    expect(second).toMatchObject({
      started: false,
      reason: 'already running',
      runningExecutionName: first.executionName,
    });
    expect(sfn.commandCalls(DescribeExecutionCommand).map((c) => c.args[0].input)).toEqual([
      { executionArn: executionArnOf(SM, first.executionName) },
    ]);
    expect(startedNames).toEqual([first.executionName]);
  });

  it('takes over a lock whose holder is no longer running (DescribeExecution SUCCEEDED)', async () => {
    const stale = executionName(CLUSTER, 'schedule', 'aaaaaaaaaaaa');
    await runLock().acquire(CLUSTER, stale, new Date(NOW.getTime() - 3_600_000));
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'SUCCEEDED', startDate: NOW });
    sfn.on(StartExecutionCommand).resolves({ executionArn: 'arn:new' });
    const run = firstRun('runbook-request');

    const outcome = await startRun(client(), SM, run, NOW, runLock());

    expect(outcome).toMatchObject({ started: true, executionName: run.executionName });
    expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({
      executionArn: executionArnOf(SM, stale),
    });
    const takeOver = dynamo.commandCalls(PutItemCommand)[2]?.args[0].input;
    expect(takeOver).toMatchObject({
      TableName: TABLE,
      ConditionExpression: 'runId = :stale',
      ExpressionAttributeValues: { ':stale': { S: stale } },
      Item: { pk: { S: `lock#${CLUSTER}` }, runId: { S: run.executionName } },
    });
    expect(holder()).toBe(run.executionName);
  });

  it('waits for a holder that has not started yet, and takes over one that never started', async () => {
    const pending = executionName(CLUSTER, 'scaling', 'aaaaaaaaaaaa');
    stepFunctions();
    await runLock().acquire(CLUSTER, pending, new Date(NOW.getTime() - 1000));
    const run = firstRun('runbook-request');

    const early = await startRun(client(), SM, run, NOW, runLock());
    const later = new Date(NOW.getTime() + UNSTARTED_HOLDER_GRACE_MS);
    const late = await startRun(client(), SM, run, later, runLock());

    expect(early).toMatchObject({ started: false, reason: 'already running', runningExecutionName: pending });
    expect(late).toMatchObject({ started: true, executionName: run.executionName });
    expect(startedNames).toEqual([run.executionName]);
  });

  it('releases the lock when StartExecution fails, and reports the failure', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }));
    const run = firstRun('runbook-request');

    await expect(startRun(client(), SM, run, NOW, runLock())).rejects.toMatchObject({
      name: ERROR_NAMES.transport,
    });

    expect(dynamo.commandCalls(DeleteItemCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Key: { pk: { S: `lock#${CLUSTER}` } },
        ConditionExpression: 'runId = :runId',
        ExpressionAttributeValues: { ':runId': { S: run.executionName } },
      },
    ]);
    expect(holder()).toBeUndefined();
  });

  it('releases the lock for a duplicate (ExecutionAlreadyExists)', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn
      .on(StartExecutionCommand)
      .rejects(Object.assign(new Error('Execution Already Exists'), { name: 'ExecutionAlreadyExists' }));
    const run = firstRun('cloudtrail-delete-hsm');

    const outcome = await startRun(client(), SM, run, NOW, runLock());

    expect(outcome).toMatchObject({ started: false, reason: 'duplicate', executionName: run.executionName });
    expect(dynamo.commandCalls(DeleteItemCommand)).toHaveLength(1);
    expect(holder()).toBeUndefined();
  });

  it('reports the same event started twice at once as a duplicate, leaving the lock to the first', async () => {
    stepFunctions();
    const run = firstRun('cloudtrail-create-hsm');

    const outcomes = await Promise.all([
      startRun(client(), SM, run, NOW, runLock()),
      startRun(client(), SM, run, NOW, runLock()),
    ]);

    expect(outcomes.map((o) => (o.started ? 'started' : o.reason)).sort()).toEqual(['duplicate', 'started']);
    expect(startedNames).toEqual([run.executionName]);
    expect(dynamo.commandCalls(DeleteItemCommand)).toEqual([]);
    expect(holder()).toBe(run.executionName);
  });
});
