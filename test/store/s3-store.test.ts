import { GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { ERROR_NAMES } from '#core/errors.ts';
import { artifactKeys } from '#store/artifact-store.ts';
import { S3Store } from '#store/s3-store.ts';

const BUCKET = 'hsm-sentinel-reports-111122223333';
const s3 = mockClient(S3Client);

/** The part of a GetObject Body the store uses. */
function body(text: string) {
  return { transformToString: async () => text } as never;
}

function store(options: ConstructorParameters<typeof S3Store>[2] = {}): S3Store {
  return new S3Store(BUCKET, new S3Client({ region: 'us-east-1' }), options);
}

describe('S3Store', () => {
  afterEach(() => {
    s3.reset();
  });

  it('writes JSON under the prefix with KMS encryption and reads it back', async () => {
    // Arrange: a bucket that keeps what PutObject writes.
    const objects = new Map<string, string>();
    s3.on(PutObjectCommand).callsFake((input: { Key: string; Body: string }) => {
      objects.set(input.Key, input.Body);
      return {};
    });
    s3.on(GetObjectCommand).callsFake((input: { Key: string }) => {
      const text = objects.get(input.Key);
      if (text === undefined)
        throw Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' });
      return { Body: body(text) };
    });
    const key = artifactKeys.plan('run-1');
    const s = store({ prefix: 'sentinel', kms: { keyId: 'alias/hsm-sentinel' } });

    // Act
    const returned = await s.putJson(key, { actions: [1, 2] });
    const read = await s.getJson<{ actions: number[] }>(returned);

    // Assert
    expect(returned).toBe(key);
    expect(read).toEqual({ actions: [1, 2] });
    expect(s3.commandCalls(PutObjectCommand).map((c) => c.args[0].input)).toEqual([
      {
        Bucket: BUCKET,
        Key: `sentinel/${key}`,
        Body: '{"actions":[1,2]}',
        ContentType: 'application/json',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: 'alias/hsm-sentinel',
      },
    ]);
    expect(s3.commandCalls(GetObjectCommand).map((c) => c.args[0].input)).toEqual([
      { Bucket: BUCKET, Key: `sentinel/${key}` },
    ]);
  });

  it('writes text pages without encryption settings when KMS is off', async () => {
    s3.on(PutObjectCommand).resolves({});

    await store().putText('runs/run-1/report.txt', 'report');

    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toEqual({
      Bucket: BUCKET,
      Key: 'runs/run-1/report.txt',
      Body: 'report',
      ContentType: 'text/plain; charset=utf-8',
    });
  });

  it('says clearly when an artifact does not exist', async () => {
    s3.on(GetObjectCommand).rejects(
      Object.assign(new Error('The specified key does not exist.'), { name: 'NoSuchKey' }),
    );

    await expect(store().getJson('runs/run-9/plan.json')).rejects.toMatchObject({
      name: ERROR_NAMES.artifactNotFound,
      key: 'runs/run-9/plan.json',
      message: expect.stringContaining(`s3://${BUCKET}/runs/run-9/plan.json does not exist`),
    });
  });

  it('maps access denied to a ConfigurationError and other failures to TransportError', async () => {
    s3.on(PutObjectCommand)
      .rejectsOnce(Object.assign(new Error('denied'), { name: 'AccessDenied' }))
      .rejectsOnce(Object.assign(new Error('reset'), { name: 'InternalError' }));

    await expect(store().putJson('runs/r/plan.json', {})).rejects.toMatchObject({
      name: ERROR_NAMES.configuration,
      message: expect.stringContaining('s3:PutObject'),
    });
    await expect(store().putJson('runs/r/plan.json', {})).rejects.toMatchObject({
      name: ERROR_NAMES.transport,
    });
  });

  it('rejects an object that is not JSON', async () => {
    s3.on(GetObjectCommand).resolves({ Body: body('<html>') });

    await expect(store().getJson('runs/r/plan.json')).rejects.toMatchObject({
      name: ERROR_NAMES.invalidInput,
    });
  });
});
