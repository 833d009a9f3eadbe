/**
 * The CLI's error lines: one line per error, whatever the message quotes (a util's output, a
 * file's content, a command word), with control, format and bidi characters shown escaped.
 */
import { describe, expect, it } from '@jest/globals';
import type { CliIo } from '#cli/io.ts';
import { main } from '#cli/main.ts';
import { firstRawCharacter } from '../support/core/raw-characters.ts';

function fakeIo(readStdin: () => Promise<string>): { io: CliIo; out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    io: {
      stdout: (t) => void out.push(t),
      stderr: (t) => void err.push(t),
      readStdin,
      env: {},
      cwd: process.cwd(),
    },
    out,
    err,
  };
}

describe('hsm-sentinel error lines', () => {
  it('prints an error whose message spans lines and carries escapes as one escaped line', async () => {
    const { io, err } = fakeIo(async () => {
      throw new Error('first line\nsecond line \u001b[2J\u202eevil');
    });

    const code = await main(['parse', 'listUsers'], io);

    expect(code).toBe(1);
    expect(err).toEqual(['hsm-sentinel parse: Error: first line\\nsecond line \\u001b[2J\\u202eevil\n']);
  });

  it('quotes util output in a parse error without a raw control or bidi character', async () => {
    const { io, err, out } = fakeIo(
      async () => 'Users on server 0(10.0.0.1):\n\u202e\u001b[31mNumber of users found:1\u0085\n',
    );

    const code = await main(['parse', 'listUsers'], io);

    expect(code).toBe(1);
    expect(out).toEqual([]);
    expect(err).toHaveLength(1);
    expect(err[0]?.endsWith('\n')).toBe(true);
    expect(firstRawCharacter(err[0]?.slice(0, -1) ?? '')).toBeNull();
    expect(err[0]).toMatch(/^hsm-sentinel parse: ParseError: listUsers: line 2: .*\\u202e/);
  });

  it('escapes an unknown command word it repeats', async () => {
    const { io, err } = fakeIo(async () => '');

    const code = await main(['\u001b]0;x\u0007', 'y'], io);

    expect(code).toBe(2);
    expect(firstRawCharacter(err.join(''), { lineBreaks: true })).toBeNull();
    expect(err.join('')).toContain("unknown command '\\u001b]0;x\\u0007'");
  });
});
