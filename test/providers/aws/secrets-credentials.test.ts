import { inspect } from 'node:util';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { ERROR_NAMES } from '#core/errors.ts';
import { SecretsManagerCredentials } from '#providers/aws/secrets-credentials.ts';

const SECRET_ARN = 'arn:aws:secretsmanager:us-east-1:111122223333:secret:hsm-sentinel/co-AbCdEf';
const PASSWORD = 'Sm-Pa55word-41c2';
const secrets = mockClient(SecretsManagerClient);

function source(now: () => number = () => 0) {
  return new SecretsManagerCredentials(SECRET_ARN, new SecretsManagerClient({ region: 'us-east-1' }), {
    maxAgeMs: 60_000,
    now,
  });
}

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected a failure');
  return error;
}

describe('SecretsManagerCredentials', () => {
  afterEach(() => {
    secrets.reset();
  });

  it('reads the secret once and reuses it within maxAgeMs', async () => {
    // Arrange
    let clock = 0;
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ username: 'sentinel_co', password: PASSWORD }),
      VersionId: 'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
    });
    const credentials = source(() => clock);

    // Act
    const first = await credentials.get();
    clock = 30_000;
    await credentials.get();
    clock = 61_000;
    await credentials.get();

    // Assert
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input)).toEqual([
      { SecretId: SECRET_ARN },
      { SecretId: SECRET_ARN },
    ]);
    expect(first.role).toBeNull();
    // The lockout guard's key: the secret's version, never anything derived from the password.
    expect(first.version).toBe(`${SECRET_ARN}#a1b2c3d4-5678-90ab-cdef-EXAMPLE11111`);
    expect(first.username).toBe('sentinel_co');
    expect(first.password.reveal()).toBe(PASSWORD);
    expect(inspect(first)).not.toContain(PASSWORD);
  });

  it('takes the role in the tool\'s words, from "role" or the older "userType"', async () => {
    secrets
      .on(GetSecretValueCommand)
      .resolvesOnce({
        SecretString: JSON.stringify({ username: 'admin', password: PASSWORD, userType: 'PCO' }),
      })
      .resolvesOnce({
        SecretString: JSON.stringify({ username: 'admin', password: PASSWORD, role: 'crypto-user' }),
      });

    await expect(source().get()).resolves.toMatchObject({ role: 'PCO', username: 'admin', version: null });
    await expect(source().get()).resolves.toMatchObject({ role: 'crypto-user' });
  });

  it('rejects bad secrets without ever quoting them', async () => {
    const bad = [
      `not json ${PASSWORD}`,
      JSON.stringify([PASSWORD]),
      JSON.stringify({ username: 'has space', password: PASSWORD }),
      JSON.stringify({ username: 'admin', password: `${PASSWORD} tail` }),
      JSON.stringify({ username: 'admin', password: PASSWORD, role: 'co; rm -rf' }),
    ];
    for (const text of bad) {
      secrets.reset();
      secrets.on(GetSecretValueCommand).resolves({ SecretString: text });

      const error = await failureOf(source().get());

      expect(error.name).toBe(ERROR_NAMES.configuration);
      expect(error.message).toContain(SECRET_ARN);
      expect(inspect(error, { depth: 5 })).not.toContain(PASSWORD);
    }
  });

  it('does not remember a failed read', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(Object.assign(new Error('slow down'), { name: 'ThrottlingException' }))
      .resolves({ SecretString: JSON.stringify({ username: 'admin', password: PASSWORD }) });
    const credentials = source();

    await expect(credentials.get()).rejects.toMatchObject({ name: ERROR_NAMES.transport });
    await expect(credentials.get()).resolves.toMatchObject({ username: 'admin' });
    expect(secrets.commandCalls(GetSecretValueCommand)).toHaveLength(2);
  });

  it('says which permission is missing when access is denied', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejects(Object.assign(new Error('denied'), { name: 'AccessDeniedException' }));

    await expect(source().get()).rejects.toMatchObject({
      name: ERROR_NAMES.configuration,
      message: expect.stringContaining('secretsmanager:GetSecretValue'),
    });
  });
});
