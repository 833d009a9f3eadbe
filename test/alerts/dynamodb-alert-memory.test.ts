import { createHash } from 'node:crypto';
import {
  type AttributeValue,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { DynamoDbAlertMemory } from '#alerts/dynamodb-alert-memory.ts';
import { ERROR_NAMES } from '#core/errors.ts';

const TABLE = 'hsm-sentinel-state';
const KEY = 'cluster-igklspoyj5v|single-node:key:262150:hsm-b+hsm-c';
const PK = `alert#${createHash('sha256').update(KEY).digest('hex')}`;
const dynamo = mockClient(DynamoDBClient);

function memory(): DynamoDbAlertMemory {
  return new DynamoDbAlertMemory(TABLE, new DynamoDBClient({ region: 'us-east-1' }), { ttlHours: 48 });
}

describe('DynamoDbAlertMemory', () => {
  afterEach(() => {
    dynamo.reset();
  });

  it('remembers a sent alert and reads it back (round trip through a mocked table)', async () => {
    // Arrange: a table that stores what PutItem writes and returns it on GetItem.
    const table = new Map<string, Record<string, AttributeValue>>();
    dynamo.on(PutItemCommand).callsFake((input: { Item: Record<string, AttributeValue> }) => {
      table.set(input.Item.pk?.S ?? '', input.Item);
      return {};
    });
    dynamo.on(GetItemCommand).callsFake((input: { Key: Record<string, AttributeValue> }) => {
      const found = table.get(input.Key.pk?.S ?? '');
      return found ? { Item: found } : {};
    });
    const at = new Date('2026-11-23T06:00:00.000Z');

    // Act
    const before = await memory().lastSent(KEY);
    await memory().remember(KEY, at);
    const after = await memory().lastSent(KEY);

    // Assert
    expect(before).toBeNull();
    expect(after).toEqual(at);
    expect(dynamo.commandCalls(PutItemCommand).map((c) => c.args[0].input)).toEqual([
      {
        TableName: TABLE,
        Item: {
          pk: { S: PK },
          sentAt: { S: '2026-11-23T06:00:00.000Z' },
          expiresAt: { N: String(at.getTime() / 1000 + 48 * 3600) },
        },
      },
    ]);
    expect(dynamo.commandCalls(GetItemCommand).map((c) => c.args[0].input)).toEqual([
      { TableName: TABLE, Key: { pk: { S: PK } }, ConsistentRead: true },
      { TableName: TABLE, Key: { pk: { S: PK } }, ConsistentRead: true },
    ]);
  });

  it('reads an unreadable sentAt as never sent', async () => {
    dynamo.on(GetItemCommand).resolves({ Item: { pk: { S: PK }, sentAt: { S: 'yesterday' } } });

    await expect(memory().lastSent(KEY)).resolves.toBeNull();
  });

  it('throws AlertDeliveryError naming the table when DynamoDB fails', async () => {
    const missing = Object.assign(new Error('no table'), { name: 'ResourceNotFoundException' });
    dynamo.on(GetItemCommand).rejects(missing).on(PutItemCommand).rejects(missing);

    await expect(memory().lastSent(KEY)).rejects.toMatchObject({
      name: ERROR_NAMES.alertDelivery,
      cause: missing,
      message: expect.stringContaining(TABLE),
    });
    await expect(memory().remember(KEY, new Date())).rejects.toMatchObject({
      name: ERROR_NAMES.alertDelivery,
      message: expect.stringContaining('dynamodb:PutItem'),
    });
  });
});
