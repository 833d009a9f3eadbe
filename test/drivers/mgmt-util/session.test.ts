import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { CommandTimeoutError, ParseError, TransportError } from '#core/errors.ts';
import { Secret } from '#core/secret.ts';
import { AWS_PROFILE, AZURE_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import { parseListUsers } from '#drivers/mgmt-util/parse/parse-list-users.ts';
import { MgmtUtilSession } from '#drivers/mgmt-util/session.ts';
import type { FakeScenario } from '../../support/mgmt-util/fake-mgmt-util.ts';
import {
  fakeCommand,
  fakeEnv,
  PASSWORD,
  processExists,
  tempDir,
  user,
  writeConfig,
} from '../../support/mgmt-util/fake-util.ts';

const SCENARIO: FakeScenario = {
  dialect: 'aws',
  password: PASSWORD,
  servers: [
    { users: [user(1, 'admin', 'PCO')], keys: [] },
    { users: [user(1, 'admin', 'PCO')], keys: [] },
  ],
};

describe('MgmtUtilSession', () => {
  let dir: ReturnType<typeof tempDir>;
  const sessions: MgmtUtilSession[] = [];

  beforeEach(() => {
    dir = tempDir();
  });

  afterEach(async () => {
    await Promise.all(sessions.splice(0).map((s) => s.close()));
    dir.dispose();
  });

  async function start(
    scenario: FakeScenario,
    options: { startupTimeoutMs?: number; dialect?: 'aws' | 'azure' } = {},
  ) {
    const dialect = options.dialect ?? 'aws';
    const session = await MgmtUtilSession.start({
      command: fakeCommand(),
      configPath: writeConfig(dir.path, scenario.servers.length, dialect),
      profile: dialect === 'aws' ? AWS_PROFILE : AZURE_PROFILE,
      startupTimeoutMs: options.startupTimeoutMs ?? 10_000,
      closeTimeoutMs: 2_000,
      env: fakeEnv(scenario),
    });
    sessions.push(session);
    return session;
  }

  it('waits for the first prompt and returns each reply up to the next prompt', async () => {
    const session = await start(SCENARIO);

    const reply = await session.run('listUsers', { timeoutMs: 10_000 });

    expect(session.startupText).toMatch(/Connected to server '127\.0\.0\.2'/);
    expect(parseListUsers(reply, AWS_PROFILE).servers).toHaveLength(2);
    expect(session.prompt).toEqual({ mode: 'global' });
  });

  it('follows server mode prompts (`server0>`) and prompts followed by a line break', async () => {
    const session = await start({ ...SCENARIO, dialect: 'azure', promptNewline: true }, { dialect: 'azure' });

    const reply = await session.run('server 1', { timeoutMs: 10_000 });
    const inServer = session.prompt;
    await session.run('exit', { timeoutMs: 10_000 });

    expect(session.startupText).toMatch(/^Liquidsec MGMT Util Version/);
    expect(reply.trim()).toBe("Server is in 'E2' mode...");
    expect(inServer).toEqual({ mode: 'server', server: 1 });
    expect(session.prompt).toEqual({ mode: 'global' });
  });

  it('writes a secret only to stdin and keeps it out of the transcript, even when the util echoes', async () => {
    const session = await start({ ...SCENARIO, echo: true });
    const password = new Secret(PASSWORD);

    const reply = await session.run(['loginHSM', 'CO', 'admin', password], { timeoutMs: 10_000 });

    expect(reply).toContain('loginHSM success on server 0(127.0.0.1)');
    expect(session.transcript()).toContain('aws-cloudhsm> loginHSM CO admin <redacted>');
    expect(session.transcript()).not.toContain(PASSWORD);
  });

  it('times out a command that never answers, then refuses further commands and kills the util on close', async () => {
    const session = await start({ ...SCENARIO, hangOn: 'listUsers' });
    const pid = session.pid as number;

    await expect(session.run('listUsers', { timeoutMs: 300 })).rejects.toBeInstanceOf(CommandTimeoutError);
    await expect(session.run('logoutHSM', { timeoutMs: 300 })).rejects.toBeInstanceOf(TransportError);
    await session.close();

    expect(processExists(pid)).toBe(false);
  });

  it('reports a util that dies mid-reply as a TransportError with its stderr, never the password', async () => {
    const password = new Secret(PASSWORD);
    const session = await start({ ...SCENARIO, exitOn: 'listUsers' });
    await session.run(['loginHSM', 'CO', 'admin', password], { timeoutMs: 10_000 });

    const error = await session.run('listUsers', { timeoutMs: 10_000 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/exited \(code 3\) during "listUsers".*lost connection/);
    expect((error as Error).message).not.toContain(PASSWORD);
    expect(session.alive).toBe(false);
  });

  it('fails to start with a ConfigurationError when the program does not exist', async () => {
    const start = MgmtUtilSession.start({
      command: ['/nonexistent/cloudhsm_mgmt_util'],
      configPath: writeConfig(dir.path, 1),
      profile: AWS_PROFILE,
      startupTimeoutMs: 5_000,
    });

    await expect(start).rejects.toMatchObject({
      name: 'ConfigurationError',
      message: expect.stringMatching(
        /cannot run cloudhsm_mgmt_util \(\/nonexistent\/cloudhsm_mgmt_util: ENOENT\)/,
      ),
    });
  });

  it('times out a util that never shows a prompt, and leaves no process behind', async () => {
    const pidFile = join(dir.path, 'fake.pid');

    const error = await start({ ...SCENARIO, silentStartup: true, pidFile }, { startupTimeoutMs: 300 }).catch(
      (e: unknown) => e,
    );

    expect(error).toBeInstanceOf(CommandTimeoutError);
    expect((error as Error).message).toMatch(/"start-up" did not answer within 300 ms/);
    // Killed before it could write its pid, or killed after: either way it is gone.
    if (existsSync(pidFile)) expect(processExists(Number(readFileSync(pidFile, 'utf8')))).toBe(false);
  });

  it('does not hand the password to the util through its environment', async () => {
    const envFile = join(dir.path, 'env.json');
    const dump = `require('fs').writeFileSync(${JSON.stringify(envFile)}, JSON.stringify(process.env)); process.stdout.write('aws-cloudhsm>'); setTimeout(() => {}, 5000)`;
    const before = process.env.HSM_CO_PASSWORD;
    process.env.HSM_CO_PASSWORD = PASSWORD;
    try {
      for (const env of [undefined, { ...process.env, OTHER_VAR: PASSWORD }]) {
        const session = await MgmtUtilSession.start({
          command: [process.execPath, '-e', dump],
          configPath: writeConfig(dir.path, 1),
          profile: AWS_PROFILE,
          startupTimeoutMs: 10_000,
          closeTimeoutMs: 300,
          secrets: [new Secret(PASSWORD)],
          ...(env ? { env } : {}),
        });
        sessions.push(session);
        const seen = readFileSync(envFile, 'utf8');
        expect(seen).not.toContain(PASSWORD);
        expect(JSON.parse(seen)).toHaveProperty('PATH');
      }
    } finally {
      if (before === undefined) delete process.env.HSM_CO_PASSWORD;
      else process.env.HSM_CO_PASSWORD = before;
    }
  });

  it('closes in bounded time when a child of the util keeps its pipes open', async () => {
    // A wrapper script that ignores quit and SIGTERM and leaves a background child holding stdout.
    const session = await MgmtUtilSession.start({
      command: ['sh', '-c', 'trap "" TERM; sleep 4 & printf "aws-cloudhsm>"; sleep 4', 'sh'],
      configPath: writeConfig(dir.path, 1),
      profile: AWS_PROFILE,
      startupTimeoutMs: 10_000,
      closeTimeoutMs: 300,
    });
    const pid = session.pid as number;
    const started = Date.now();

    await session.close();

    expect(Date.now() - started).toBeLessThan(2_500);
    expect(processExists(pid)).toBe(false);
  });

  it('refuses to go on when the util printed one prompt more than it answered', async () => {
    // A prompt inside the reply: the reply ends there and the real prompt is left over.
    const session = await start({ ...SCENARIO, replies: { listUsers: 'aws-cloudhsm>\n' } });

    await session.run('listUsers', { timeoutMs: 10_000 });
    await new Promise((resolve) => setTimeout(resolve, 200));
    const error = await session.run('logoutHSM', { timeoutMs: 10_000 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/out of step/);
    expect(session.alive).toBe(false);
  });

  it('sends quit on close and lets the util exit by itself', async () => {
    const session = await start(SCENARIO);
    const pid = session.pid as number;

    await session.close();

    expect(processExists(pid)).toBe(false);
    expect(session.transcript()).toMatch(/aws-cloudhsm> quit\n$/);
  });
  /** A util written as a script: prints the prompt, then `onCommand` runs for every line it reads. */
  async function startScript(onCommand: string, options: { startup?: string } = {}) {
    const script = [
      `process.stdout.write(${JSON.stringify(options.startup ?? '')} + 'aws-cloudhsm>');`,
      `require('readline').createInterface({ input: process.stdin }).on('line', (line) => { ${onCommand} });`,
      'setInterval(() => {}, 60000);',
    ].join('\n');
    const session = await MgmtUtilSession.start({
      command: [process.execPath, '-e', script],
      configPath: writeConfig(dir.path, 1),
      profile: AWS_PROFILE,
      startupTimeoutMs: 10_000,
      closeTimeoutMs: 500,
    });
    sessions.push(session);
    return session;
  }

  it('ends the session with a ParseError, at once, when a reply line grows past the line limit (10 MB, no line break)', async () => {
    const session = await startScript(
      `process.stdout.write('Users on server 0(10.0.0.1):\\n' + 'x'.repeat(10 * 1024 * 1024));`,
    );
    const pid = session.pid as number;

    const error = await session.run('listUsers', { timeoutMs: 20_000 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toMatch(/^listUsers: line 2: .*longer than 1048576 characters/);
    expect((error as ParseError).message).not.toMatch(/\n/);
    expect(session.alive).toBe(false);
    await expect(session.run('logoutHSM', { timeoutMs: 1_000 })).rejects.toThrow(
      /session unusable: .*longer than/,
    );
    await session.close();
    expect(processExists(pid)).toBe(false);
  });

  it('ends the session with a ParseError when a reply never ends (an endless stream of short lines)', async () => {
    const session = await startScript(
      "const chunk = 'Number of users found:1\\n'.repeat(4096); const pump = () => { while (process.stdout.write(chunk)) {} process.stdout.once('drain', pump); }; pump();",
    );

    const error = await session.run('listUsers', { timeoutMs: 20_000 }).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toMatch(/^listUsers: line \d+: .*more than 16777216 characters/);
    expect(session.alive).toBe(false);
  });

  it('refuses the next command with a ParseError when the util floods while no command runs', async () => {
    // The util answers `go`, shows its prompt, then keeps printing without being asked.
    const session = await startScript(
      "if (line === 'go') process.stdout.write('ok\\naws-cloudhsm>\\n' + 'y'.repeat(3 * 1024 * 1024));",
    );
    const first = await session.run('go', { timeoutMs: 10_000 });

    const error = await session.run('listUsers', { timeoutMs: 20_000 }).catch((e: unknown) => e);

    expect(first).toBe('ok\n');
    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toMatch(/longer than 1048576 characters/);
  });

  it('still finds a prompt and lines that arrive in pieces', async () => {
    const session = await startScript(
      "const parts = ['Users on server 0(10.0.0.1):\\nNumber of us', 'ers found:0\\n', 'aws-cl', 'oudhsm> ']; const next = () => { const p = parts.shift(); if (p !== undefined) { process.stdout.write(p); setTimeout(next, 20); } }; next();",
    );

    const reply = await session.run('listUsers', { timeoutMs: 10_000 });

    expect(reply).toBe('Users on server 0(10.0.0.1):\nNumber of users found:0\n');
    expect(session.prompt).toEqual({ mode: 'global' });
    expect(session.alive).toBe(true);
  });
});
