/**
 * Alert memory in a DynamoDB table (STATE_TABLE): one item per unresolved problem set,
 * `pk = alert#<sha256 of the dedup key>` (dedup keys can exceed DynamoDB's 2 KiB key limit),
 * `sentAt` (ISO) and `expiresAt` (epoch seconds, the table's TTL attribute).
 */
import { createHash } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { AlertDeliveryError, ConfigurationError } from '#core/errors.ts';
import type { AlertMemory } from './alert-sink.ts';

export interface DynamoDbAlertMemoryOptions {
  /** How long an item lives (TTL); keep it longer than the alert window. Default 7 days. */
  ttlHours?: number;
}

const DEFAULT_TTL_HOURS = 24 * 7;

/** The partition key of a dedup key's item. */
export function alertItemKey(dedupKey: string): string {
  return `alert#${createHash('sha256').update(dedupKey).digest('hex')}`;
}

export class DynamoDbAlertMemory implements AlertMemory {
  readonly #tableName: string;
  readonly #client: DynamoDBClient;
  readonly #ttlSeconds: number;

  constructor(
    tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
    options: DynamoDbAlertMemoryOptions = {},
  ) {
    if (!tableName) throw new ConfigurationError('alert memory: no table name (set STATE_TABLE)');
    this.#tableName = tableName;
    this.#client = client;
    this.#ttlSeconds = Math.round((options.ttlHours ?? DEFAULT_TTL_HOURS) * 3600);
  }

  /** A missing or unreadable `sentAt` reads as "never sent": repeating an alert beats losing one. */
  async lastSent(dedupKey: string): Promise<Date | null> {
    try {
      const out = await this.#client.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key: { pk: { S: alertItemKey(dedupKey) } },
          ConsistentRead: true,
        }),
      );
      const sentAt = out.Item?.sentAt?.S;
      if (sentAt === undefined) return null;
      const at = new Date(sentAt);
      return Number.isNaN(at.getTime()) ? null : at;
    } catch (cause) {
      throw this.#failure('read', cause);
    }
  }

  async remember(dedupKey: string, at: Date): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            pk: { S: alertItemKey(dedupKey) },
            sentAt: { S: at.toISOString() },
            expiresAt: { N: String(Math.floor(at.getTime() / 1000) + this.#ttlSeconds) },
          },
        }),
      );
    } catch (cause) {
      throw this.#failure('write', cause);
    }
  }

  #failure(what: 'read' | 'write', cause: unknown): AlertDeliveryError {
    const name = cause instanceof Error ? cause.name : 'Error';
    const action = what === 'read' ? 'dynamodb:GetItem' : 'dynamodb:PutItem';
    return new AlertDeliveryError(
      `alert memory: could not ${what} table ${this.#tableName} (${name}): check STATE_TABLE and that the role may call ${action}`,
      { cause, context: { table: this.#tableName, awsError: name } },
    );
  }
}
