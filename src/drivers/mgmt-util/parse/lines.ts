/**
 * The shared line reader of every mgmt-util parser.
 *
 * Grammar rules common to all replies:
 * - CRLF and lone CR are line breaks;
 * - blank lines and the dialect's banner lines may appear anywhere;
 * - a reply is a sequence of complete lines: text after the last line break that is not
 *   blank is a line cut in the middle (`ParseError`). Every reply the session returns ends
 *   at a line start (the prompt starts a line), so this only fires on cut replies, and it is
 *   what makes a cut inside the last number of a reply detectable.
 * - `on server N(addr)`: N is the server number (position in the config), the address in
 *   parentheses is optional (the Azure runbook prints `loginHSM success on server 0`).
 */
import { ParseError } from '#core/errors.ts';
import type { DialectProfile } from '../dialect.ts';

export interface Line {
  /** 1-based line number within the reply. */
  no: number;
  text: string;
}

export interface SplitReply {
  /** The complete (newline-terminated) lines. */
  lines: Line[];
  /** A non-blank last line without its line break: the reply was cut inside it. */
  cut: Line | null;
}

/** Splits a reply into numbered lines, setting aside a last line that was cut. */
export function splitLines(text: string): SplitReply {
  const parts = text.replace(/\r\n?/g, '\n').split('\n');
  const last = parts.pop() ?? '';
  const lines = parts.map((t, i) => ({ no: i + 1, text: t }));
  return { lines, cut: last.trim() === '' ? null : { no: parts.length + 1, text: last } };
}

/** Splits a reply into numbered lines; throws when the last line is cut (not newline-terminated). */
export function toLines(command: string, text: string): Line[] {
  const { lines, cut } = splitLines(text);
  if (cut) throw cutLineError(command, cut);
  return lines;
}

export function cutLineError(command: string, cut: Line): ParseError {
  return new ParseError(
    command,
    cut.no,
    `last line is not terminated: ${quote(cut.text)} (reply cut short?)`,
  );
}

/** Blank lines and banners: recognised, carry no data. */
export function isIgnorable(line: Line, profile: DialectProfile): boolean {
  if (line.text.trim() === '') return true;
  return profile.bannerLines.some((re) => re.test(line.text));
}

/** Regex source for `server N` with optional `(addr)`: groups = number, address. */
export const SERVER_REF = String.raw`server\s+(\d+)(?:\s*\(([^)]*)\))?`;

/** The server a line refers to. */
export interface ServerRef {
  server: number;
  /** Address printed in parentheses; null when the line has none. */
  address: string | null;
}

export function serverRef(server: string | undefined, address: string | undefined): ServerRef {
  return { server: Number(server), address: address === undefined ? null : address.trim() };
}

/** `Server 1(10.0.2.6) is not connected` (Azure; accepted for both dialects). */
export const NOT_CONNECTED = /^\s*Server\s+(\d+)(?:\s*\(([^)]*)\))?\s+is not connected\.?\s*$/i;

/**
 * Our grammar for an undocumented per-server failure line of command C:
 * `C failed: <TEXT> on server N(addr)` (TEXT's first token is the return code, e.g.
 * `RET_USER_LOGIN_FAILURE`). Groups = text, server, address.
 */
export function failureLine(command: string): RegExp {
  return new RegExp(String.raw`^\s*${command}\s+failed(?:\s*:\s*(.*?))?\s+on\s+${SERVER_REF}\s*\.?\s*$`);
}

export function quote(text: string): string {
  const t = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  return JSON.stringify(t);
}

/** ParseError for an unrecognised line. */
export function unknownLine(command: string, line: Line, expected: string): ParseError {
  return new ParseError(command, line.no, `unrecognised line ${quote(line.text)} (expected ${expected})`);
}
