import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { credentialsSource } from '#providers/credentials.ts';

const PASSWORD = 'Fi1e-Pa55word-9d3e';

async function failureOf(promise: Promise<unknown>): Promise<Error> {
  const error = await promise.then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof Error)) throw new Error('expected a failure');
  return error;
}

describe('credentialsSource (file)', () => {
  it('never carries the file text in the error (or its cause) when the file is not JSON', async () => {
    // Arrange: a hand-edited file with the password left unquoted, so JSON.parse quotes it.
    const dir = await mkdtemp(join(tmpdir(), 'hsm-sentinel-creds-'));
    const path = join(dir, 'co.json');
    await writeFile(path, `{"username": "sentinel_co", "password": ${PASSWORD}}`);
    await chmod(path, 0o600);

    // Act
    const error = await failureOf(credentialsSource({ from: 'file', path }).get());

    // Assert
    expect(error.name).toBe('ConfigurationError');
    expect(error.message).toContain('is not JSON');
    // V8 quotes about ten characters around the bad token: the start of the password.
    const start = PASSWORD.slice(0, 8);
    expect(inspect(error, { depth: 10 })).not.toContain(start);
    expect(String((error as { cause?: unknown }).cause ?? '')).not.toContain(start);
  });
});
