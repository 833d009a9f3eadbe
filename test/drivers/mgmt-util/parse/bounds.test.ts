/**
 * Boundedness of the mgmt-util parsers, proven structurally rather than by timing:
 * - a line longer than the line limit is refused before any pattern sees it (a spy profile
 *   records the longest text a banner pattern was asked to test);
 * - a reply larger than the reply cap is refused before it is split;
 * - the adversarial lines that made the old patterns backtrack quadratically (runs of spaces
 *   before a character the pattern cannot take, repeated `on server N(` fragments, repeated
 *   `server '…'`) are read in one pass: 1 MB of each parses (or is refused) well under the
 *   Jest timeout, where the old patterns needed minutes;
 * - list lines are read by splitting, never by one repeated pattern whose backtracking stack
 *   grows with the number of handles (1.5 M handles gave `RangeError: Maximum call stack size
 *   exceeded`).
 */
import { describe, expect, it } from '@jest/globals';
import { ParseError } from '#core/errors.ts';
import type { DialectProfile } from '#drivers/mgmt-util/dialect.ts';
import { AWS_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import { parseFindAllKeys } from '#drivers/mgmt-util/parse/parse-find-all-keys.ts';
import { parseGetKeyInfo } from '#drivers/mgmt-util/parse/parse-get-key-info.ts';
import { parseListUsers } from '#drivers/mgmt-util/parse/parse-list-users.ts';
import { parseEnableE2e, parseLogin, parseLogout } from '#drivers/mgmt-util/parse/parse-login.ts';
import { parseStartup } from '#drivers/mgmt-util/parse/parse-startup.ts';
import { parseServerModeReply, parseSyncReply } from '#drivers/mgmt-util/parse/parse-sync.ts';

const MIB = 1024 * 1024;
/** The line limit chosen in parse/lines.ts (MAX_LINE_CHARS). */
const LINE_LIMIT = MIB;

type Parser = (text: string, profile: DialectProfile) => unknown;

/** Every reply parser, with a valid first part of its reply (the long line is put after it). */
const PARSERS: Array<{ name: string; parse: Parser; head: string }> = [
  {
    name: 'listUsers',
    parse: parseListUsers,
    head: 'Users on server 0(10.0.0.1):\nNumber of users found:1\n',
  },
  {
    name: 'findAllKeys',
    parse: parseFindAllKeys,
    head: 'Keys on server 0(10.0.0.1):\nNumber of keys found 1\n',
  },
  {
    name: 'getKeyInfo',
    parse: parseGetKeyInfo,
    head: 'Key Info on server 0(10.0.0.1):\n\tToken/Flash Key,\n',
  },
  { name: 'loginHSM', parse: parseLogin, head: 'loginHSM success on server 0(10.0.2.9)\n' },
  { name: 'enable_e2e', parse: parseEnableE2e, head: 'E2E enabled on server 0(10.0.2.9)\n' },
  { name: 'logoutHSM', parse: parseLogout, head: 'logoutHSM success on server 0(10.0.2.9)\n' },
  { name: 'startup', parse: parseStartup, head: 'Connecting to the server(s), it may take time\n' },
  {
    name: 'syncUser',
    parse: (t, p) => parseSyncReply('syncUser', t, p),
    head: 'ExtractMaskedObject: 0x0 !\n',
  },
  { name: 'syncKey', parse: (t, p) => parseSyncReply('syncKey', t, p), head: '' },
  { name: 'server', parse: parseServerModeReply, head: "Server is in 'E2' mode...\n" },
];

/** A profile whose banner "pattern" records the longest text it was asked to test. */
function watchingProfile(): { profile: DialectProfile; longest: () => number } {
  let longest = 0;
  const spy = {
    test: (text: string): boolean => {
      longest = Math.max(longest, text.length);
      return false;
    },
  } as unknown as RegExp;
  return { profile: { ...AWS_PROFILE, bannerLines: [spy] }, longest: () => longest };
}

function outcomeOf(fn: () => unknown): { error: unknown } | { value: unknown } {
  try {
    return { value: fn() };
  } catch (error) {
    return { error };
  }
}

/** A one-line ParseError naming the command, or a parsed value: never another error. */
function expectParsedOrOneLineParseError(fn: () => unknown, command: string): void {
  const outcome = outcomeOf(fn);
  if ('value' in outcome) return;
  expect(outcome.error).toBeInstanceOf(ParseError);
  const message = (outcome.error as ParseError).message;
  expect(message.startsWith(`${command}: line `)).toBe(true);
  expect(message).not.toMatch(/[\n\r]/);
  expect(message.length).toBeLessThan(1000);
}

describe('mgmt-util parsers: bounded input', () => {
  it.each(PARSERS)(
    '$name: a 10 MB line is refused with a one-line ParseError before any pattern sees it',
    ({ name, parse, head }) => {
      const { profile, longest } = watchingProfile();
      const headLines = head === '' ? 0 : head.split('\n').length - 1;
      const text = `${head}${'x'.repeat(10 * MIB)}\n`;

      const outcome = outcomeOf(() => parse(text, profile));

      expect(outcome).toHaveProperty('error');
      const error = (outcome as { error: unknown }).error;
      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).command).toBe(name);
      expect((error as ParseError).line).toBe(headLines + 1);
      expect((error as ParseError).message).toMatch(/longer than/);
      expect((error as ParseError).message).not.toMatch(/\n/);
      expect((error as ParseError).message.length).toBeLessThan(400);
      expect(longest()).toBeLessThanOrEqual(LINE_LIMIT);
    },
  );

  it.each(PARSERS)(
    '$name: a 10 MB line without a final line break is refused the same way',
    ({ name, parse, head }) => {
      const { profile, longest } = watchingProfile();

      const error = outcomeOf(() => parse(`${head}${'7'.repeat(10 * MIB)}`, profile));

      expect((error as { error: ParseError }).error).toBeInstanceOf(ParseError);
      expect((error as { error: ParseError }).error.command).toBe(name);
      expect(longest()).toBeLessThanOrEqual(LINE_LIMIT);
    },
  );

  it('refuses a reply larger than the reply cap (many short lines) before splitting it', () => {
    const { profile, longest } = watchingProfile();
    const text = 'Number of users found:1\n'.repeat(800_000); // 19.2 M characters

    const error = outcomeOf(() => parseListUsers(text, profile));

    expect((error as { error: ParseError }).error).toBeInstanceOf(ParseError);
    expect((error as { error: ParseError }).error.message).toMatch(/^listUsers: line 0: .*more than/);
    expect(longest()).toBe(0);
  });

  /** ~1 MB lines aimed at every pattern that backtracked quadratically. */
  const n = 1_000_000;
  const spaces = (prefix: string, tail = 'x'): string => `${prefix}${' '.repeat(n - prefix.length)}${tail}`;
  const repeated = (unit: string, prefix = ''): string =>
    `${prefix}${unit.repeat(Math.floor((n - prefix.length) / unit.length))}`;
  const ADVERSARIAL: Array<{ name: string; parse: Parser; line: string; head?: string }> = [
    { name: 'loginHSM', parse: parseLogin, line: repeated(' on server 1(', 'loginHSM failed: ') },
    { name: 'loginHSM', parse: parseLogin, line: repeated(' on server 1 ', 'loginHSM failed:') },
    { name: 'loginHSM', parse: parseLogin, line: spaces('loginHSM success on server 0') },
    { name: 'loginHSM', parse: parseLogin, line: spaces('loginHSM failed: X on server 0(a)') },
    { name: 'loginHSM', parse: parseLogin, line: spaces('Server 1(10.0.0.1)') },
    { name: 'enable_e2e', parse: parseEnableE2e, line: repeated('\ton\tserver\t2\t', 'enable_e2e failed: ') },
    {
      name: 'listUsers',
      parse: parseListUsers,
      line: repeated(' on server 1(', 'listUsers failed: '),
    },
    { name: 'listUsers', parse: parseListUsers, line: spaces('Users on server 0(10.0.0.1)') },
    {
      name: 'listUsers',
      parse: parseListUsers,
      head: 'Users on server 0(10.0.0.1):\n',
      line: spaces('Number of users found'),
    },
    {
      name: 'listUsers',
      parse: parseListUsers,
      head: 'Users on server 0(10.0.0.1):\nNumber of users found:1\n',
      line: spaces('    User Id  User Type  User Name  MofnPubKey  LoginFailureCnt  2FA'),
    },
    {
      name: 'listUsers',
      parse: parseListUsers,
      head: 'Users on server 0(10.0.0.1):\nNumber of users found:1\nUser Id User Type User Name MofnPubKey LoginFailureCnt 2FA\n',
      line: repeated('1 CU a NO 0 NO '),
    },
    {
      name: 'findAllKeys',
      parse: parseFindAllKeys,
      head: 'Keys on server 0(10.0.0.1):\n',
      line: spaces('Number of keys found'),
    },
    {
      name: 'findAllKeys',
      parse: parseFindAllKeys,
      head: 'Keys on server 0(10.0.0.1):\nNumber of keys found 3\n',
      line: spaces('1,2,3'),
    },
    {
      name: 'findAllKeys',
      parse: parseFindAllKeys,
      head: 'Keys on server 0(10.0.0.1):\nNumber of keys found 3\n',
      line: spaces('1 , 2 , 3 ,', ', x'),
    },
    {
      name: 'findAllKeys',
      parse: parseFindAllKeys,
      head: 'Keys on server 0(10.0.0.1):\nNumber of keys found 1\n',
      line: repeated('(s)', '1'),
    },
    {
      name: 'findAllKeys',
      parse: parseFindAllKeys,
      head: 'Keys on server 0(10.0.0.1):\nNumber of keys found 1\n1\n',
      line: spaces('findAllKeys success on server 0(10.0.0.1)'),
    },
    {
      name: 'findAllKeys',
      parse: parseFindAllKeys,
      head: 'Keys on server 0(10.0.0.1):\nNumber of keys found 1\n1\n',
      line: spaces('Key Hash:'),
    },
    {
      name: 'getKeyInfo',
      parse: parseGetKeyInfo,
      head: 'Key Info on server 0(10.0.0.1):\n',
      line: spaces('Token/Flash Key'),
    },
    {
      name: 'getKeyInfo',
      parse: parseGetKeyInfo,
      head: 'Key Info on server 0(10.0.0.1):\nOwned by user 3\n',
      line: spaces('also, shared to following 2 user(s)'),
    },
    {
      name: 'getKeyInfo',
      parse: parseGetKeyInfo,
      head: 'Key Info on server 0(10.0.0.1):\nOwned by user 3\n',
      line: spaces('getKeyInfo success on server 0(10.0.0.1)'),
    },
    { name: 'startup', parse: parseStartup, line: repeated("server 'a' ") },
    { name: 'startup', parse: parseStartup, line: repeated("server 'a' ", 'Connecting to ') },
    {
      name: 'startup',
      parse: parseStartup,
      line: spaces("Connecting to server '10.0.2.9': hostname '10.0.2.9', port 2225"),
    },
    {
      name: 'startup',
      parse: parseStartup,
      line: spaces("Connected to server '10.0.2.9': hostname '10.0.2.9', port 2225"),
    },
    { name: 'startup', parse: parseStartup, line: spaces('warning') },
    { name: 'startup', parse: parseStartup, line: spaces('running in limited commands mode') },
    {
      name: 'syncUser',
      parse: (t, p) => parseSyncReply('syncUser', t, p),
      line: spaces('ExtractMaskedObject: 0x0'),
    },
    { name: 'syncUser', parse: (t, p) => parseSyncReply('syncUser', t, p), line: spaces('syncUser success') },
    { name: 'server', parse: parseServerModeReply, line: spaces("Server is in 'E2' mode") },
  ];

  it.each(ADVERSARIAL)(
    '$name: a 1 MB adversarial line ($line.length chars) is read in one pass',
    ({ name, parse, line, head }) => {
      expect(line.length).toBeLessThanOrEqual(LINE_LIMIT);

      expectParsedOrOneLineParseError(() => parse(`${head ?? ''}${line}\n`, AWS_PROFILE), name);
    },
  );

  it('parses a findAllKeys list line of a full hsm2m cluster (16,666 handles) printed at its widest', () => {
    const keys = 16_666;
    const list = Array.from({ length: keys }, (_, k) => `${4_294_967_295 - k}(s)(o)`).join(' , ');
    const text = `Keys on server 0(10.0.0.1):\nNumber of keys found ${keys}\nnumber of keys matched from start index 0::${keys}\n${list}\nfindAllKeys success on server 0(10.0.0.1)\n`;

    const parsed = parseFindAllKeys(text, AWS_PROFILE).servers[0] as { keys: unknown[] };

    expect(list.length).toBeLessThanOrEqual(LINE_LIMIT);
    expect(parsed.keys).toHaveLength(keys);
    expect(parsed.keys[0]).toEqual({ handle: 4_294_967_295, shared: true, owned: true });
  });

  it('reads 1.5 M handles without exhausting the stack: paged, they parse; on one line, a ParseError', () => {
    const total = 1_500_000;
    const page = 100_000;
    const lines = ['Keys on server 0(10.0.0.1):', `Number of keys found ${total}`];
    for (let start = 0; start < total; start += page) {
      lines.push(`number of keys matched from start index ${start}::${start + page}`);
      lines.push(Array.from({ length: page }, (_, k) => String(262_144 + start + k)).join(','));
    }
    lines.push('findAllKeys success on server 0(10.0.0.1)', '');
    const oneLine = [
      'Keys on server 0(10.0.0.1):',
      `Number of keys found ${total}`,
      Array.from({ length: total }, (_, k) => String(262_144 + k)).join(','),
      'findAllKeys success on server 0(10.0.0.1)',
      '',
    ].join('\n');

    const paged = parseFindAllKeys(lines.join('\n'), AWS_PROFILE).servers[0] as { keys: unknown[] };
    const single = outcomeOf(() => parseFindAllKeys(oneLine, AWS_PROFILE));

    expect(paged.keys).toHaveLength(total);
    expect((single as { error: unknown }).error).toBeInstanceOf(ParseError);
    expect((single as { error: ParseError }).error.message).toMatch(/^findAllKeys: line 3: .*longer than/);
  });
});
