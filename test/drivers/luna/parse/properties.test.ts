/**
 * Property tests of the lunacm parsers.
 *
 * - Round trip: groups rendered in the documented layout with random alignment, blank-line
 *   text and line ends parse back to the same data.
 * - Prefixes: a strict prefix of a reply, cut at ANY character, is a ParseError or (a cut on a
 *   group boundary of a reply without password prompts, indistinguishable from a reply of
 *   fewer groups) the complete groups before the cut, each identical: never a group with
 *   fewer members than it lists.
 * - Hostile input: any text is a result or a ParseError (never another exception); a name
 *   with a control, C1, U+FFFD or bidi character is a ParseError naming its line; invalid
 *   UTF-8 and 10 MB lines are one-line ParseErrors, in bounded time.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ParseError } from '#core/errors.ts';
import type { HaGroup, HaMemberRow } from '#drivers/luna/parse/parse-listgroups.ts';
import { parseListGroups } from '#drivers/luna/parse/parse-listgroups.ts';
import { parseSlotList } from '#drivers/luna/parse/parse-slot-list.ts';
import { transcript } from '../../../support/fixtures.ts';
import type { Layout, RenderedGroups } from '../../../support/luna/render-lunacm.ts';
import { renderListGroups, renderSlotList } from '../../../support/luna/render-lunacm.ts';

const serialArb = fc.stringMatching(/^[1-9][0-9]{8,12}$/);
const labelArb = fc.stringMatching(/^[A-Za-z][A-Za-z0-9_.-]{0,15}$/);

const groupArb: fc.Arbitrary<HaGroup> = fc
  .record({
    label: labelArb,
    slotId: fc.nat(99),
    synchronization: fc.constantFrom('enabled' as const, 'disabled' as const),
    needsSync: fc.constantFrom(true, false, 'unknown' as const),
    members: fc.uniqueArray(
      fc.record({
        serial: serialArb,
        slotId: fc.option(fc.nat(99), { nil: null }),
        label: fc.option(labelArb, { nil: null }),
        status: fc.constantFrom('alive' as const, 'down' as const),
        standby: fc.boolean(),
      }),
      { selector: (m) => m.serial, minLength: 1, maxLength: 5 },
    ),
  })
  .map(({ members, ...g }) => {
    const rows: HaMemberRow[] = members;
    const first = rows[0] as HaMemberRow;
    return {
      ...g,
      serial: `1${first.serial}`,
      memberSerials: rows.map((m) => m.serial),
      standbyMembers: rows.filter((m) => m.standby).map((m) => m.serial),
      members: rows,
    };
  });

const repliesArb: fc.Arbitrary<RenderedGroups> = fc
  .record({
    groups: fc.uniqueArray(groupArb, { selector: (g) => g.label, minLength: 1, maxLength: 3 }),
    withPrompts: fc.boolean(),
    global: fc.option(
      fc.record({
        autoRecoveryEnabled: fc.boolean(),
        recoveryMode: fc.constantFrom('activeEnhanced', 'activeBasic'),
        maxRetry: fc.integer({ min: -1, max: 500 }),
        pollIntervalSeconds: fc.integer({ min: 60, max: 1200 }),
        logging: fc.boolean(),
        haOnly: fc.boolean(),
      }),
      { nil: null },
    ),
    trailer: fc.constantFrom(null, 'Command Result : No Error'),
  })
  .map(({ groups, withPrompts, global, trailer }) => ({
    groups,
    global,
    trailer,
    prompts: withPrompts ? groups.map((g) => ({ group: g.label, entered: g.needsSync !== 'unknown' })) : [],
  }));

const layoutArb: fc.Arbitrary<Layout> = fc.record({
  keyWidth: fc.integer({ min: 0, max: 40 }),
  gap: fc.integer({ min: 1, max: 4 }),
  blank: fc.constantFrom('', ' ', '   ', '\t'),
  eol: fc.constantFrom('\n' as const, '\r\n' as const),
});

const FORBIDDEN = [
  '\u001b',
  '\u0000',
  '\u0007',
  '\r',
  '\u007f',
  '\u0085',
  '\u009b',
  '\ufffd',
  '\u202e',
  '\u2066',
  '\u200f',
];

describe('lunacm parser properties', () => {
  it('round-trips any groups in any documented alignment, with CRLF or LF', () => {
    fc.assert(
      fc.property(repliesArb, layoutArb, (input, layout) => {
        const reply = parseListGroups(renderListGroups(input, layout));

        expect(reply.groups).toEqual(input.groups);
        expect(reply.global).toEqual(input.global);
        expect(reply.prompts.map((p) => p.group)).toEqual(input.prompts.map((p) => p.group));
      }),
      { numRuns: 150 },
    );
  });

  it('reads a strict prefix as a ParseError or the complete groups before the cut, never a shorter member list', () => {
    fc.assert(
      fc.property(repliesArb, fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), (input, at) => {
        const text = renderListGroups(input);
        const full = parseListGroups(text);
        const prefix = text.slice(0, Math.floor(at * (text.length - 1)));
        let groups: HaGroup[];
        try {
          groups = parseListGroups(prefix).groups;
        } catch (error) {
          expect(error).toBeInstanceOf(ParseError);
          return;
        }
        // With a prompt per group, every group must be there: a boundary cut cannot hide one.
        if (input.prompts.length > 0) expect(groups).toHaveLength(full.groups.length);
        expect(groups).toEqual(full.groups.slice(0, groups.length));
        for (const g of groups) expect(g.members).toHaveLength(g.memberSerials.length);
      }),
      { numRuns: 300 },
    );
  });

  it('answers any text with a result or a ParseError, never another exception', () => {
    const doc = transcript('luna/listgroups-7.3-pci.txt');
    const mutated = fc
      .tuple(fc.nat(doc.length), fc.string({ unit: 'binary', maxLength: 12 }), fc.nat(6))
      .map(([pos, insert, drop]) => `${doc.slice(0, pos)}${insert}${doc.slice(pos + drop)}`);
    fc.assert(
      fc.property(fc.oneof(mutated, fc.string({ unit: 'binary', maxLength: 400 })), (text) => {
        for (const parse of [parseListGroups, parseSlotList]) {
          try {
            parse(text);
          } catch (error) {
            expect(error).toBeInstanceOf(ParseError);
            expect(String((error as Error).message)).not.toMatch(/\n/);
          }
        }
      }),
      { numRuns: 400 },
    );
  });

  it('refuses a group or member label carrying a control, C1, U+FFFD or bidi character, naming the line', () => {
    fc.assert(
      fc.property(groupArb, fc.constantFrom(...FORBIDDEN), fc.boolean(), (group, bad, inMember) => {
        const evil: HaGroup = inMember
          ? { ...group, members: group.members.map((m, i) => (i === 0 ? { ...m, label: `a${bad}b` } : m)) }
          : { ...group, label: `${group.label}${bad}x` };
        const text = renderListGroups({ prompts: [], global: null, groups: [evil], trailer: null });

        expect(() => parseListGroups(text)).toThrow(
          bad === '\r'
            ? /hagroup listgroups: line \d+: control or non-printable character U\+000D/
            : ParseError,
        );
        try {
          parseListGroups(text);
        } catch (error) {
          expect((error as ParseError).line).toBeGreaterThan(0);
          expect((error as Error).message).toMatch(/control or non-printable character U\+[0-9A-F]{4}/);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a newline smuggled into a group or member label: never a different reading', () => {
    fc.assert(
      fc.property(
        groupArb,
        fc.constantFrom('\n', '\r\n', '\n   HA Group Number:  1'),
        fc.boolean(),
        (group, nl, inMember) => {
          const evil: HaGroup = inMember
            ? { ...group, members: group.members.map((m, i) => (i === 0 ? { ...m, label: `a${nl}b` } : m)) }
            : { ...group, label: `${group.label}${nl}x` };
          const text = renderListGroups({ prompts: [], global: null, groups: [evil], trailer: null });

          expect(() => parseListGroups(text)).toThrow(ParseError);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('refuses invalid UTF-8 bytes, while valid bytes parse like the text', () => {
    const doc = transcript('luna/listgroups-7.3-pci.txt');
    const bytes = Buffer.from(doc, 'utf8');
    const broken = Buffer.concat([
      bytes.subarray(0, 300),
      Buffer.from([0xc3, 0x28, 0xff]),
      bytes.subarray(300),
    ]);

    expect(parseListGroups(bytes)).toEqual(parseListGroups(doc));
    expect(() => parseListGroups(broken)).toThrow('hagroup listgroups: line 0: reply is not valid UTF-8');
    expect(() => parseSlotList(Buffer.from([0x53, 0x80, 0x0a]))).toThrow(
      'slot list: line 0: reply is not valid UTF-8',
    );
  });

  it('refuses a 10 MB line and a 10 MB reply with one line of error, quickly', () => {
    const doc = transcript('luna/listgroups-7.3-pci.txt');
    const hugeLine = doc.replace(
      'myHAgroup\n        HA Group',
      `${'A'.repeat(10_000_000)}\n        HA Group`,
    );
    const manyLines = `${'x\n'.repeat(5_000_000)}`;
    const started = performance.now();

    expect(() => parseListGroups(hugeLine)).toThrow(/reply is larger than 1048576 characters/);
    expect(() => parseListGroups(manyLines)).toThrow(/reply is larger than/);
    expect(() => parseListGroups(doc.replace('myHAgroup,', `${'B'.repeat(2000)},`))).toThrow(
      /line 3: line is longer than 1024 characters/,
    );
    expect(() => parseSlotList(Buffer.alloc(10_000_000, 0x41))).toThrow(/reply is larger than/);
    expect(performance.now() - started).toBeLessThan(2000);
  });

  it('parses the worst long lines the limits allow in linear time', () => {
    const line = `${' '.repeat(500)}HA Group Label:${' '.repeat(500)}`;
    const text = `${line}\n`.repeat(900);
    const started = performance.now();

    expect(() => parseListGroups(text)).toThrow(ParseError);
    expect(() => parseSlotList(`${' \t'.repeat(511)}\n`.repeat(1000))).toThrow(ParseError);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it('round-trips slot listings with or without banner and trailer', () => {
    const slotArb = fc.record({
      slotId: fc.nat(20),
      label: labelArb,
      serialNumber: serialArb,
      model: fc.constantFrom('LunaSA 7.3.0', 'Luna K7'),
      firmwareVersion: fc.constantFrom('7.3.0', '7.8.4'),
      configuration: fc.constantFrom('Luna User Partition With SO (PW) Key Export With Cloning Mode'),
      description: fc.constantFrom('Net Token Slot', 'HA Virtual Card Slot'),
    });
    fc.assert(
      fc.property(
        fc.uniqueArray(slotArb, { selector: (s) => s.slotId, minLength: 1, maxLength: 4 }),
        fc.boolean(),
        fc.constantFrom(null, 'Command Result : No Error'),
        (slots, banner, trailer) => {
          expect(parseSlotList(renderSlotList(slots, banner, trailer)).slots).toEqual(slots);
        },
      ),
      { numRuns: 100 },
    );
  });
});
