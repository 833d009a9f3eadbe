/**
 * Artifacts in an S3 bucket (REPORT_BUCKET), under an optional prefix. Keys handed back are
 * the logical keys (without the prefix), as with every other store.
 */
import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import {
  ArtifactNotFoundError,
  ConfigurationError,
  type HsmSentinelError,
  InvalidInputError,
  TransportError,
} from '#core/errors.ts';
import type { ArtifactStore } from './artifact-store.ts';

export interface S3StoreOptions {
  /** Folder inside the bucket, e.g. `hsm-sentinel/` (a missing trailing slash is added). */
  prefix?: string;
  /** Encrypt with KMS (`aws:kms`); with a key id, that key instead of the AWS managed one. */
  kms?: boolean | { keyId: string };
  /** How long the links the alert carries (pre-signed GET URLs) are valid; default 7 days, the SigV4 maximum. */
  linkExpiresInSeconds?: number;
}

/** SigV4 pre-signed URLs live at most 7 days. */
export const MAX_LINK_SECONDS = 7 * 24 * 3600;

const NOT_FOUND = new Set(['NoSuchKey', 'NotFound']);
const DENIED = new Set(['AccessDenied', 'NoSuchBucket', 'InvalidAccessKeyId', 'KMS.AccessDeniedException']);

export class S3Store implements ArtifactStore {
  readonly bucket: string;
  readonly prefix: string;
  readonly #client: S3Client;
  readonly #encryption: { ServerSideEncryption?: 'aws:kms'; SSEKMSKeyId?: string };
  readonly #linkSeconds: number;

  constructor(bucket: string, client: S3Client = new S3Client({}), options: S3StoreOptions = {}) {
    if (!bucket) throw new ConfigurationError('S3 store: no bucket (set REPORT_BUCKET)');
    this.bucket = bucket;
    this.#client = client;
    const prefix = options.prefix ?? '';
    this.prefix = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    const kms = options.kms ?? false;
    this.#encryption =
      kms === false
        ? {}
        : kms === true
          ? { ServerSideEncryption: 'aws:kms' }
          : { ServerSideEncryption: 'aws:kms', SSEKMSKeyId: kms.keyId };
    this.#linkSeconds = Math.min(options.linkExpiresInSeconds ?? MAX_LINK_SECONDS, MAX_LINK_SECONDS);
  }

  /**
   * A pre-signed GET URL of the artifact, signed here without a network call. It is valid for
   * the link lifetime or until the signing credentials expire, whichever comes first: signed
   * with a Lambda role's temporary credentials, that is the session's end (hours, not days).
   * Whoever opens it needs nothing else, so the alert's readers must be the report's readers.
   */
  async linkTo(key: string): Promise<string> {
    return getSignedUrl(
      this.#client,
      new GetObjectCommand({ Bucket: this.bucket, Key: this.#objectKey(key) }),
      {
        expiresIn: this.#linkSeconds,
      },
    );
  }

  async putJson(key: string, value: unknown): Promise<string> {
    return this.#put(key, JSON.stringify(value), 'application/json');
  }

  async putText(key: string, text: string, contentType = 'text/plain; charset=utf-8'): Promise<string> {
    return this.#put(key, text, contentType);
  }

  async getJson<T>(key: string): Promise<T> {
    let text: string;
    try {
      const out = await this.#client.send(
        new GetObjectCommand({ Bucket: this.bucket, Key: this.#objectKey(key) }),
      );
      if (!out.Body) throw new Error('empty body');
      text = await out.Body.transformToString('utf-8');
    } catch (cause) {
      throw this.#failure('read', key, cause);
    }
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new InvalidInputError(
        `artifact ${this.#where(key)} is not JSON: it was not written by hsm-sentinel`,
        {
          cause,
        },
      );
    }
  }

  async #put(key: string, body: string, contentType: string): Promise<string> {
    try {
      await this.#client.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: this.#objectKey(key),
          Body: body,
          ContentType: contentType,
          ...this.#encryption,
        }),
      );
    } catch (cause) {
      throw this.#failure('write', key, cause);
    }
    return key;
  }

  #objectKey(key: string): string {
    if (key === '' || key.startsWith('/')) {
      throw new InvalidInputError(
        `artifact key '${key}' must be a relative path such as runs/<id>/report.json`,
      );
    }
    return `${this.prefix}${key}`;
  }

  #where(key: string): string {
    return `s3://${this.bucket}/${this.prefix}${key}`;
  }

  #failure(what: 'read' | 'write', key: string, cause: unknown): HsmSentinelError {
    if (cause instanceof InvalidInputError) return cause;
    const name = cause instanceof Error ? cause.name : 'Error';
    const options = { cause, context: { bucket: this.bucket, key, awsError: name } };
    if (what === 'read' && NOT_FOUND.has(name)) {
      return new ArtifactNotFoundError(
        key,
        `artifact ${this.#where(key)} does not exist: it was never written, or the bucket's lifecycle removed it`,
        options,
      );
    }
    if (DENIED.has(name)) {
      const action = what === 'read' ? 's3:GetObject' : 's3:PutObject';
      return new ConfigurationError(
        `could not ${what} ${this.#where(key)} (${name}): check REPORT_BUCKET and that the role may call ${action} (and use the KMS key)`,
        options,
      );
    }
    return new TransportError(`could not ${what} ${this.#where(key)} (${name}): retry`, options);
  }
}
