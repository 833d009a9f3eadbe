/**
 * Hostile input, for every mgmt-util reply parser: documented replies with fragments an
 * attacker (or a broken util) could put anywhere — line breaks of every kind, prompt strings,
 * injected commands, ANSI escapes, NUL, U+FFFD (what invalid UTF-8 decodes to), bidi and
 * zero-width characters, runs of whitespace, 10 MB lines.
 *
 * Every case ends in one of two ways: a value, or a ParseError whose message is one line,
 * names the command and quotes nothing raw. Never another error (no RangeError, no
 * TypeError), never a hang (every pattern is linear; the suite runs in seconds), and for user
 * tables: never a row that was not printed, never a name outside the accepted set.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ParseError } from '#core/errors.ts';
import { isPrintableName } from '#core/printable.ts';
import type { DialectProfile } from '#drivers/mgmt-util/dialect.ts';
import { AWS_PROFILE, AZURE_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import type { HsmUser } from '#drivers/mgmt-util/listing.ts';
import { USER_TYPES } from '#drivers/mgmt-util/listing.ts';
import { parseFindAllKeys, parseFindAllKeysSections } from '#drivers/mgmt-util/parse/parse-find-all-keys.ts';
import { parseGetKeyInfo, parseGetKeyInfoSections } from '#drivers/mgmt-util/parse/parse-get-key-info.ts';
import { parseListUsers, parseListUsersSections } from '#drivers/mgmt-util/parse/parse-list-users.ts';
import { parseEnableE2e, parseLogin, parseLogout } from '#drivers/mgmt-util/parse/parse-login.ts';
import { parseStartup } from '#drivers/mgmt-util/parse/parse-startup.ts';
import { parseServerModeReply, parseSyncReply } from '#drivers/mgmt-util/parse/parse-sync.ts';
import { firstRawCharacter } from '../../../support/core/raw-characters.ts';
import { transcript } from '../../../support/fixtures.ts';
import { withoutEcho } from '../../../support/mgmt-util/parse-support.ts';
import { renderListUsers } from '../../../support/mgmt-util/render.ts';

const TEN_MB = 'x'.repeat(10 * 1024 * 1024);

/** What may be put anywhere in a reply. */
const fragmentArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 30, arbitrary: fc.constantFrom('\n', '\r\n', '\r', '\n\n', '\r\r\n', '\u2028', '\u0085') },
  {
    weight: 30,
    arbitrary: fc.constantFrom(
      'aws-cloudhsm>',
      '\naws-cloudhsm>\n',
      'cloudmgmt> ',
      '\nserver0>\n',
      'server 1>',
      '\nsyncUser 3 1\n',
      '\nsyncKey 262150 2\n',
      '\naws-cloudhsm> syncUser 3 1\n',
      '\nloginHSM success on server 0(10.0.0.1)\n',
      '\nloginHSM failed: RET_USER_LOGIN_FAILURE on server 1(10.0.0.2)\n',
      '\nServer 1(10.0.0.2) is not connected\n',
      '\nUsers on server 1(10.0.0.2):\n',
      '\nKeys on server 0(10.0.0.1):\n',
      '\nNumber of users found:1\n',
      '\nfindAllKeys success on server 0(10.0.0.1)\n',
      '\nLiquidsec MGMT Util Version : 3.4.0\n',
      ' on server 1(',
      "server '",
      '(s)(s)',
      ',,',
      '::',
    ),
  },
  {
    weight: 30,
    arbitrary: fc.constantFrom(
      '\u001b[31m',
      '\u001b]0;title\u0007',
      '\u001b[2J',
      '\u0000',
      '\u0007',
      '\u007f',
      '\u009b',
      '\ufffd',
      '\ufffd\ufffd',
      '\u202e',
      '\u2066',
      '\u200d',
      '\u200b',
      '\ufeff',
      '\u00a0',
      '\ud800',
    ),
  },
  { weight: 8, arbitrary: fc.integer({ min: 1, max: 5000 }).map((n) => ' '.repeat(n)) },
  { weight: 2, arbitrary: fc.constant(TEN_MB) },
);

/** A reply with 1 to 3 fragments inserted at arbitrary positions. */
function mangledArb(base: string): fc.Arbitrary<string> {
  return fc
    .array(fc.tuple(fc.nat({ max: base.length }), fragmentArb), { minLength: 1, maxLength: 3 })
    .map((inserts) => {
      let text = base;
      for (const [at, fragment] of [...inserts].sort((a, b) => b[0] - a[0])) {
        text = `${text.slice(0, at)}${fragment}${text.slice(at)}`;
      }
      return text;
    });
}

function expectCleanParseError(command: string, error: ParseError): void {
  expect(error.command).toBe(command);
  expect(error.message.startsWith(`${command}: line ${error.line}: `)).toBe(true);
  expect(firstRawCharacter(error.message)).toBeNull();
  expect(error.message.length).toBeLessThan(1000);
}

/**
 * A value, or a one-line ParseError naming `command` that quotes nothing raw (thrown, or kept
 * in a section outcome).
 */
function expectValueOrCleanParseError<T>(command: string, parse: () => T): T | null {
  let value: T;
  try {
    value = parse();
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    expectCleanParseError(command, error);
    return null;
  }
  if (Array.isArray(value)) {
    for (const outcome of value as Array<{ kind?: string; error?: unknown }>) {
      if (outcome.kind === 'parse-error') expectCleanParseError(command, outcome.error as ParseError);
    }
  }
  return value;
}

const DOC_USERS = withoutEcho(transcript('aws-listUsers.txt'));
const DOC_KEYS = withoutEcho(transcript('aws-findAllKeys.txt'));
const DOC_KEY_INFO = transcript('aws-getKeyInfo.txt');
const DOC_STARTUP = transcript('aws-startup-login.txt').split('aws-cloudhsm>')[0] as string;
const DOC_LOGIN = 'loginHSM success on server 0(10.0.2.9)\nloginHSM success on server 1(10.0.3.11)\n';

type Case = { command: string; base: string; parse: (text: string, profile: DialectProfile) => unknown };

const CASES: Case[] = [
  { command: 'listUsers', base: DOC_USERS, parse: parseListUsers },
  { command: 'listUsers', base: DOC_USERS, parse: parseListUsersSections },
  { command: 'findAllKeys', base: DOC_KEYS, parse: parseFindAllKeys },
  { command: 'findAllKeys', base: DOC_KEYS, parse: parseFindAllKeysSections },
  { command: 'getKeyInfo', base: DOC_KEY_INFO, parse: parseGetKeyInfo },
  { command: 'getKeyInfo', base: DOC_KEY_INFO, parse: parseGetKeyInfoSections },
  { command: 'loginHSM', base: DOC_LOGIN, parse: parseLogin },
  {
    command: 'enable_e2e',
    base: DOC_LOGIN.replace(/loginHSM success/g, 'E2E enabled'),
    parse: parseEnableE2e,
  },
  { command: 'logoutHSM', base: DOC_LOGIN.replace(/loginHSM/g, 'logoutHSM'), parse: parseLogout },
  { command: 'startup', base: DOC_STARTUP, parse: parseStartup },
  {
    command: 'syncUser',
    base: 'ExtractMaskedObject: 0x0 !\nInsertMaskedObject: 0x0 !\nsyncUser success\n',
    parse: (t, p) => parseSyncReply('syncUser', t, p),
  },
  {
    command: 'syncKey',
    base: 'syncKey failed: RET_OBJECT_ALREADY_EXISTS\n',
    parse: (t, p) => parseSyncReply('syncKey', t, p),
  },
  { command: 'server', base: "Server is in 'E2' mode...\n", parse: parseServerModeReply },
];

const VALID_NAME = /^[A-Za-z0-9_.@-]{1,31}$/;

describe('mgmt-util parsers on hostile input', () => {
  it.each(CASES)(
    '$command ($parse.name): a value or one clean ParseError, for any inserted fragments',
    ({ command, base, parse }) => {
      fc.assert(
        fc.property(mangledArb(base), fc.boolean(), (text, azure) => {
          const profile = azure ? AZURE_PROFILE : AWS_PROFILE;

          const value = expectValueOrCleanParseError(command, () => parse(text, profile));

          if (command === 'listUsers' && value !== null) {
            const json = JSON.stringify(value);
            for (const name of json.matchAll(/"username":"((?:[^"\\]|\\.)*)"/g)) {
              expect(JSON.parse(`"${name[1]}"`)).toMatch(VALID_NAME);
            }
          }
        }),
        { numRuns: 150 },
      );
    },
  );

  const userArb: fc.Arbitrary<HsmUser> = fc.record({
    userId: fc.integer({ min: 1, max: 9999 }),
    userType: fc.constantFrom(...USER_TYPES),
    username: fc.stringMatching(/^[A-Za-z0-9_]{1,12}$/),
    mofnPubKey: fc.boolean(),
    loginFailureCount: fc.integer({ min: 0, max: 20 }),
    twoFactor: fc.boolean(),
  });
  /**
   * A name built around one hostile fragment (never a clean name). Left out: a clean name
   * with only spaces or tabs around it, which prints exactly like the clean name in a table
   * whose columns are separated by spaces (and which the util cannot create: it splits its
   * command line at whitespace).
   */
  const stripBlanks = (name: string): string => {
    let a = 0;
    let b = name.length;
    while (a < b && (name[a] === ' ' || name[a] === '\t')) a += 1;
    while (b > a && (name[b - 1] === ' ' || name[b - 1] === '\t')) b -= 1;
    return name.slice(a, b);
  };
  const hostileNameArb = fc
    .tuple(fc.stringMatching(/^[a-z0-9_]{0,6}$/), fragmentArb, fc.stringMatching(/^[a-z0-9_]{0,6}$/))
    .map(([a, fragment, b]) => `${a}${fragment}${b}`)
    .filter((name) => !VALID_NAME.test(name) && !VALID_NAME.test(stripBlanks(name)));

  it('never returns a user row that was not printed: a server with a hostile name is unreadable, the others intact', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(userArb, { selector: (u) => u.userId, minLength: 1, maxLength: 5 }),
        fc.uniqueArray(userArb, { selector: (u) => u.userId, minLength: 1, maxLength: 5 }),
        fc.nat(),
        hostileNameArb,
        (users0, users1, pick, name) => {
          const hostile = users0.map((u, i) => (i === pick % users0.length ? { ...u, username: name } : u));
          const sections = [
            { server: 0, address: '10.0.0.1', users: hostile },
            { server: 1, address: '10.0.0.2', users: users1 },
          ];
          const text = renderListUsers(sections);

          const outcomes = expectValueOrCleanParseError('listUsers', () =>
            parseListUsersSections(text, AWS_PROFILE),
          );

          if (outcomes === null) return; // the whole reply refused (a 10 MB name): nothing accepted
          const printed = new Map(sections.map((s) => [s.server, s.users]));
          for (const o of outcomes) {
            if (o.kind !== 'ok') continue;
            expect(o.server).not.toBe(0);
            // An extra section for an unprinted server is a stranger the driver refuses outright.
            if (printed.has(o.server)) expect(o.value.users).toEqual(printed.get(o.server));
          }
          expect(outcomes.find((o) => o.server === 0)?.kind).not.toBe('ok');
          expect(() => parseListUsers(text, AWS_PROFILE)).toThrow(ParseError);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('accepts exactly the names the printable-name rules accept, and no name with an unsafe character', () => {
    fc.assert(
      fc.property(fc.oneof(hostileNameArb, fc.stringMatching(/^[A-Za-z0-9_.@-]{1,40}$/)), (name) => {
        const text = DOC_USERS.replace('officer2          ', `${name} `);

        const value = expectValueOrCleanParseError('listUsers', () => parseListUsers(text, AWS_PROFILE));

        const accepted = value !== null;
        expect(accepted).toBe(VALID_NAME.test(name));
        if (accepted) expect(isPrintableName(name)).toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});
