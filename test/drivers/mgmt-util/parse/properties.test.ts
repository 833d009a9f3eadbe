/**
 * Property tests of the cluster-mode parsers.
 *
 * Round trip: data rendered in the documented layouts (random column widths, blank lines,
 * CRLF, Azure banner) parses back to the same data.
 *
 * Prefixes (our documented decision): a strict prefix of a multi-server reply, cut at ANY
 * character, either throws ParseError or parses to the complete sections before the cut,
 * each identical to the full reply's (a cut that falls exactly on a section boundary is
 * indistinguishable from a reply of fewer servers; the driver catches that because it knows
 * which servers it configured). It never returns a section with fewer rows than its count.
 * One known exception, for getKeyInfo only: it has no trailer and the sharing line is
 * optional (absent for an unshared key), so a cut right after `Owned by user N` reads as an
 * unshared key. The driver never sees cut replies (a reply ends only at the next prompt).
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ParseError } from '#core/errors.ts';
import { AWS_PROFILE, AZURE_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import type { HsmUser } from '#drivers/mgmt-util/listing.ts';
import { USER_TYPES } from '#drivers/mgmt-util/listing.ts';
import { parseFindAllKeys } from '#drivers/mgmt-util/parse/parse-find-all-keys.ts';
import { parseGetKeyInfo } from '#drivers/mgmt-util/parse/parse-get-key-info.ts';
import { parseListUsers } from '#drivers/mgmt-util/parse/parse-list-users.ts';
import type { KeySection, UserColumns, UserSection } from '../../../support/mgmt-util/render.ts';
import { renderFindAllKeys, renderKeyInfo, renderListUsers } from '../../../support/mgmt-util/render.ts';

const userArb: fc.Arbitrary<HsmUser> = fc.record({
  userId: fc.integer({ min: 1, max: 99999 }),
  userType: fc.constantFrom(...USER_TYPES),
  username: fc.stringMatching(/^[A-Za-z0-9_.@-]{1,31}$/),
  mofnPubKey: fc.boolean(),
  loginFailureCount: fc.integer({ min: 0, max: 20 }),
  twoFactor: fc.boolean(),
});

/** 1 to 4 servers with distinct numbers, in ascending order. */
function sectionsArb<T>(
  content: fc.Arbitrary<T>,
): fc.Arbitrary<Array<{ server: number; address: string } & T>> {
  return fc
    .uniqueArray(fc.integer({ min: 0, max: 15 }), { minLength: 1, maxLength: 4 })
    .chain((servers) =>
      fc.tuple(
        ...servers.sort((a, b) => a - b).map((server) => fc.tuple(fc.constant(server), fc.ipV4(), content)),
      ),
    )
    .map((items) => items.map(([server, address, c]) => ({ server, address, ...c })));
}

const userSectionsArb: fc.Arbitrary<UserSection[]> = sectionsArb(
  fc.record({ users: fc.uniqueArray(userArb, { selector: (u) => u.userId, maxLength: 8 }) }),
);

const columnsArb: fc.Arbitrary<UserColumns> = fc.record({
  indent: fc.integer({ min: 0, max: 6 }),
  idWidth: fc.integer({ min: 1, max: 12 }),
  gapAfterId: fc.integer({ min: 1, max: 16 }),
  typeWidth: fc.integer({ min: 1, max: 18 }),
  nameWidth: fc.integer({ min: 1, max: 34 }),
  mofnWidth: fc.integer({ min: 1, max: 12 }),
  failWidth: fc.integer({ min: 1, max: 18 }),
  twoFaWidth: fc.integer({ min: 1, max: 18 }),
});

const keySectionsArb: fc.Arbitrary<KeySection[]> = sectionsArb(
  fc.record({
    keys: fc.uniqueArray(
      fc.record({ handle: fc.integer({ min: 1, max: 2 ** 31 }), shared: fc.boolean(), owned: fc.boolean() }),
      { selector: (k) => k.handle, maxLength: 12 },
    ),
    hash: fc.option(fc.stringMatching(/^[0-9a-f]{8,64}$/), { nil: null }),
  }),
);

const keyInfoSectionsArb = sectionsArb(
  fc.record({
    owner: fc.integer({ min: 1, max: 999 }),
    sharedWith: fc
      .uniqueArray(fc.integer({ min: 1, max: 999 }), { maxLength: 6 })
      .map((ids) => ids.sort((a, b) => a - b)),
  }),
);

/** Where to cut: anywhere, or on a line boundary plus a few characters of the next line. */
const cutArb = fc.tuple(
  fc.noBias(fc.integer({ min: 0, max: 999_999 })).map((n) => n / 1_000_000),
  fc.boolean(),
  fc.noBias(fc.nat(12)),
);

function cutText(text: string, [at, onLine, extra]: [number, boolean, number]): string {
  if (!onLine) return text.slice(0, Math.floor(at * text.length));
  const lines = text.split('\n');
  const k = Math.floor(at * lines.length);
  const head = lines.slice(0, k).join('\n');
  const cut = `${head}${k > 0 ? '\n' : ''}${(lines[k] ?? '').slice(0, extra)}`;
  return cut.length < text.length ? cut : text.slice(0, -1);
}

/** Either a ParseError or a prefix of the full result's servers, each unchanged. */
function expectErrorOrCompletePrefix(
  parse: () => { servers: unknown[] },
  full: { servers: unknown[] },
  lastMayBe: (original: unknown) => unknown = (o) => o,
): void {
  let result: { servers: unknown[] };
  try {
    result = parse();
  } catch (error) {
    expect(error).toBeInstanceOf(ParseError);
    return;
  }
  const n = result.servers.length;
  expect(result.servers.slice(0, -1)).toEqual(full.servers.slice(0, Math.max(0, n - 1)));
  if (n > 0)
    expect([full.servers[n - 1], lastMayBe(full.servers[n - 1])]).toContainEqual(result.servers[n - 1]);
}

describe('mgmt-util parser properties', () => {
  it('listUsers: any column widths, blank lines, CRLF and banner parse back to the same users', () => {
    fc.assert(
      fc.property(
        userSectionsArb,
        columnsArb,
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        fc.boolean(),
        (sections, columns, blank, crlf, banner) => {
          let text = renderListUsers(sections, columns, blank);
          if (banner) text = `Liquidsec MGMT Util Version : 3.4.0\n\n${text}`;
          if (crlf) text = text.replace(/\n/g, '\r\n');

          const parsed = parseListUsers(text, banner ? AZURE_PROFILE : AWS_PROFILE);

          expect(parsed.servers).toEqual(sections.map((s) => ({ ...s, count: s.users.length })));
        },
      ),
    );
  });

  it('listUsers: a strict prefix throws or yields complete sections only', () => {
    fc.assert(
      fc.property(userSectionsArb, columnsArb, cutArb, (sections, columns, at) => {
        const text = renderListUsers(sections, columns);
        const full = parseListUsers(text, AWS_PROFILE);
        const cut = cutText(text, at);

        expectErrorOrCompletePrefix(() => parseListUsers(cut, AWS_PROFILE), full);
      }),
      { numRuns: 500 },
    );
  });

  it('findAllKeys: (s)/(o) markers, separators and the hash parse back to the same keys', () => {
    fc.assert(
      fc.property(keySectionsArb, fc.constantFrom(',', ', ', ' , '), (sections, separator) => {
        const parsed = parseFindAllKeys(renderFindAllKeys(sections, separator), AWS_PROFILE);

        expect(parsed.servers).toEqual(
          sections.map((s) => ({
            server: s.server,
            address: s.address,
            count: s.keys.length,
            keys: s.keys.map((k) =>
              k.owned
                ? { handle: k.handle, shared: k.shared, owned: true }
                : { handle: k.handle, shared: k.shared },
            ),
            keyHash: s.hash ?? null,
          })),
        );
      }),
    );
  });

  it('findAllKeys: a strict prefix throws or yields complete sections only', () => {
    fc.assert(
      fc.property(keySectionsArb, cutArb, (sections, at) => {
        const text = renderFindAllKeys(sections);
        const full = parseFindAllKeys(text, AWS_PROFILE);

        expectErrorOrCompletePrefix(() => parseFindAllKeys(cutText(text, at), AWS_PROFILE), full);
      }),
      { numRuns: 500 },
    );
  });

  it('getKeyInfo: round trip, and a strict prefix throws or yields complete sections only', () => {
    fc.assert(
      fc.property(keyInfoSectionsArb, cutArb, (sections, at) => {
        const text = renderKeyInfo(sections);
        const full = parseGetKeyInfo(text, AWS_PROFILE);
        expect(full.servers).toEqual(sections);

        expectErrorOrCompletePrefix(
          () => parseGetKeyInfo(cutText(text, at), AWS_PROFILE),
          full,
          (o) => ({
            ...(o as object),
            sharedWith: [],
          }),
        );
      }),
      { numRuns: 500 },
    );
  });

  it('every prefix cut inside a table throws (never fewer rows than the count claims)', () => {
    fc.assert(
      fc.property(userSectionsArb, fc.nat(), (sections, pick) => {
        const withRows = sections.filter((s) => s.users.length > 0);
        fc.pre(withRows.length > 0);
        const text = renderListUsers(sections);
        const lines = text.split('\n');
        // Cut right after a row that is not the last row of its section.
        const rowLines = lines.flatMap((l, i) =>
          /^\s*\d+\s+[A-Z]+\s/.test(l) && /^\s*\d+\s+[A-Z]+\s/.test(lines[i + 1] ?? '') ? [i] : [],
        );
        fc.pre(rowLines.length > 0);
        const cutAfter = rowLines[pick % rowLines.length] as number;

        expect(() => parseListUsers(`${lines.slice(0, cutAfter + 1).join('\n')}\n`, AWS_PROFILE)).toThrow(
          ParseError,
        );
      }),
    );
  });
});
