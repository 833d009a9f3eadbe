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
import { quote, SERVER_REF, serverRef, unknownLine } from './lines.ts';
import type { Section, SectionOutcome, SectionSpec, ServerFailure } from './sections.ts';
import { dataLines, leadingCount, parseSections, strictOutcomes } from './sections.ts';

const COMMAND = 'findAllKeys';
const SPEC: SectionSpec = {
  command: COMMAND,
  header: new RegExp(String.raw`^\s*Keys on ${SERVER_REF}\s*:\s*$`),
  headerText: "'Keys on server N(addr):'",
};
const COUNT = /^\s*Number of keys found\s*:?\s*(\d+)\s*$/;
const PAGE = /^\s*number of keys matched from start index\s+(\d+)\s*::\s*(\d+)\s*$/;
const ITEM = /^(\d+)((?:\([so]\))*)$/;
const LIST = /^\s*\d+(?:\([so]\))*(?:\s*,\s*\d+(?:\([so]\))*)*\s*,?\s*$/;
const HASH = /^\s*Key Hash\s*:\s*([0-9a-fA-F]*)\s*$/;
const HEX = /^\s*([0-9a-fA-F]+)\s*$/;
const TRAILER = new RegExp(String.raw`^\s*findAllKeys success on ${SERVER_REF}\s*\.?\s*$`);

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

function parseItems(line: Line): ListedKey[] {
  const items = line.text.trim().replace(/,$/, '').split(',');
  return items.map((raw) => {
    const m = ITEM.exec(raw.trim());
    if (!m) throw new ParseError(COMMAND, line.no, `bad key handle ${quote(raw)}`);
    const markers = m[2] ?? '';
    if (markers.split('(s)').length > 2 || markers.split('(o)').length > 2) {
      throw new ParseError(COMMAND, line.no, `repeated marker in ${quote(raw)}`);
    }
    const key: ListedKey = { handle: Number(m[1]), shared: markers.includes('(s)') };
    if (markers.includes('(o)')) key.owned = true;
    return key;
  });
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
  for (const line of lines.slice(1)) {
    if (state === 'done') throw unknownLine(COMMAND, line, 'nothing after the findAllKeys success line');
    if (state === 'hash-value') {
      const hex = HEX.exec(line.text);
      if (!hex) throw unknownLine(COMMAND, line, 'the key hash digest');
      keyHash = (hex[1] as string).toLowerCase();
      state = 'after-hash';
      continue;
    }
    const t = TRAILER.exec(line.text);
    if (t) {
      const ref = serverRef(t[1], t[2]);
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
    const h = HASH.exec(line.text);
    if (h) {
      requireNoPendingPage(line);
      keyHash = h[1] ? h[1].toLowerCase() : null;
      state = h[1] ? 'after-hash' : 'hash-value';
      continue;
    }
    const p = PAGE.exec(line.text);
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
    if (!LIST.test(line.text)) {
      throw unknownLine(COMMAND, line, 'a key list, a page header, Key Hash or the success line');
    }
    const items = parseItems(line);
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
export function parseFindAllKeysSections(
  text: string,
  profile: DialectProfile,
): SectionOutcome<FindAllKeysServer>[] {
  return parseSections(text, profile, SPEC, (s) => parseBody(s, profile));
}

/** Strict reading of a `findAllKeys` reply (the CLI contract); any parse problem throws ParseError. */
export function parseFindAllKeys(text: string, profile: DialectProfile): FindAllKeysReply {
  return { command: COMMAND, servers: strictOutcomes(parseFindAllKeysSections(text, profile)) };
}
