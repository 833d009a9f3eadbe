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
import {
  executionArnOf,
  startRun,
  startRuns,
  UNSTARTED_HOLDER_GRACE_MS,
} from '#providers/aws/step-functions-starter.ts';
import { DynamoDbRunLock, lockItemKey } from '#store/dynamodb-run-lock.ts';
import { normaliseTrigger } from '#workflow/triggers/normalise.ts';
import { executionName, type NormalisedRun, type TriggerDefaults } from '#workflow/triggers/run-request.ts';
import { FakeStateTable } from '../../support/aws/fake-state-table.ts';
import { eventFixture } from '../../support/fixtures.ts';

const CLUSTER = 'cluster-igklspoyj5v';
const OTHER = 'cluster-jxhlf7644ne';
const SM = 'arn:aws:states:us-east-1:111122223333:stateMachine:hsm-sentinel-audit-and-sync';
const NOW = new Date('2026-11-23T06:00:00.000Z');
const DEFAULTS: TriggerDefaults = {
  clusterIds: [CLUSTER, OTHER],
  provider: 'aws',
  policy: DEFAULT_POLICY,
};
const sfn = mockClient(SFNClient);

function client(): SFNClient {
  return new SFNClient({ region: 'us-east-1' });
}

describe('startRun', () => {
  afterEach(() => {
    sfn.reset();
  });

  it('starts an execution named after the event with the RunContext as input', async () => {
    // Arrange
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${SM}:x`, startDate: NOW });
    const [run] = normaliseTrigger(eventFixture('cloudtrail-create-hsm'), DEFAULTS).runs;
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
    const [run] = normaliseTrigger(eventFixture('runbook-request'), DEFAULTS).runs;
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
    const [run] = normaliseTrigger(eventFixture('cloudtrail-delete-hsm'), DEFAULTS).runs;
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
      normaliseTrigger(eventFixture('scheduled-event'), DEFAULTS),
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
    const ignored = normaliseTrigger(eventFixture('cloudtrail-create-hsm-failed'), DEFAULTS);

    const outcomes = await startRuns(client(), SM, ignored, NOW);

    expect(outcomes).toEqual([]);
    expect(sfn.calls()).toHaveLength(0);
  });

  it('maps a missing state machine to a ConfigurationError', async () => {
    sfn
      .on(ListExecutionsCommand)
      .rejects(Object.assign(new Error('gone'), { name: 'StateMachineDoesNotExist' }));
    const [run] = normaliseTrigger(eventFixture('runbook-request'), DEFAULTS).runs;
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
    const [run] = normaliseTrigger(eventFixture(name), DEFAULTS).runs;
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
