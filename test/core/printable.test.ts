import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  DEFAULT_NAME_MAX_LENGTH,
  escapeForText,
  isPrintableName,
  whyNotPrintableName,
} from '#core/printable.ts';

/** One of every kind of character that must never be in a name nor raw in text output. */
const UNSAFE: Array<[string, string]> = [
  ['NUL', '\u0000'],
  ['BEL', '\u0007'],
  ['ESC', '\u001b'],
  ['LF', '\n'],
  ['CR', '\r'],
  ['TAB', '\t'],
  ['DEL', '\u007f'],
  ['NEL (C1)', '\u0085'],
  ['CSI (C1)', '\u009b'],
  ['soft hyphen', '\u00ad'],
  ['Arabic letter mark', '\u061c'],
  ['zero-width space', '\u200b'],
  ['zero-width non-joiner', '\u200c'],
  ['zero-width joiner', '\u200d'],
  ['left-to-right mark', '\u200e'],
  ['right-to-left mark', '\u200f'],
  ['line separator', '\u2028'],
  ['paragraph separator', '\u2029'],
  ['LRE', '\u202a'],
  ['RLE', '\u202b'],
  ['PDF', '\u202c'],
  ['LRO', '\u202d'],
  ['RLO', '\u202e'],
  ['word joiner', '\u2060'],
  ['LRI', '\u2066'],
  ['RLI', '\u2067'],
  ['FSI', '\u2068'],
  ['PDI', '\u2069'],
  ['byte-order mark', '\ufeff'],
  ['replacement character', '\ufffd'],
  ['noncharacter', '\uffff'],
  ['lone high surrogate', '\ud800'],
  ['lone low surrogate', '\udc00'],
  ['private use', '\ue000'],
  ['tag character', '\u{e0041}'],
];

describe('isPrintableName', () => {
  it('accepts the documented and observed names', () => {
    for (const name of [
      'admin',
      'crypto_user1',
      'app_user',
      'officer2',
      'a'.repeat(31),
      'ops.team-1',
      'ü_name',
    ]) {
      expect(isPrintableName(name)).toBe(true);
    }
  });

  it.each(UNSAFE)('refuses a name holding %s', (_, ch) => {
    for (const name of [`${ch}admin`, `ad${ch}min`, `admin${ch}`]) {
      expect(isPrintableName(name)).toBe(false);
      expect(whyNotPrintableName(name)).toMatch(/^contains U\+[0-9A-F]{4,6} \(.+\) at position \d+$/);
    }
  });

  it('refuses whitespace, empty names and names over the limit, and says why without raw characters', () => {
    expect(whyNotPrintableName('')).toBe('is empty');
    expect(whyNotPrintableName('a b')).toBe('contains U+0020 (whitespace) at position 2');
    expect(whyNotPrintableName('a\u00a0b')).toBe('contains U+00A0 (whitespace) at position 2');
    expect(whyNotPrintableName('a'.repeat(DEFAULT_NAME_MAX_LENGTH + 1))).toBe(
      `is ${DEFAULT_NAME_MAX_LENGTH + 1} characters long (at most ${DEFAULT_NAME_MAX_LENGTH})`,
    );
    expect(whyNotPrintableName('a'.repeat(32), { maxLength: 31 })).toBe('is 32 characters long (at most 31)');
    expect(whyNotPrintableName('x'.repeat(10 * 1024 * 1024))).toMatch(/^is 10485760 characters long/);
  });

  it('accepts inner spaces only when asked, never at either end nor other whitespace', () => {
    expect(isPrintableName('Crypto Officer', { allowSpace: true })).toBe(true);
    expect(isPrintableName(' Crypto', { allowSpace: true })).toBe(false);
    expect(isPrintableName('Crypto\tOfficer', { allowSpace: true })).toBe(false);
    expect(isPrintableName('Crypto\u00a0Officer', { allowSpace: true })).toBe(false);
    expect(isPrintableName('Crypto\u202eOfficer', { allowSpace: true })).toBe(false);
  });
});

describe('escapeForText', () => {
  it('leaves printable text alone, backslashes included', () => {
    for (const text of ['key 262150 on hsm-0', 'C:\\path \\u001b literal', 'ünïcødé ✓ 鍵']) {
      expect(escapeForText(text)).toBe(text);
    }
  });

  it('shows every unsafe character as an escape', () => {
    expect(escapeForText('a\nb\rc\td')).toBe('a\\nb\\rc\\td');
    expect(escapeForText('\u001b[31mred\u202e')).toBe('\\u001b[31mred\\u202e');
    expect(escapeForText('\u{e0041}\ud800\ufffd')).toBe('\\u{e0041}\\ud800\\ufffd');
    for (const [, ch] of UNSAFE)
      expect(escapeForText(`x${ch}y`)).toMatch(/^x\\(?:[nrt]|u[0-9a-f]{4}|u\{[0-9a-f]+\})y$/);
  });

  it('outputs no unsafe character and no line break, and escaping twice changes nothing', () => {
    const unsafe = fc.constantFrom(...UNSAFE.map(([, ch]) => ch));
    const text = fc
      .array(fc.oneof(fc.string({ unit: 'binary' }), unsafe), { maxLength: 20 })
      .map((parts) => parts.join(''));
    fc.assert(
      fc.property(text, (s) => {
        const escaped = escapeForText(s);

        const unsafeSet = new Set(UNSAFE.map(([, ch]) => ch));
        for (const ch of escaped) expect(unsafeSet.has(ch)).toBe(false);
        expect(escapeForText(escaped)).toBe(escaped);
      }),
    );
  });
});
