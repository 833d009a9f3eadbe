/**
 * Property tests of the cloudhsm-cli parsers.
 *
 * - Round trip: contract data rendered in the documented JSON layout (indent 0/2/4, with or
 *   without the echoed command and the prompts, LF or CRLF) parses back to the same data.
 * - Truncation: every strict prefix of a reply that ends inside the JSON is a ParseError.
 * - Corruption: one character replaced, deleted or inserted anywhere either fails (ParseError or
 *   an error envelope) or reads as many users / keys as the original: never a shorter list.
 *   (Known limit, not tested: `user list` has no count, so a reply from which one whole,
 *   well-formed user entry was removed is a valid shorter reply; no parser can tell.)
 * - Hostile strings (newlines, prompts, ANSI escapes, NUL, bidi overrides, U+FFFD, CRLF, quotes)
 *   in usernames and labels: a one-line ParseError, or the exact string back when it is
 *   printable text. Invalid UTF-8 bytes: a ParseError or a correct reading.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ParseError } from '#core/errors.ts';
import { CloudHsmCliCommandError } from '#drivers/cloudhsm-cli/parse/envelope.ts';
import { hasUnsafeChar, USERNAME_PATTERN } from '#drivers/cloudhsm-cli/parse/fields.ts';
import type { ClusterHsm } from '#drivers/cloudhsm-cli/parse/parse-hsm-info.ts';
import { parseHsmInfo } from '#drivers/cloudhsm-cli/parse/parse-hsm-info.ts';
import { type ListedKey, parseKeyList } from '#drivers/cloudhsm-cli/parse/parse-key-list.ts';
import {
  COVERAGE_VALUES,
  type ListedUser,
  LOCKED_VALUES,
  MFA_STATUS_VALUES,
  parseUserList,
} from '#drivers/cloudhsm-cli/parse/parse-user-list.ts';
import {
  plainKey,
  renderHsmInfo,
  renderKeyList,
  renderUserList,
} from '../../support/cloudhsm-cli/replies.ts';

const usernameArb = fc.stringMatching(/^[a-z0-9_][a-z0-9_-]{0,30}$/);
const strategyArb = fc.record({
  strategy: fc.constantFrom('token-sign', 'fido'),
  status: fc.constantFrom(...MFA_STATUS_VALUES),
});
const userArb: fc.Arbitrary<ListedUser> = fc
  .record({
    username: usernameArb,
    role: fc.constantFrom('admin', 'crypto-user', 'internal(APPLIANCE_USER)', 'inconsistent'),
    locked: fc.constantFrom(...LOCKED_VALUES),
    mfa: fc.array(strategyArb, { maxLength: 2 }),
    clusterCoverage: fc.constantFrom(...COVERAGE_VALUES),
    quorum: fc.option(fc.array(strategyArb, { maxLength: 1 }), { nil: undefined }),
  })
  .map(({ quorum, ...user }) => (quorum === undefined ? user : { ...user, quorum }));
const usersArb = fc.uniqueArray(userArb, { selector: (u) => u.username, maxLength: 10 });

const labelArb = fc.string({ unit: 'grapheme', maxLength: 40 }).filter((s) => !hasUnsafeChar(s));
const keyUserArb = fc.record({ username: usernameArb, coverage: fc.constantFrom(...COVERAGE_VALUES) });
const keyArb: fc.Arbitrary<ListedKey> = fc.record({
  keyReference: fc
    .bigInt({ min: 1n, max: 2n ** 64n - 1n })
    .map((n) => `0x${n.toString(16).padStart(16, '0')}`),
  label: labelArb,
  checkValue: fc.option(fc.stringMatching(/^0x[0-9a-f]{6}$/), { nil: null }),
  clusterCoverage: fc.constantFrom(...COVERAGE_VALUES),
  owners: fc.array(keyUserArb, { minLength: 1, maxLength: 2 }),
  sharedUsers: fc.array(keyUserArb, { maxLength: 7 }),
  class: fc.constantFrom('secret-key', 'public-key', 'private-key'),
  keyType: fc.constantFrom('aes', 'ec', 'rsa', 'generic-secret'),
});
const pageArb = fc
  .record({
    keys: fc.uniqueArray(keyArb, { selector: (k) => k.keyReference, maxLength: 8 }),
    extra: fc.nat({ max: 100 }),
    token: fc.option(fc.stringMatching(/^[1-9][0-9]{0,4}$/), { nil: null }),
    verbose: fc.boolean(),
  })
  .map(({ keys, extra, token, verbose }) => ({
    keys: verbose ? keys : keys.map(plainKey),
    totalKeyCount: keys.length + extra,
    nextToken: token,
  }));
const hsmArb: fc.Arbitrary<ClusterHsm> = fc.record({
  vendor: labelArb,
  model: labelArb,
  serialNumber: fc.stringMatching(/^[0-9A-Z.-]{4,20}$/),
  hardwareVersionMajor: fc.stringMatching(/^\d$/),
  hardwareVersionMinor: fc.stringMatching(/^\d$/),
  firmwareVersionMajor: fc.stringMatching(/^\d$/),
  firmwareVersionMinor: fc.stringMatching(/^\d$/),
  firmwareBuildNumber: fc.stringMatching(/^\d{1,3}$/),
  firmwareId: labelArb,
  fipsState: fc.constantFrom(
    '2 [FIPS mode with single factor authentication]',
    '0 [non-FIPS mode with single factor authentication]',
  ),
});

/** Layout variations of one reply: echo and prompts, CRLF, trailing blank lines. */
const layoutArb = fc.record({
  indent: fc.constantFrom(0, 2, 4),
  echo: fc.boolean(),
  prompt: fc.boolean(),
  crlf: fc.boolean(),
  trailing: fc.constantFrom('', '\n', '\n\n  '),
});
type Layout = { indent: number; echo: boolean; prompt: boolean; crlf: boolean; trailing: string };

function laidOut(command: string, body: string, layout: Layout): string {
  const head = `${layout.echo ? `aws-cloudhsm > ${command}\n` : ''}${layout.prompt ? 'Enter password:\n' : ''}`;
  const text = `${head}${body}${layout.trailing}`;
  return layout.crlf ? text.replace(/\n/g, '\r\n') : text;
}

/** The failure a parser may give on bad input: nothing else, and always one printable line. */
function expectCleanFailure(error: unknown): void {
  expect(error instanceof ParseError || error instanceof CloudHsmCliCommandError).toBe(true);
  expect((error as Error).message).not.toMatch(/[\n\r]/);
  expect(hasUnsafeChar((error as Error).message)).toBe(false);
}

function outcome<T>(fn: () => T): { ok: true; value: T } | { ok: false; error: unknown } {
  try {
    return { ok: true, value: fn() };
  } catch (error) {
    return { ok: false, error };
  }
}

const corruptionArb = fc.record({
  at: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  op: fc.constantFrom('replace', 'delete', 'insert'),
  char: fc.oneof(
    fc.constantFrom(...'{}[],:"\\ 0123456789aeflnrstux-'.split('')),
    fc.string({ minLength: 1, maxLength: 1 }),
  ),
});

function corrupt(text: string, c: { at: number; op: string; char: string }): string {
  const i = Math.floor(c.at * text.length);
  if (c.op === 'delete') return text.slice(0, i) + text.slice(i + 1);
  if (c.op === 'insert') return text.slice(0, i) + c.char + text.slice(i);
  return text.slice(0, i) + c.char + text.slice(i + 1);
}

describe('cloudhsm-cli parsers (properties)', () => {
  it('user list: any valid reply in any layout round-trips', () => {
    fc.assert(
      fc.property(usersArb, layoutArb, (users, layout) => {
        const text = laidOut('user list', renderUserList(users, layout.indent), layout);
        expect(parseUserList(text)).toEqual({ command: 'user list', users });
      }),
    );
  });

  it('key list: any valid page (plain or verbose) in any layout round-trips', () => {
    fc.assert(
      fc.property(pageArb, layoutArb, (page, layout) => {
        const text = laidOut('key list --verbose', renderKeyList(page, layout.indent), layout);
        expect(parseKeyList(text)).toEqual({
          command: 'key list',
          ...page,
          returnedKeyCount: page.keys.length,
        });
      }),
    );
  });

  it('cluster hsm-info: any valid reply round-trips', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(hsmArb, { selector: (h) => h.serialNumber, maxLength: 5 }),
        layoutArb,
        (hsms, layout) => {
          const text = laidOut('cluster hsm-info', renderHsmInfo(hsms, layout.indent), layout);
          expect(parseHsmInfo(text)).toEqual({ command: 'cluster hsm-info', hsms });
        },
      ),
    );
  });

  it('a reply cut anywhere before the end of its JSON is a ParseError', () => {
    fc.assert(
      fc.property(
        usersArb,
        pageArb,
        layoutArb,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (users, page, layout, at) => {
          const userText = laidOut('user list', renderUserList(users, layout.indent), layout);
          const keyText = laidOut('key list', renderKeyList(page, layout.indent), layout);
          for (const [text, parse] of [
            [userText, parseUserList],
            [keyText, parseKeyList],
          ] as const) {
            const cut = Math.floor(at * (text.lastIndexOf('}') + 1));
            const result = outcome(() => parse(text.slice(0, cut)));
            expect(result.ok).toBe(false);
            if (!result.ok) {
              expect(result.error).toBeInstanceOf(ParseError);
              expectCleanFailure(result.error);
            }
          }
        },
      ),
    );
  });

  it('one corrupted character never yields a shorter list', () => {
    fc.assert(
      fc.property(usersArb, pageArb, corruptionArb, (users, page, corruption) => {
        const users2 = outcome(() => parseUserList(corrupt(renderUserList(users), corruption)));
        if (users2.ok) expect(users2.value.users).toHaveLength(users.length);
        else expectCleanFailure(users2.error);
        const keys2 = outcome(() => parseKeyList(corrupt(renderKeyList(page), corruption)));
        if (keys2.ok) {
          expect(keys2.value.keys).toHaveLength(page.keys.length);
          expect(keys2.value.returnedKeyCount).toBe(page.keys.length);
        } else {
          expectCleanFailure(keys2.error);
        }
      }),
      { numRuns: 300 },
    );
  });

  const hostileArb = fc
    .array(
      fc.oneof(
        fc.constantFrom(
          '\n',
          '\r\n',
          'aws-cloudhsm > ',
          'user delete --username admin',
          '\u001b[31m',
          '\u001b]0;title\u0007',
          '\u0000',
          '\u202e',
          '\u2066',
          '\ufffd',
          '\u0085',
          '\u2028',
          '\ud800',
          '"',
          '\\',
          '{"error_code": 1}',
          'é',
          '👍',
        ),
        fc.string({ maxLength: 3 }),
      ),
      { minLength: 1, maxLength: 6 },
    )
    .map((parts) => parts.join(''));

  it('hostile usernames and labels: a one-line ParseError, or the exact printable string', () => {
    fc.assert(
      fc.property(hostileArb, usersArb, (hostile, users) => {
        const withName = [
          {
            ...(users[0] ?? { role: 'admin', locked: 'false', mfa: [], clusterCoverage: 'full' }),
            username: hostile,
          } as ListedUser,
        ];
        const userResult = outcome(() => parseUserList(renderUserList(withName)));
        if (userResult.ok) {
          expect(userResult.value.users[0]?.username).toBe(hostile);
          expect(USERNAME_PATTERN.test(hostile)).toBe(true);
        } else {
          expect(userResult.error).toBeInstanceOf(ParseError);
          expectCleanFailure(userResult.error);
        }
        const key: ListedKey = {
          keyReference: '0x0000000000000001',
          label: hostile,
          checkValue: null,
          clusterCoverage: null,
          owners: [],
          sharedUsers: [],
          class: null,
          keyType: null,
        };
        const keyResult = outcome(() =>
          parseKeyList(renderKeyList({ keys: [key], totalKeyCount: 1, nextToken: null })),
        );
        if (keyResult.ok) {
          expect(keyResult.value.keys[0]?.label).toBe(hostile);
          expect(hasUnsafeChar(hostile)).toBe(false);
        } else {
          expect(keyResult.error).toBeInstanceOf(ParseError);
          expectCleanFailure(keyResult.error);
        }
      }),
    );
  });

  it('invalid UTF-8 bytes anywhere: a ParseError, or the same number of users', () => {
    fc.assert(
      fc.property(
        usersArb,
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.uint8Array({ minLength: 1, maxLength: 3, min: 0x80, max: 0xff }),
        (users, at, junk) => {
          const bytes = new TextEncoder().encode(renderUserList(users));
          const i = Math.floor(at * bytes.length);
          const mixed = new Uint8Array([...bytes.subarray(0, i), ...junk, ...bytes.subarray(i)]);
          const result = outcome(() => parseUserList(mixed));
          if (result.ok) expect(result.value.users).toHaveLength(users.length);
          else expectCleanFailure(result.error);
        },
      ),
    );
  });
});
