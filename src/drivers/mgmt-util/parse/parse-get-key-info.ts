/**
 * `getKeyInfo -k <handle>` (cluster mode). Grammar, per server section:
 * ```
 * Key Info on server N(addr):
 *         Token/Flash Key,                          (or `Session Key,`; optional)
 *         Owned by user <id>
 *         also, shared to following K user(s):      (optional: absent = shared with nobody)
 *                  <id>                              (exactly K lines; K may be 0)
 * [getKeyInfo success on server N(addr)]           (optional trailer)
 * ```
 * `sharedWith` is sorted ascending. Fewer ids than K, an unknown line or a missing owner line
 * is a ParseError naming the line. A server that does not hold the key answers with a
 * failure line (`getKeyInfo failed: … on server N(addr)`), returned as a per-server failure.
 */
import { ParseError } from '#core/errors.ts';
import type { DialectProfile } from '../dialect.ts';
import type { Line } from './lines.ts';
import { matchRefLine, unknownLine } from './lines.ts';
import type { Section, ServerFailure } from './sections.ts';
import { dataLines, sectionParser, sectionSpec, strictOutcomes } from './sections.ts';

const COMMAND = 'getKeyInfo';
const SPEC = sectionSpec(COMMAND, 'Key Info on ');
// Applied to trimmed lines; each is anchored and linear (see lines.ts).
const STORAGE = /^(?:Token\/Flash|Session) Key\s*,?$/;
const OWNER = /^Owned by user\s+(\d+)$/;
const SHARED = /^also,\s*shared to following\s+(\d+)\s+user\(s\)\s*:?$/;
const ID = /^\d+$/;
const TRAILER_PREFIX = 'getKeyInfo success on ';

/** Owner and sharing of one key on one server (contract shape). */
export interface KeyInfoServer {
  server: number;
  address: string | null;
  owner: number;
  sharedWith: number[];
}

export interface KeyInfoReply {
  command: 'getKeyInfo';
  servers: Array<KeyInfoServer | ServerFailure>;
}

function parseBody(section: Section, profile: DialectProfile): KeyInfoServer {
  const { server, address } = section.ref;
  const lines = dataLines(section, profile);
  const first = lines[0];
  let i = first && STORAGE.test(first.trimmed) ? 1 : 0;
  const ownerLine = lines[i];
  if (!ownerLine)
    throw new ParseError(COMMAND, section.endNo, "section ends before 'Owned by user' (reply cut short?)");
  const o = OWNER.exec(ownerLine.trimmed);
  if (!o) throw unknownLine(COMMAND, ownerLine, "'Owned by user <id>'");
  i += 1;
  let expected = 0;
  const sharedLine = lines[i];
  const sh = sharedLine ? SHARED.exec(sharedLine.trimmed) : null;
  if (sh) {
    expected = Number(sh[1]);
    i += 1;
  }
  const sharedWith: number[] = [];
  const seen = new Set<number>();
  let trailer = false;
  for (; i < lines.length; i += 1) {
    const line = lines[i] as Line;
    if (trailer) throw unknownLine(COMMAND, line, 'nothing after the getKeyInfo success line');
    const ref = matchRefLine(line.trimmed, TRAILER_PREFIX, '.');
    if (ref) {
      if (ref.server !== server) {
        throw new ParseError(
          COMMAND,
          line.no,
          `success line names server ${ref.server}, section is server ${server}`,
        );
      }
      if (sharedWith.length < expected) {
        throw new ParseError(
          COMMAND,
          line.no,
          `success line after ${sharedWith.length} of ${expected} shared user ids`,
        );
      }
      trailer = true;
      continue;
    }
    if (!ID.test(line.trimmed) || sharedWith.length === expected) {
      throw unknownLine(COMMAND, line, sharedWith.length < expected ? 'a user id' : 'end of the key info');
    }
    const userId = Number(line.trimmed);
    if (seen.has(userId)) throw new ParseError(COMMAND, line.no, `user ${userId} listed twice`);
    seen.add(userId);
    sharedWith.push(userId);
  }
  if (sharedWith.length < expected) {
    throw new ParseError(
      COMMAND,
      section.endNo,
      `section of server ${server} ends after ${sharedWith.length} of ${expected} shared user ids (reply cut short?)`,
    );
  }
  sharedWith.sort((a, b) => a - b);
  return { server, address, owner: Number(o[1]), sharedWith };
}

/** Per-server outcomes; a malformed section is a parse error for that server only. */
export const parseGetKeyInfoSections = sectionParser<KeyInfoServer>(SPEC, parseBody);

/** Strict reading of a `getKeyInfo -k <handle>` reply; any parse problem throws ParseError. */
export function parseGetKeyInfo(text: string, profile: DialectProfile): KeyInfoReply {
  return { command: COMMAND, servers: strictOutcomes(parseGetKeyInfoSections(text, profile)) };
}
