/**
 * The line reader every lunacm parser starts with: it turns a reply into numbered lines and
 * refuses, before any pattern runs, what no documented lunacm output contains.
 *
 * Rules (all ParseErrors name the command and the line):
 * - the reply is a string, or bytes that must be valid UTF-8 (decoded strictly);
 * - at most {@link MAX_REPLY_CHARS} characters, each line at most {@link MAX_LINE_CHARS}
 *   (checked on lengths only, so a 10 MB line costs one scan);
 * - CRLF is a line break; a lone CR is refused (it would let a name overwrite a line on a
 *   terminal), as are every other C0 control except TAB, DEL, C1 controls, U+FFFD (the mark
 *   of bytes that were not UTF-8), and the bidirectional overrides and isolates
 *   (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069) that make a label display as
 *   something else;
 * - text after the last line break that is not blank is a line cut in the middle.
 *
 * Field lines are split with `indexOf`, never with a pattern over user text, so every parser
 * runs in time linear in the reply.
 */
import { ParseError } from '#core/errors.ts';

/** Longest reply accepted: a listing of 32 groups of 32 members is far below it. */
export const MAX_REPLY_CHARS = 1024 * 1024;
/** Longest line accepted. */
export const MAX_LINE_CHARS = 1024;

export interface Line {
  /** 1-based line number within the reply. */
  no: number;
  text: string;
}

const DECODER = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function forbidden(code: number): boolean {
  if (code < 0x20) return code !== 0x09;
  if (code >= 0x7f && code <= 0x9f) return true;
  if (code === 0xfffd || code === 0x061c || code === 0x200e || code === 0x200f) return true;
  if (code >= 0x202a && code <= 0x202e) return true;
  return code >= 0x2066 && code <= 0x2069;
}

function hex4(code: number): string {
  return `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** Decodes bytes strictly; a string is taken as it is. */
export function replyText(command: string, reply: string | Uint8Array): string {
  if (typeof reply === 'string') return reply;
  if (reply.length > MAX_REPLY_CHARS * 4) {
    throw new ParseError(command, 0, `reply is larger than ${MAX_REPLY_CHARS} characters`);
  }
  try {
    return DECODER.decode(reply);
  } catch {
    throw new ParseError(command, 0, 'reply is not valid UTF-8');
  }
}

/**
 * Splits a reply into numbered complete lines, enforcing the rules above. A trailing
 * blank remainder (the reply ends with a line break, or with spaces) is fine.
 */
export function toLines(command: string, reply: string | Uint8Array): Line[] {
  const text = replyText(command, reply);
  if (text.length > MAX_REPLY_CHARS) {
    throw new ParseError(command, 0, `reply is larger than ${MAX_REPLY_CHARS} characters`);
  }
  const lines: Line[] = [];
  let start = 0;
  let no = 1;
  for (;;) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    const raw = text.slice(start, end > start && text.charCodeAt(end - 1) === 0x0d ? end - 1 : end);
    if (raw.length > MAX_LINE_CHARS) {
      throw new ParseError(command, no, `line is longer than ${MAX_LINE_CHARS} characters`);
    }
    for (let i = 0; i < raw.length; i += 1) {
      const code = raw.charCodeAt(i);
      if (forbidden(code)) {
        throw new ParseError(
          command,
          no,
          `control or non-printable character ${hex4(code)} at column ${i + 1}`,
        );
      }
    }
    if (nl === -1) {
      if (raw.trim() !== '') {
        throw new ParseError(command, no, `last line is not terminated: ${quote(raw)} (reply cut short?)`);
      }
      return lines;
    }
    lines.push({ no, text: raw });
    start = nl + 1;
    no += 1;
  }
}

export function isBlank(line: Line): boolean {
  return line.text.trim() === '';
}

/** `Key<sep>value` split at the first separator; null when the separator is absent. */
export function splitField(text: string, separator: string): { key: string; value: string } | null {
  const at = text.indexOf(separator);
  if (at === -1) return null;
  return { key: text.slice(0, at).trim(), value: text.slice(at + separator.length).trim() };
}

/** Whitespace-separated tokens with their start offsets (no regex over the text). */
export function tokens(text: string): Array<{ text: string; start: number }> {
  const out: Array<{ text: string; start: number }> = [];
  let i = 0;
  while (i < text.length) {
    while (i < text.length && isSpace(text.charCodeAt(i))) i += 1;
    const start = i;
    while (i < text.length && !isSpace(text.charCodeAt(i))) i += 1;
    if (i > start) out.push({ text: text.slice(start, i), start });
  }
  return out;
}

function isSpace(code: number): boolean {
  return code === 0x20 || code === 0x09;
}

/** A decimal unsigned integer of at most `maxDigits` digits, or null. */
export function decimal(text: string, maxDigits = 15): number | null {
  if (text.length === 0 || text.length > maxDigits) return null;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return null;
  }
  return Number(text);
}

/** A serial number: 1 to 20 decimal digits, kept as a string (13-digit HA numbers exceed no limit, but stay exact). */
export function serialNumber(text: string): string | null {
  return decimal(text, 20) === null ? null : text;
}

export function quote(text: string): string {
  const t = text.length > 80 ? `${text.slice(0, 77)}...` : text;
  return JSON.stringify(t);
}

export function unknownLine(command: string, line: Line, expected: string): ParseError {
  return new ParseError(command, line.no, `unrecognised line ${quote(line.text)} (expected ${expected})`);
}

/** The `lunacm:> <command>` echo that documented transcripts start with (any case, any spacing). */
export function isCommandEcho(line: Line, words: readonly string[]): boolean {
  const t = tokens(line.text);
  if (t.length !== words.length + 1 || t[0]?.text !== 'lunacm:>') return false;
  return words.every((w, i) => t[i + 1]?.text.toLowerCase() === w);
}
