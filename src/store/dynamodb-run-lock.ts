/**
 * The run lock (src/workflow/run-lock.ts) in the DynamoDB table of the alert memory
 * (STATE_TABLE, partition key `pk`, TTL attribute `expiresAt`): one item per cluster,
 * `pk = lock#<clusterId>`, `runId` (the execution name holding it), `acquiredAt` (ISO) and
 * `expiresAt` (epoch seconds: the end of the lease, also the table's TTL).
 *
 * - acquire: PutItem if `attribute_not_exists(pk) OR expiresAt < :now`; else the holder is
 *   read back (GetItem, ConsistentRead) and named.
 * - takeOver: PutItem if `runId = :stale` (the caller checked that the holder is not running).
 * - release: DeleteItem if `runId = :runId`; a lock held by another run is left alone.
 *
 * The lease defaults to 6 hours: longer than the state machine's 4-hour timeout, so it never
 * ends under a live run, and short enough that a lost release (a run that died before its
 * Alert step) blocks the cluster for a few hours at worst; the trigger takes over earlier
 * when the holder is no longer RUNNING.
 */
import {
  type AttributeValue,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
} from '@aws-sdk/client-dynamodb';
import { ConfigurationError, type HsmSentinelError, TransportError } from '#core/errors.ts';
import { DEFAULT_RUN_LOCK_LEASE_HOURS, type RunLock, type RunLockAcquisition } from './run-lock.ts';

export interface DynamoDbRunLockOptions {
  /** How long a lock holds without a release (also its TTL). Default 6 hours. */
  leaseHours?: number;
}

/** The partition key of a cluster's lock item. */
export function lockItemKey(clusterId: string): string {
  return `lock#${clusterId}`;
}

const CONDITION_FAILED = 'ConditionalCheckFailedException';
/** A holder that vanishes between a failed put and the read is retried this often. */
const ACQUIRE_ATTEMPTS = 3;

export class DynamoDbRunLock implements RunLock {
  readonly #tableName: string;
  readonly #client: DynamoDBClient;
  readonly #leaseSeconds: number;

  constructor(
    tableName: string,
    client: DynamoDBClient = new DynamoDBClient({}),
    options: DynamoDbRunLockOptions = {},
  ) {
    if (!tableName) throw new ConfigurationError('run lock: no table name (set STATE_TABLE)');
    const hours = options.leaseHours ?? DEFAULT_RUN_LOCK_LEASE_HOURS;
    if (!(hours > 0)) throw new ConfigurationError(`run lock: lease of ${hours} hours (expected > 0)`);
    this.#tableName = tableName;
    this.#client = client;
    this.#leaseSeconds = Math.round(hours * 3600);
  }

  get leaseSeconds(): number {
    return this.#leaseSeconds;
  }

  async acquire(clusterId: string, runId: string, now: Date): Promise<RunLockAcquisition> {
    for (let attempt = 1; ; attempt++) {
      const put = await this.#put(clusterId, runId, now, 'attribute_not_exists(pk) OR expiresAt < :now', {
        ':now': { N: String(epochSeconds(now)) },
      });
      if (put) return { acquired: true };
      const holder = await this.#holder(clusterId);
      if (holder) return holder;
      // Released (or expired and swept) between the put and the read: try again.
      if (attempt >= ACQUIRE_ATTEMPTS) {
        throw new TransportError(
          `run lock: the lock of ${clusterId} in ${this.#tableName} changed ${ACQUIRE_ATTEMPTS} times while it was acquired: retry`,
          { context: { table: this.#tableName, clusterId } },
        );
      }
    }
  }

  async takeOver(
    clusterId: string,
    staleRunId: string,
    runId: string,
    now: Date,
  ): Promise<RunLockAcquisition> {
    const put = await this.#put(clusterId, runId, now, 'runId = :stale', { ':stale': { S: staleRunId } });
    if (put) return { acquired: true };
    // Someone else took it over (or it was released): name whoever holds it now, else try afresh.
    return (await this.#holder(clusterId)) ?? this.acquire(clusterId, runId, now);
  }

  async release(clusterId: string, runId: string): Promise<void> {
    try {
      await this.#client.send(
        new DeleteItemCommand({
          TableName: this.#tableName,
          Key: { pk: { S: lockItemKey(clusterId) } },
          ConditionExpression: 'runId = :runId',
          ExpressionAttributeValues: { ':runId': { S: runId } },
        }),
      );
    } catch (cause) {
      if (errorName(cause) === CONDITION_FAILED) return;
      throw this.#failure('dynamodb:DeleteItem', cause);
    }
  }

  /** Conditional PutItem of the lock; false when the condition failed. */
  async #put(
    clusterId: string,
    runId: string,
    now: Date,
    condition: string,
    values: Record<string, AttributeValue>,
  ): Promise<boolean> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            pk: { S: lockItemKey(clusterId) },
            runId: { S: runId },
            acquiredAt: { S: now.toISOString() },
            expiresAt: { N: String(epochSeconds(now) + this.#leaseSeconds) },
          },
          ConditionExpression: condition,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (cause) {
      if (errorName(cause) === CONDITION_FAILED) return false;
      throw this.#failure('dynamodb:PutItem', cause);
    }
  }

  async #holder(clusterId: string): Promise<RunLockAcquisition | null> {
    let item: Record<string, AttributeValue> | undefined;
    try {
      const out = await this.#client.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key: { pk: { S: lockItemKey(clusterId) } },
          ConsistentRead: true,
        }),
      );
      item = out.Item;
    } catch (cause) {
      throw this.#failure('dynamodb:GetItem', cause);
    }
    const heldBy = item?.runId?.S;
    if (heldBy === undefined) return null;
    const acquiredAt = item?.acquiredAt?.S;
    return { acquired: false, heldBy, ...(acquiredAt === undefined ? {} : { acquiredAt }) };
  }

  #failure(action: string, cause: unknown): HsmSentinelError {
    const name = errorName(cause);
    const options = { cause, context: { table: this.#tableName, awsError: name } };
    const message = `run lock: ${action} on table ${this.#tableName} failed (${name})`;
    if (['AccessDeniedException', 'ResourceNotFoundException'].includes(name)) {
      return new ConfigurationError(
        `${message}: check STATE_TABLE and that the role may call ${action}`,
        options,
      );
    }
    return new TransportError(`${message}: retry`, options);
  }
}

function epochSeconds(at: Date): number {
  return Math.floor(at.getTime() / 1000);
}

function errorName(cause: unknown): string {
  return cause instanceof Error ? cause.name : 'Error';
}
