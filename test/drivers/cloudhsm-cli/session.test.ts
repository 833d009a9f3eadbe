import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { CommandTimeoutError, TransportError } from '#core/errors.ts';
import { Secret } from '#core/secret.ts';
import { readEnvelope } from '#drivers/cloudhsm-cli/parse/envelope.ts';
import { CloudHsmCliSession, commandWords } from '#drivers/cloudhsm-cli/session.ts';

const ECHO = [
  process.execPath,
  join(import.meta.dirname, '..', '..', 'support', 'cloudhsm-cli', 'echo-cli.ts'),
];
const PASSWORD = new Secret('Cu-pass-5e3a9');
const NEW_PASSWORD = new Secret('New-user-pass-77');

function session(command: readonly string[] = ECHO, timeoutMs = 20_000) {
  return new CloudHsmCliSession({
    command,
    configPath: '/tmp/run-1/cloudhsm-cli.cfg',
    env: {
      ...process.env,
      CLOUDHSM_PIN: 'inherited:Parent-secret-1',
      CLOUDHSM_ROLE: 'admin',
      DESTINATION_CLOUDHSM_PIN: 'x:y',
      HSM_SENTINEL_TEST_VALUE: 'kept',
      // The variable a password was read from: never inherited by the CLI.
      HSM_CU_PASSWORD: 'Cu-pass-5e3a9',
    },
    timeoutMs,
    secrets: [PASSWORD, NEW_PASSWORD],
  });
}

const data = (stdout: string) => readEnvelope('echo', stdout) as Record<string, unknown>;

describe('the cloudhsm-cli session (single-command mode, one process per command)', () => {
  it('passes the config and the command words as argv, and never the inherited credentials', async () => {
    const s = session();

    const out = await s.run(['user', 'list']);

    expect(out.stdout).not.toContain('Cu-pass-5e3a9');
    expect(data(out.stdout)).toMatchObject({
      argv: ['--config', '/tmp/run-1/cloudhsm-cli.cfg', 'user', 'list'],
      role: null,
      pin: null,
      destinationPin: null,
      other: 'kept',
      stdin: '',
    });
    expect(out.exitCode).toBe(0);
    expect(s.processes).toBe(1);
  });

  it('puts the credentials in the child environment only (CLOUDHSM_ROLE, CLOUDHSM_PIN=<user>:<password>), never in argv', async () => {
    const out = await session().run(['key', 'list', '--verbose'], {
      login: { role: 'crypto-user', username: 'alice', password: PASSWORD },
    });

    const seen = data(out.stdout);
    expect(seen).toMatchObject({ role: 'crypto-user', pin: 'alice:Cu-pass-5e3a9' });
    expect((seen.argv as string[]).join(' ')).not.toContain('Cu-pass');
  });

  it('writes a password a command asks for to its stdin, one line per prompt, and keeps none of it', async () => {
    const s = session();

    const out = await s.run(['user', 'create', '--username', 'carol', '--role', 'crypto-user'], {
      login: { role: 'admin', username: 'admin', password: PASSWORD },
      stdinLines: [NEW_PASSWORD, NEW_PASSWORD],
    });

    expect(data(out.stdout).stdin).toBe('New-user-pass-77\nNew-user-pass-77\n');
    expect(s.transcript()).toContain('(2 line(s) on stdin, not kept)');
    expect(s.transcript()).not.toContain('New-user-pass-77');
  });

  it('keeps a redacted transcript: the command with the credential names, the reply start, stderr, the exit', async () => {
    const s = session();

    const out = await s.run(['echo-pin'], {
      login: { role: 'crypto-user', username: 'alice', password: PASSWORD },
    });

    expect(out.stderr).toBe('pin was alice:<redacted>\n');
    const transcript = s.transcript();
    expect(transcript).toContain(
      '$ CLOUDHSM_ROLE=crypto-user CLOUDHSM_PIN=alice:<redacted> cloudhsm-cli --config /tmp/run-1/cloudhsm-cli.cfg echo-pin',
    );
    expect(transcript).toContain('[exit 0]');
    expect(transcript).not.toContain('Cu-pass-5e3a9');
    expect(transcript).not.toContain('Parent-secret-1');
  });

  it('kills a command past its deadline (CommandTimeoutError) and reports a program that cannot start (TransportError)', async () => {
    const started = performance.now();
    await expect(session(ECHO, 500).run(['sleep'])).rejects.toBeInstanceOf(CommandTimeoutError);
    expect(performance.now() - started).toBeLessThan(10_000);
    await expect(session(['/nonexistent/cloudhsm-cli']).run(['user', 'list'])).rejects.toBeInstanceOf(
      TransportError,
    );
  });

  it('names a command by its words, without its options', () => {
    expect(commandWords(['key', 'list', '--verbose', '--max-items', '1000'])).toBe('key list');
    expect(commandWords(['user', 'list'])).toBe('user list');
  });
});
