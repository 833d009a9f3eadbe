/**
 * The refused-credential memory in the DynamoDB state table (STATE_TABLE): one item per
 * refused credential, `pk = refused#<sha256 of cluster, user, version>`, with the refusal as
 * attributes and no expiry (a new secret version, not time, lifts it).
 */
import { DynamoDBClient, GetItemCommand, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { ConfigurationError, TransportError } from '#core/errors.ts';
import { type CredentialMemory, type CredentialRefusal, refusalKey } from './credential-memory.ts';

export const REFUSED_CREDENTIAL_KEYS = 'refused#*';

export function refusalItemKey(clusterId: string, username: string, version: string | null): string {
  return `refused#${refusalKey(clusterId, username, version)}`;
}

export class DynamoDbCredentialMemory implements CredentialMemory {
  readonly #tableName: string;
  readonly #client: DynamoDBClient;

  constructor(tableName: string, client: DynamoDBClient = new DynamoDBClient({})) {
    if (!tableName) throw new ConfigurationError('credential memory: no table name (set STATE_TABLE)');
    this.#tableName = tableName;
    this.#client = client;
  }

  async refusalOf(
    clusterId: string,
    username: string,
    version: string | null,
  ): Promise<CredentialRefusal | null> {
    let item: Record<string, { S?: string }> | undefined;
    try {
      const out = await this.#client.send(
        new GetItemCommand({
          TableName: this.#tableName,
          Key: { pk: { S: refusalItemKey(clusterId, username, version) } },
          ConsistentRead: true,
        }),
      );
      item = out.Item as Record<string, { S?: string }> | undefined;
    } catch (cause) {
      throw this.#failure('read', cause);
    }
    if (!item || item.clusterId?.S !== clusterId) return null;
    return {
      clusterId,
      username: item.username?.S ?? username,
      version: item.version?.S ?? null,
      refusedAt: item.refusedAt?.S ?? '',
      detail: item.detail?.S ?? '',
    };
  }

  async remember(refusal: CredentialRefusal): Promise<void> {
    try {
      await this.#client.send(
        new PutItemCommand({
          TableName: this.#tableName,
          Item: {
            pk: { S: refusalItemKey(refusal.clusterId, refusal.username, refusal.version) },
            clusterId: { S: refusal.clusterId },
            username: { S: refusal.username },
            ...(refusal.version === null ? {} : { version: { S: refusal.version } }),
            refusedAt: { S: refusal.refusedAt },
            detail: { S: refusal.detail },
          },
        }),
      );
    } catch (cause) {
      throw this.#failure('write', cause);
    }
  }

  #failure(what: 'read' | 'write', cause: unknown): Error {
    const name = cause instanceof Error ? cause.name : 'Error';
    const action = what === 'read' ? 'dynamodb:GetItem' : 'dynamodb:PutItem';
    const message = `credential memory: could not ${what} table ${this.#tableName} (${name})`;
    const options = { cause, context: { table: this.#tableName, awsError: name } };
    if (name === 'AccessDeniedException' || name === 'ResourceNotFoundException') {
      return new ConfigurationError(
        `${message}: check STATE_TABLE and that the role may call ${action}`,
        options,
      );
    }
    // Not a transport error to the state machine: a retry would log in again. The run fails instead.
    return new TransportError(`${message}: retry the run`, options);
  }
}
