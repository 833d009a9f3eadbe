import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { ConfigurationError } from '#core/errors.ts';
import { SecretsManagerSecrets } from '#providers/aws/secrets-manager-secrets.ts';
import { localSecretReader } from '#providers/credentials.ts';

const ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:hsm-sentinel/alice-AbCdEf';
const secretsManager = mockClient(SecretsManagerClient);

describe('named secrets (the SDK 5 crypto users and re-created users)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'secret-readers-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  afterEach(() => {
    secretsManager.reset();
  });

  it('on AWS: a Secrets Manager secret {"username","password"} per reference, read once and reused', async () => {
    secretsManager.on(GetSecretValueCommand, { SecretId: ARN }).resolves({
      SecretString: JSON.stringify({ username: 'alice', password: 'Alice-pass-123' }),
      VersionId: 'v1',
    });
    const reader = new SecretsManagerSecrets(new SecretsManagerClient({ region: 'us-east-1' }));

    const first = await reader.read(ARN);
    const again = await reader.read(ARN);

    expect(first.password.reveal()).toBe('Alice-pass-123');
    expect(first.version).toBe(`${ARN}#v1`);
    expect(again.password.reveal()).toBe('Alice-pass-123');
    expect(String(first.password)).toBe('<redacted>');
    expect(secretsManager.commandCalls(GetSecretValueCommand)).toHaveLength(1);
  });

  it('on this machine: env:NAME and file:PATH; anything else, or a missing variable, is a ConfigurationError naming the reference only', async () => {
    const file = join(dir, 'carol.json');
    await writeFile(file, JSON.stringify({ username: 'carol', password: 'Carol-pass-456' }));
    await chmod(file, 0o600);
    const reader = localSecretReader({ ALICE_PW: 'Alice-pass-123' });

    expect(await reader.read('env:ALICE_PW')).toMatchObject({ version: null });
    expect((await reader.read('env:ALICE_PW')).password.reveal()).toBe('Alice-pass-123');
    expect((await reader.read(`file:${file}`)).password.reveal()).toBe('Carol-pass-456');
    expect((await reader.read(`file:${file}`)).version).toMatch(/^mtime /);
    await expect(reader.read('env:NOT_SET')).rejects.toThrow(
      /secret env:NOT_SET: environment variable NOT_SET is not set/,
    );
    await expect(reader.read(ARN)).rejects.toBeInstanceOf(ConfigurationError);
  });
});
