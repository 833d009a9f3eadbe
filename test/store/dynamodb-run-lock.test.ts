import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { ERROR_NAMES } from '#core/errors.ts';
import { DynamoDbRunLock, lockItemKey } from '#store/dynamodb-run-lock.ts';
import { DEFAULT_RUN_LOCK_LEASE_HOURS } from '#store/run-lock.ts';
import { FakeStateTable } from '../support/aws/fake-state-table.ts';

const TABLE = 'hsm-sentinel-state';
const CLUSTER = 'cluster-igklspoyj5v';
const RUN_A = `${CLUSTER}-schedule-aaaaaaaaaaaa`;
const RUN_B = `${CLUSTER}-scaling-bbbbbbbbbbbb`;
const NOW = new Date('2026-11-23T06:00:00.000Z');
const NOW_S = Math.floor(NOW.getTime() / 1000);
const dynamo = mockClient(DynamoDBClient);

function lock(leaseHours?: number): DynamoDbRunLock {
  return new DynamoDbRunLock(
    TABLE,
    new DynamoDBClient({ region: 'us-east-1' }),
    leaseHours === undefined ? {} : { leaseHours },
  );
}

const conditionFailed = () =>
  new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: {} });

describe('DynamoDbRunLock', () => {
  afterEach(() => {
    dynamo.reset();
  });

  it('acquires a free lock with one conditional PutItem (pk lock#<clusterId>, runId, acquiredAt, expiresAt)', async () => {
    dynamo.on(PutItemCommand).resolves({});

    const out = await lock().acquire(CLUSTER, RUN_A, NOW);

    expect(out).toEqual({ acquired: true });
    expect(dynamo.commandCalls(PutItemCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Item: {
          pk: { S: `lock#${CLUSTER}` },
          runId: { S: RUN_A },
          acquiredAt: { S: NOW.toISOString() },
          expiresAt: { N: String(NOW_S + 6 * 3600) },
        },
        ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
        ExpressionAttributeValues: { ':now': { N: String(NOW_S) } },
      },
    ]);
    expect(DEFAULT_RUN_LOCK_LEASE_HOURS).toBe(6);
    expect(dynamo.commandCalls(GetItemCommand)).toEqual([]);
  });

  it('names the holder of a held lock (GetItem, ConsistentRead) and writes nothing', async () => {
    dynamo.on(PutItemCommand).rejects(conditionFailed());
    dynamo.on(GetItemCommand).resolves({
      Item: {
        pk: { S: lockItemKey(CLUSTER) },
        runId: { S: RUN_A },
        acquiredAt: { S: '2026-11-23T05:00:00.000Z' },
        expiresAt: { N: String(NOW_S + 3600) },
      },
    });

    const out = await lock().acquire(CLUSTER, RUN_B, NOW);

    expect(out).toEqual({ acquired: false, heldBy: RUN_A, acquiredAt: '2026-11-23T05:00:00.000Z' });
    expect(dynamo.commandCalls(GetItemCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: TABLE, Key: { pk: { S: `lock#${CLUSTER}` } }, ConsistentRead: true },
    ]);
  });

  it('takes an expired lock over, and honours a configured lease', async () => {
    const table = new FakeStateTable().attach(dynamo);
    const shortLease = lock(1);
    await shortLease.acquire(CLUSTER, RUN_A, new Date(NOW.getTime() - 2 * 3_600_000));

    const expired = await shortLease.acquire(CLUSTER, RUN_B, NOW);
    const held = await shortLease.acquire(CLUSTER, RUN_A, new Date(NOW.getTime() + 1000));

    expect(expired).toEqual({ acquired: true });
    expect(held).toMatchObject({ acquired: false, heldBy: RUN_B });
    expect(table.items.get(lockItemKey(CLUSTER))).toEqual({
      pk: { S: lockItemKey(CLUSTER) },
      runId: { S: RUN_B },
      acquiredAt: { S: NOW.toISOString() },
      expiresAt: { N: String(NOW_S + 3600) },
    });
  });

  it('takes over a stale holder only while that holder still has the lock (runId = :stale)', async () => {
    const table = new FakeStateTable().attach(dynamo);
    const runLock = lock();
    await runLock.acquire(CLUSTER, RUN_A, NOW);

    const taken = await runLock.takeOver(CLUSTER, RUN_A, RUN_B, NOW);
    const late = await runLock.takeOver(CLUSTER, RUN_A, `${CLUSTER}-runbook-cccccccccccc`, NOW);

    expect(taken).toEqual({ acquired: true });
    expect(late).toMatchObject({ acquired: false, heldBy: RUN_B });
    const takeOvers = dynamo.commandCalls(PutItemCommand).slice(1);
    expect(takeOvers[0]?.args[0].input).toMatchObject({
      ConditionExpression: 'runId = :stale',
      ExpressionAttributeValues: { ':stale': { S: RUN_A } },
      Item: { runId: { S: RUN_B } },
    });
    expect(table.items.get(lockItemKey(CLUSTER))?.runId).toEqual({ S: RUN_B });
  });

  it('releases only its own lock (DeleteItem if runId = :runId) and never throws for "not held"', async () => {
    const table = new FakeStateTable().attach(dynamo);
    const runLock = lock();
    await runLock.acquire(CLUSTER, RUN_A, NOW);

    await expect(runLock.release(CLUSTER, RUN_B)).resolves.toBeUndefined();
    expect(table.items.has(lockItemKey(CLUSTER))).toBe(true);
    await runLock.release(CLUSTER, RUN_A);
    await expect(runLock.release(CLUSTER, RUN_A)).resolves.toBeUndefined();

    expect(table.items.has(lockItemKey(CLUSTER))).toBe(false);
    expect(dynamo.commandCalls(DeleteItemCommand)[1]?.args[0].input).toEqual({
      TableName: TABLE,
      Key: { pk: { S: `lock#${CLUSTER}` } },
      ConditionExpression: 'runId = :runId',
      ExpressionAttributeValues: { ':runId': { S: RUN_A } },
    });
  });

  it('reports a missing permission as a ConfigurationError naming the action, and a throttle as a TransportError', async () => {
    dynamo.on(PutItemCommand).rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));
    dynamo
      .on(DeleteItemCommand)
      .rejects(Object.assign(new Error('slow down'), { name: 'ProvisionedThroughputExceededException' }));

    await expect(lock().acquire(CLUSTER, RUN_A, NOW)).rejects.toMatchObject({
      name: ERROR_NAMES.configuration,
      message: expect.stringContaining('dynamodb:PutItem'),
    });
    await expect(lock().release(CLUSTER, RUN_A)).rejects.toMatchObject({ name: ERROR_NAMES.transport });
    expect(() => new DynamoDbRunLock('')).toThrow(/STATE_TABLE/);
    expect(() => lock(0)).toThrow(/lease/);
  });
});
