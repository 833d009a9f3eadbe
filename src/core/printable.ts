/**
 * Which characters a name read from a tool may hold, and how untrusted text is shown.
 * Pure (no I/O), tool-agnostic: every tool's parser checks
 * names with `isPrintableName` and every text renderer prints untrusted values through
 * `escapeForText`.
 *
 * Unsafe characters (never in a name, never raw in text output):
 * - controls: C0 (U+0000–U+001F: NUL, ESC, BEL, line breaks, tab…), DEL (U+007F),
 *   C1 (U+0080–U+009F: NEL, CSI…);
 * - format characters (`Cf`): the bidi embeddings, overrides and isolates
 *   (U+202A–U+202E, U+2066–U+2069) and marks (U+200E, U+200F, U+061C), zero-width space,
 *   non-joiner and joiner (U+200B–U+200D), word joiner (U+2060), byte-order mark (U+FEFF),
 *   soft hyphen (U+00AD), tag characters…;
 * - line and paragraph separators (U+2028, U+2029);
 * - lone surrogates, private-use characters and noncharacters (U+FFFE, U+FFFF…);
 * - U+FFFD, the replacement character invalid UTF-8 decodes to.
 * A name additionally holds no whitespace of any kind (unless `allowSpace`: U+0020 only).
 */

/** One unsafe character (see the module comment). */
const UNSAFE_CHAR = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\p{Noncharacter_Code_Point}\uFFFD]/u;
const UNSAFE_CHARS = new RegExp(UNSAFE_CHAR.source, 'gu');
/** An unsafe character, or whitespace: what a name may not contain. */
const NOT_IN_NAME = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Z}\p{Noncharacter_Code_Point}\uFFFD\s]/u;
const NOT_IN_NAME_WITH_SPACE =
  /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Zl}\p{Zp}\p{Noncharacter_Code_Point}\uFFFD\t\v\f\u00A0\u1680\u2000-\u200A\u202F\u205F\u3000]/u;

/** Longest name accepted when the caller gives no limit (tools document less: mgmt-util 31). */
export const DEFAULT_NAME_MAX_LENGTH = 128;

export interface NameRules {
  /** Longest accepted name, in UTF-16 code units (default 128). */
  maxLength?: number;
  /** Accept U+0020 inside the name (Luna labels); never leading or trailing. */
  allowSpace?: boolean;
}

/**
 * Why `name` is not a printable name, in words safe to print (no raw character of the name),
 * or null when it is one.
 *
 * @example whyNotPrintableName('ad\u001bmin') // 'contains U+001B (a control character) at position 3'
 */
export function whyNotPrintableName(name: string, rules: NameRules = {}): string | null {
  const maxLength = rules.maxLength ?? DEFAULT_NAME_MAX_LENGTH;
  if (name.length === 0) return 'is empty';
  if (name.length > maxLength) return `is ${name.length} characters long (at most ${maxLength})`;
  const bad = (rules.allowSpace ? NOT_IN_NAME_WITH_SPACE : NOT_IN_NAME).exec(name);
  if (bad) {
    const ch = bad[0];
    return `contains ${codePointName(ch)} (${kindOf(ch)}) at position ${[...name.slice(0, bad.index)].length + 1}`;
  }
  if (rules.allowSpace && name.trim() !== name) return 'starts or ends with a space';
  return null;
}

/**
 * True when `name` is 1 to `maxLength` characters with no unsafe character and no whitespace
 * (see the module comment).
 *
 * @example isPrintableName('crypto_user1') // true
 * @example isPrintableName('\u202eadmin') // false (a bidi override)
 */
export function isPrintableName(name: string, rules: NameRules = {}): boolean {
  return whyNotPrintableName(name, rules) === null;
}

/**
 * `text` with every unsafe character shown as an escape: `\n`, `\r`, `\t`, `\u001b`,
 * `\u202e`, `\u{e0041}`…, so a value printed into a line stays on that line and reaches the
 * reader visibly, never as an instruction to the terminal. Other text (backslashes included)
 * is left as it is; the result holds no unsafe character, so escaping twice changes nothing.
 *
 * @example escapeForText('evil\u001b[2J\nINJECTED') // 'evil\\u001b[2J\\nINJECTED'
 */
export function escapeForText(text: string): string {
  if (!UNSAFE_CHAR.test(text)) return text;
  return text.replace(UNSAFE_CHARS, escapeChar);
}

function escapeChar(ch: string): string {
  if (ch === '\n') return '\\n';
  if (ch === '\r') return '\\r';
  if (ch === '\t') return '\\t';
  const cp = ch.codePointAt(0) as number;
  return cp <= 0xffff ? `\\u${cp.toString(16).padStart(4, '0')}` : `\\u{${cp.toString(16)}}`;
}

function codePointName(ch: string): string {
  return `U+${(ch.codePointAt(0) as number).toString(16).toUpperCase().padStart(4, '0')}`;
}

function kindOf(ch: string): string {
  if (/\p{Cc}/u.test(ch)) return 'a control character';
  if (/\p{Cf}/u.test(ch)) return 'an invisible format character';
  if (/\p{Cs}/u.test(ch)) return 'a lone surrogate';
  if (ch === '\uFFFD') return 'the replacement character: invalid UTF-8';
  if (/\p{Zl}|\p{Zp}/u.test(ch)) return 'a line separator';
  if (/[\p{Z}\s]/u.test(ch)) return 'whitespace';
  if (/\p{Co}/u.test(ch)) return 'a private-use character';
  return 'a noncharacter';
}
