/**
 * `hsm-sentinel parse` on hostile input: whatever arrives on stdin, the command prints JSON and
 * exits 0, or prints exactly one line `hsm-sentinel parse: ParseError: <command>: line N: …`
 * (nothing raw in it, no stack trace) and exits 1, in bounded time.
 */
import { spawn } from 'node:child_process';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { CliIo } from '#cli/io.ts';
import { main } from '#cli/main.ts';
import { PARSEABLE_COMMANDS } from '#drivers/mgmt-util/transcript.ts';
import { CLI, PROJECT_ROOT } from '../support/cli/run-cli.ts';
import { firstRawCharacter } from '../support/core/raw-characters.ts';
import { transcript } from '../support/fixtures.ts';

const TRANSCRIPTS: Record<(typeof PARSEABLE_COMMANDS)[number], string> = {
  listUsers: transcript('aws-listUsers.txt'),
  findAllKeys: transcript('aws-findAllKeys.txt'),
  loginHSM:
    'aws-cloudhsm>loginHSM CO admin <password>\nloginHSM success on server 0(10.0.2.9)\naws-cloudhsm>',
  getKeyInfo: `aws-cloudhsm> getKeyInfo -k 8\n${transcript('aws-getKeyInfo.txt')}`,
};

async function runInProcess(
  args: string[],
  stdin: string,
): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readStdin: async () => stdin,
    env: {},
    cwd: process.cwd(),
  };
  const code = await main(args, io);
  return { code, out: out.join(''), err: err.join('') };
}

function expectJsonOrOneErrorLine(command: string, result: { code: number; out: string; err: string }): void {
  if (result.code === 0) {
    expect(result.err).toBe('');
    expect(JSON.parse(result.out)).toHaveProperty('command', command);
    return;
  }
  expect(result.code).toBe(1);
  expect(result.out).toBe('');
  expect(result.err.endsWith('\n')).toBe(true);
  const line = result.err.slice(0, -1);
  expect(line).not.toContain('\n');
  expect(firstRawCharacter(line)).toBeNull();
  expect(line).not.toMatch(/\bat (?:file:|node:|\S+ \()/);
  expect(line.startsWith(`hsm-sentinel parse: ParseError: ${command}: line `)).toBe(true);
  expect(line.length).toBeLessThan(1200);
}

const fragmentArb = fc.oneof(
  fc.constantFrom('\n', '\r\n', '\r', '\u0000', '\ufffd', '\u001b[31m', '\u202e', '\u200d', '\u2028'),
  fc.constantFrom(
    'aws-cloudhsm>',
    '\naws-cloudhsm>\n',
    '\naws-cloudhsm> syncUser 3 1\n',
    '\nsyncUser 3 1\n',
    '\nserver0>\n',
    'cloudmgmt>',
    ' on server 1(',
    '\nUsers on server 1(10.0.0.2):\n',
  ),
  fc.integer({ min: 1, max: 3000 }).map((n) => ' '.repeat(n)),
);

describe('hsm-sentinel parse on hostile input', () => {
  it.each(PARSEABLE_COMMANDS)(
    '%s: JSON and exit 0, or one clean ParseError line and exit 1',
    async (command) => {
      const base = TRANSCRIPTS[command];
      await fc.assert(
        fc.asyncProperty(
          fc.array(fc.tuple(fc.nat({ max: base.length }), fragmentArb), { maxLength: 3 }),
          fc.boolean(),
          async (inserts, crlf) => {
            let text = base;
            for (const [at, fragment] of [...inserts].sort((a, b) => b[0] - a[0])) {
              text = `${text.slice(0, at)}${fragment}${text.slice(at)}`;
            }
            if (crlf) text = text.replace(/\n/g, '\r\n');

            expectJsonOrOneErrorLine(command, await runInProcess(['parse', command], text));
          },
        ),
        { numRuns: 150 },
      );
    },
  );

  it.each([
    ['empty input', ''],
    ['whitespace only', '  \n \r\n\t\n'],
    ['a 10 MB line', `Users on server 0(10.0.0.1):\n${'x'.repeat(10 * 1024 * 1024)}\n`],
    ['a 10 MB line without a line break', 'y'.repeat(10 * 1024 * 1024)],
    ['20 MB of short lines', 'Number of users found:1\n'.repeat(900_000)],
    ['NUL bytes', '\u0000\u0000\u0000\n'],
    ['only a prompt', 'aws-cloudhsm>'],
  ])('listUsers with %s: one ParseError line', async (_, stdin) => {
    const result = await runInProcess(['parse', 'listUsers'], stdin);

    expect(result.code).toBe(1);
    expectJsonOrOneErrorLine('listUsers', result);
  });

  it('as a process: invalid UTF-8 and a 10 MB line end in one error line each, in bounded time', async () => {
    const run = (stdin: Buffer): Promise<{ code: number | null; out: string; err: string }> =>
      new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [CLI, 'parse', 'listUsers'], {
          cwd: PROJECT_ROOT,
          stdio: ['pipe', 'pipe', 'pipe'],
        });
        let out = '';
        let err = '';
        child.stdout.on('data', (c: Buffer) => (out += c.toString()));
        child.stderr.on('data', (c: Buffer) => (err += c.toString()));
        child.on('error', reject);
        child.on('close', (code) => resolve({ code, out, err }));
        child.stdin.end(stdin);
      });
    const listing = Buffer.from(transcript('aws-listUsers.txt'));
    const at = listing.indexOf('officer2');
    const invalidUtf8 = Buffer.concat([
      listing.subarray(0, at),
      Buffer.from([0xff, 0xc3, 0x28]),
      listing.subarray(at),
    ]);

    const bad = await run(invalidUtf8);
    const long = await run(Buffer.from(`Users on server 0(10.0.0.1):\n${'z'.repeat(10 * 1024 * 1024)}\n`));

    for (const result of [bad, long]) {
      expect(result.code).toBe(1);
      expectJsonOrOneErrorLine('listUsers', { code: 1, out: result.out, err: result.err });
    }
    expect(bad.err).toMatch(/user name/);
    expect(long.err).toMatch(/longer than/);
  });
});
