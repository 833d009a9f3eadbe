/**
 * `findAllKeys <user> <hash 0|1>` (cluster mode). Grammar, per server section:
 * ```
 * Keys on server N(addr):
 * Number of keys found K
 * ( number of keys matched from start index S::M          (page header, optional)
 *   h[(s)][(o)],h…                                        (the page's handles) )*
 * [ Key Hash: <hex> | Key Hash:  NL <hex> ]               (hash=1 form)
 * findAllKeys success on server N(addr)                   (required trailer)
 * ```
 * - The handles of all pages together must number exactly K; a page header's S must equal
 *   the handles read so far, and its page must hold M (or M − S) handles.
 * - `(s)` = shared, `(o)` = owned; `owned: true` is set only when `(o)` is printed, so plain
 *   keys keep the `{handle, shared}` contract.
 * - Zero keys: `Number of keys found 0`, then optionally `… start index 0::0` and an empty
 *   line (no list line at all is also accepted), then the trailer; `keys` is `[]`.
 * - `keyHash` is the digest in lower case, null when the reply has no `Key Hash:` line.
 * - A missing trailer (reply cut short), a short list, a duplicate handle or an unknown line
 *   is a ParseError naming the line.
 */
import { ParseError } from '#core/errors.ts';
import type { DialectProfile } from '../dialect.ts';
import type { Line } from './lines.ts';
import { matchRefLine, quote, unknownLine } from './lines.ts';
import type { Section, ServerFailure } from './sections.ts';
import { dataLines, leadingCount, sectionParser, sectionSpec, strictOutcomes } from './sections.ts';

const COMMAND = 'findAllKeys';
const SPEC = sectionSpec(COMMAND, 'Keys on ');
// Applied to trimmed lines; each is anchored and linear (see lines.ts).
const COUNT = /^Number of keys found\s*(?::\s*)?(\d+)$/;
const PAGE = /^number of keys matched from start index\s+(\d+)\s*::\s*(\d+)$/;
const HASH = /^Key Hash\s*:\s*([0-9a-fA-F]*)$/;
const HEX = /^[0-9a-fA-F]+$/;
const TRAILER_PREFIX = 'findAllKeys success on ';

/** One key as findAllKeys lists it (contract shape). */
export interface ListedKey {
  handle: number;
  shared: boolean;
  /** Present (true) only when the reply marks the key `(o)`. */
  owned?: true;
}

export interface FindAllKeysServer {
  server: number;
  address: string | null;
  count: number;
  keys: ListedKey[];
  keyHash: string | null;
}

export interface FindAllKeysReply {
  command: 'findAllKeys';
  servers: Array<FindAllKeysServer | ServerFailure>;
}

/** The whitespace `\s` (and String.prototype.trim) knows. */
function isSpace(c: number): boolean {
  return (
    c === 32 ||
    (c >= 9 && c <= 13) ||
    c === 0xa0 ||
    c === 0x1680 ||
    (c >= 0x2000 && c <= 0x200a) ||
    c === 0x2028 ||
    c === 0x2029 ||
    c === 0x202f ||
    c === 0x205f ||
    c === 0x3000 ||
    c === 0xfeff
  );
}

/**
 * A list line `h[(s)][(o)], h…` (whitespace around commas, an optional trailing comma): its
 * keys, or null when the line is not list-shaped. One left-to-right pass over the characters,
 * never one pattern repeated per handle (whose backtracking stack grows with the list:
 * 1.5 M handles exhausted it).
 */
function parseList(line: Line): ListedKey[] | null {
  const s = line.trimmed;
  const n = s.length;
  const keys: ListedKey[] = [];
  let i = 0;
  for (;;) {
    while (i < n && isSpace(s.charCodeAt(i))) i += 1;
    const itemStart = i;
    let handle = 0;
    while (i < n) {
      const c = s.charCodeAt(i);
      if (c < 48 || c > 57) break;
      handle = handle * 10 + (c - 48);
      i += 1;
    }
    const digits = i - itemStart;
    // No handle: the end of a line with a trailing comma, or not a list at all.
    if (digits === 0) return i === n && keys.length > 0 ? keys : null;
    // A handle is a 32-bit number: more digits than a safe integer holds is not a handle.
    if (digits > 15) return null;
    let shared = false;
    let owned = false;
    let repeated = false;
    while (i < n && s.charCodeAt(i) === 40 /* ( */) {
      const marker = s.charCodeAt(i + 1);
      if (s.charCodeAt(i + 2) !== 41 /* ) */) return null;
      if (marker === 115 /* s */) {
        repeated ||= shared;
        shared = true;
      } else if (marker === 111 /* o */) {
        repeated ||= owned;
        owned = true;
      } else {
        return null;
      }
      i += 3;
    }
    if (repeated)
      throw new ParseError(COMMAND, line.no, `repeated marker in ${quote(s.slice(itemStart, i))}`);
    const key: ListedKey = { handle, shared };
    if (owned) key.owned = true;
    keys.push(key);
    while (i < n && isSpace(s.charCodeAt(i))) i += 1;
    if (i === n) return keys;
    if (s.charCodeAt(i) !== 44 /* , */) return null;
    i += 1;
  }
}

function parseBody(section: Section, profile: DialectProfile): FindAllKeysServer {
  const { server, address } = section.ref;
  const lines = dataLines(section, profile);
  const count = leadingCount(COMMAND, section, lines, COUNT, "'Number of keys found K'");
  const keys: ListedKey[] = [];
  const handles = new Set<number>();
  let keyHash: string | null = null;
  /** Handle counts the last page header allows for its list line; null when no header is pending. */
  let pageExpects: number[] | null = null;
  let state: 'list' | 'hash-value' | 'after-hash' | 'done' = 'list';
  const requireNoPendingPage = (line: Line): void => {
    if (pageExpects !== null && !pageExpects.includes(0)) {
      throw new ParseError(
        COMMAND,
        line.no,
        `page announced ${pageExpects[0]} handles but no list line follows`,
      );
    }
  };
  for (let k = 1; k < lines.length; k += 1) {
    const line = lines[k] as Line;
    if (state === 'done') throw unknownLine(COMMAND, line, 'nothing after the findAllKeys success line');
    if (state === 'hash-value') {
      if (!HEX.test(line.trimmed)) throw unknownLine(COMMAND, line, 'the key hash digest');
      keyHash = line.trimmed.toLowerCase();
      state = 'after-hash';
      continue;
    }
    const ref = matchRefLine(line.trimmed, TRAILER_PREFIX, '.');
    if (ref) {
      if (ref.server !== server || (ref.address !== null && address !== null && ref.address !== address)) {
        throw new ParseError(
          COMMAND,
          line.no,
          `success line names server ${ref.server}, section is server ${server}`,
        );
      }
      requireNoPendingPage(line);
      if (keys.length !== count) {
        throw new ParseError(
          COMMAND,
          line.no,
          `'Number of keys found ${count}' but ${keys.length} handles listed (list cut short?)`,
        );
      }
      state = 'done';
      continue;
    }
    if (state === 'after-hash') throw unknownLine(COMMAND, line, "'findAllKeys success on server N(addr)'");
    const h = HASH.exec(line.trimmed);
    if (h) {
      requireNoPendingPage(line);
      keyHash = h[1] ? h[1].toLowerCase() : null;
      state = h[1] ? 'after-hash' : 'hash-value';
      continue;
    }
    const p = PAGE.exec(line.trimmed);
    if (p) {
      requireNoPendingPage(line);
      const start = Number(p[1]);
      const m = Number(p[2]);
      if (start !== keys.length) {
        throw new ParseError(
          COMMAND,
          line.no,
          `page starts at index ${start} but ${keys.length} handles were read`,
        );
      }
      // M is the page size (documented example: start 0, M = 6) or, on later pages, the end index.
      pageExpects = start === 0 || m <= start ? [m] : [m, m - start];
      continue;
    }
    const items = parseList(line);
    if (items === null) {
      throw unknownLine(COMMAND, line, 'a key list, a page header, Key Hash or the success line');
    }
    if (pageExpects !== null && !pageExpects.includes(items.length)) {
      throw new ParseError(
        COMMAND,
        line.no,
        `page announced ${pageExpects[0]} handles, list has ${items.length} (list cut short?)`,
      );
    }
    for (const item of items) {
      if (handles.has(item.handle))
        throw new ParseError(COMMAND, line.no, `key handle ${item.handle} listed twice`);
      handles.add(item.handle);
      keys.push(item);
    }
    if (keys.length > count) {
      throw new ParseError(COMMAND, line.no, `more handles than 'Number of keys found ${count}'`);
    }
    pageExpects = null;
  }
  if (state !== 'done') {
    throw new ParseError(
      COMMAND,
      section.endNo,
      `section of server ${server} has no 'findAllKeys success on server ${server}' line (reply cut short?)`,
    );
  }
  return { server, address, count, keys, keyHash };
}

/** Per-server outcomes; a malformed section is a parse error for that server only. */
export const parseFindAllKeysSections = sectionParser<FindAllKeysServer>(SPEC, parseBody);

/** Strict reading of a `findAllKeys` reply (the CLI contract); any parse problem throws ParseError. */
export function parseFindAllKeys(text: string, profile: DialectProfile): FindAllKeysReply {
  return { command: COMMAND, servers: strictOutcomes(parseFindAllKeysSections(text, profile)) };
}
