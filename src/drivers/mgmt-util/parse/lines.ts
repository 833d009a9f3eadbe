/**
 * The shared line reader of every mgmt-util parser.
 *
 * Grammar rules common to all replies:
 * - CRLF and lone CR are line breaks;
 * - blank lines and the dialect's banner lines may appear anywhere (a user table takes blank
 *   lines only: see parse-list-users.ts);
 * - a reply is a sequence of complete lines: text after the last line break that is not
 *   blank is a line cut in the middle (`ParseError`). Every reply the session returns ends
 *   at a line start (the prompt starts a line), so this only fires on cut replies, and it is
 *   what makes a cut inside the last number of a reply detectable.
 * - `on server N(addr)`: N is the server number (position in the config), the address in
 *   parentheses is optional (the Azure runbook prints `loginHSM success on server 0`).
 *
 * Bounds (the reply is untrusted text, and parsing is synchronous: no timeout can stop it):
 * - a reply longer than `MAX_REPLY_CHARS` or holding a line longer than `MAX_LINE_CHARS` is
 *   refused with a one-line ParseError before any line is split off or matched;
 * - every pattern is applied to one trimmed line and is linear: anchored at the start, no
 *   nested quantifier, no two quantifiers that can take the same characters next to each
 *   other; `server N(addr)` references are read right to left by hand, list lines by
 *   splitting.
 */
import { ParseError } from '#core/errors.ts';
import { escapeForText } from '#core/printable.ts';
import type { DialectProfile } from '../dialect.ts';

/**
 * The longest line a reply may hold: 1 MiB of characters. The longest legitimate line is a
 * `findAllKeys` list of a full hsm2m cluster, 16,666 handles: at its widest
 * (`4294967295(s)(o) , ` each) about 316,000 characters, so the limit leaves 3× headroom.
 */
export const MAX_LINE_CHARS = 1024 * 1024;

/**
 * The most characters one reply may hold: 16 MiB. The largest legitimate reply is
 * `findAllKeys` in cluster mode over the most HSMs a cluster has (28), each listing 16,666
 * handles at the widest: about 8.9 M characters.
 */
export const MAX_REPLY_CHARS = 16 * 1024 * 1024;

export interface Line {
  /** 1-based line number within the reply. */
  no: number;
  text: string;
  /** `text` without leading and trailing whitespace: what the patterns are applied to. */
  trimmed: string;
}

export interface SplitReply {
  /** The complete (newline-terminated) lines. */
  lines: Line[];
  /** A non-blank last line without its line break: the reply was cut inside it. */
  cut: Line | null;
}

/**
 * Refuses a reply over the reply cap, or with a line over the line limit, without reading
 * it further: one pass of `indexOf`, no pattern, no copy.
 */
export function checkReplyBounds(command: string, text: string): void {
  if (text.length > MAX_REPLY_CHARS) {
    throw new ParseError(
      command,
      0,
      `reply of ${text.length} characters is more than ${MAX_REPLY_CHARS} characters (the reply cap): refused unread`,
    );
  }
  let nl = text.indexOf('\n');
  let cr = text.indexOf('\r');
  let start = 0;
  for (let no = 1; ; no += 1) {
    if (nl !== -1 && nl < start) nl = text.indexOf('\n', start);
    if (cr !== -1 && cr < start) cr = text.indexOf('\r', start);
    const end = nl === -1 ? (cr === -1 ? text.length : cr) : cr === -1 ? nl : Math.min(nl, cr);
    if (end - start > MAX_LINE_CHARS) {
      throw new ParseError(
        command,
        no,
        `line of ${end - start} characters is longer than ${MAX_LINE_CHARS} characters (the line limit): refused unread; it starts ${quote(text.slice(start, start + 40))}`,
      );
    }
    if (end === text.length) return;
    start = end === cr && text.charCodeAt(end + 1) === 10 ? end + 2 : end + 1;
  }
}

/** Splits a reply into numbered lines, setting aside a last line that was cut. Bounds first. */
export function splitLines(command: string, text: string): SplitReply {
  checkReplyBounds(command, text);
  const parts = text.replace(/\r\n?/g, '\n').split('\n');
  const last = parts.pop() ?? '';
  const lines = parts.map((t, i) => ({ no: i + 1, text: t, trimmed: t.trim() }));
  const lastTrimmed = last.trim();
  return {
    lines,
    cut: lastTrimmed === '' ? null : { no: parts.length + 1, text: last, trimmed: lastTrimmed },
  };
}

/** Splits a reply into numbered lines; throws when the last line is cut (not newline-terminated). */
export function toLines(command: string, text: string): Line[] {
  const { lines, cut } = splitLines(command, text);
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
  if (line.trimmed === '') return true;
  return profile.bannerLines.some((re) => re.test(line.text));
}

/** The server a line refers to. */
export interface ServerRef {
  server: number;
  /** Address printed in parentheses; null when the line has none. */
  address: string | null;
}

/** A server reference and the text it was read from, as the util printed it: `server 0(10.0.2.9)`. */
export interface PrintedServerRef extends ServerRef {
  printed: string;
}

/** Server numbers are positions in a config of at most a few dozen servers. */
const MAX_SERVER_DIGITS = 9;

/**
 * `server N` or `server N(addr)` at the very end of `text` (trimmed): the text before the
 * word `server`, and the reference; null when `text` does not end so. Read right to left by
 * hand (linear): the address is what lies between the last `(` and the final `)` and holds
 * no parenthesis; whitespace may separate N from `(`; at least one whitespace character
 * separates `server` from N.
 */
export function refAtEnd(text: string): { head: string; ref: PrintedServerRef } | null {
  let end = text.length;
  let address: string | null = null;
  if (text.endsWith(')')) {
    const open = text.lastIndexOf('(');
    if (open < 0) return null;
    const inner = text.slice(open + 1, end - 1);
    if (inner.includes(')')) return null;
    address = inner.trim();
    end = text.slice(0, open).trimEnd().length;
  }
  const digitsEnd = end;
  while (end > 0 && digitsEnd - end <= MAX_SERVER_DIGITS && isDigit(text.charCodeAt(end - 1))) end -= 1;
  if (end === digitsEnd || digitsEnd - end > MAX_SERVER_DIGITS) return null;
  const server = Number(text.slice(end, digitsEnd));
  const gapEnd = end;
  end = text.slice(0, end).trimEnd().length;
  if (end === gapEnd || !text.slice(0, end).endsWith('server')) return null;
  end -= 'server'.length;
  return { head: text.slice(0, end), ref: { server, address, printed: text.slice(end) } };
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

/** `text` without one final `mark` and the whitespace before it; null when `required` and absent. */
function withoutFinal(text: string, mark: string, required: boolean): string | null {
  if (text.endsWith(mark)) return text.slice(0, -mark.length).trimEnd();
  return required ? null : text;
}

/**
 * `<prefix>server N[(addr)]<final>` exactly (a section header `Users on server 0(10.0.0.1):`
 * with `final` ':' required, a trailer `findAllKeys success on server 0(…)` with an optional
 * '.'), on a trimmed line.
 */
export function matchRefLine(trimmed: string, prefix: string, final: ':' | '.'): PrintedServerRef | null {
  if (!trimmed.startsWith(prefix)) return null;
  const body = withoutFinal(trimmed, final, final === ':');
  if (body === null) return null;
  const found = refAtEnd(body);
  return found && found.head === prefix ? found.ref : null;
}

/** `<before> on server N[(addr)][.]`, any whitespace around `on`: `before` (trimmed) and the reference. */
function splitOnServer(trimmed: string): { before: string; ref: PrintedServerRef } | null {
  const found = refAtEnd(withoutFinal(trimmed, '.', false) as string);
  if (!found) return null;
  const head = found.head.trimEnd();
  if (head.length === found.head.length || !head.endsWith('on')) return null;
  const gap = head.slice(0, -2);
  const before = gap.trimEnd();
  return before.length === gap.length ? null : { before, ref: found.ref };
}

/** `<successText> on server N[(addr)]` (e.g. `loginHSM success on server 0(10.0.2.9)`), on a trimmed line. */
export function matchSuccessLine(trimmed: string, successText: string): PrintedServerRef | null {
  if (!trimmed.startsWith(successText)) return null;
  const found = splitOnServer(trimmed);
  return found && found.before === successText ? found.ref : null;
}

/**
 * Our grammar for an undocumented per-server failure line of command C:
 * `C failed: <TEXT> on server N(addr)` (TEXT's first token is the return code, e.g.
 * `RET_USER_LOGIN_FAILURE`; `C failed on server N` has no text: `detail` null).
 */
export function matchFailureLine(
  trimmed: string,
  command: string,
): { ref: PrintedServerRef; detail: string | null } | null {
  if (!trimmed.startsWith(command)) return null;
  const found = splitOnServer(trimmed);
  if (!found) return null;
  const afterCommand = found.before.slice(command.length);
  const failed = afterCommand.trimStart();
  if (failed.length === afterCommand.length || !failed.startsWith('failed')) return null;
  const rest = failed.slice('failed'.length);
  if (rest === '') return { ref: found.ref, detail: null };
  const colon = rest.trimStart();
  return colon.startsWith(':') ? { ref: found.ref, detail: colon.slice(1).trim() } : null;
}

/** `Server 1(10.0.2.6) is not connected` (Azure; accepted for both dialects), on a trimmed line. */
const NOT_CONNECTED = /^(server\s+(\d{1,9})(?:\s*\(([^()]*)\))?)\s+is not connected\.?$/i;

export function matchNotConnected(trimmed: string): PrintedServerRef | null {
  const m = NOT_CONNECTED.exec(trimmed);
  if (!m) return null;
  return { server: Number(m[2]), address: m[3] === undefined ? null : m[3].trim(), printed: m[1] as string };
}

/** Quotes untrusted text for a one-line message: at most 120 characters, nothing raw. */
export function quote(text: string): string {
  const t = text.length > 120 ? `${text.slice(0, 117)}...` : text;
  return escapeForText(JSON.stringify(t));
}

/** ParseError for an unrecognised line. */
export function unknownLine(command: string, line: Line, expected: string): ParseError {
  return new ParseError(command, line.no, `unrecognised line ${quote(line.text)} (expected ${expected})`);
}
