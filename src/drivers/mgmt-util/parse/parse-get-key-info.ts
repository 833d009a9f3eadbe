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
import { SERVER_REF, serverRef, unknownLine } from './lines.ts';
import type { Section, SectionOutcome, SectionSpec, ServerFailure } from './sections.ts';
import { dataLines, parseSections, strictOutcomes } from './sections.ts';

const COMMAND = 'getKeyInfo';
const SPEC: SectionSpec = {
  command: COMMAND,
  header: new RegExp(String.raw`^\s*Key Info on ${SERVER_REF}\s*:\s*$`),
  headerText: "'Key Info on server N(addr):'",
};
const STORAGE = /^\s*(?:Token\/Flash|Session) Key\s*,?\s*$/;
const OWNER = /^\s*Owned by user\s+(\d+)\s*$/;
const SHARED = /^\s*also,\s*shared to following\s+(\d+)\s+user\(s\)\s*:?\s*$/;
const ID = /^\s*(\d+)\s*$/;
const TRAILER = new RegExp(String.raw`^\s*getKeyInfo success on ${SERVER_REF}\s*\.?\s*$`);

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
  let i = first && STORAGE.test(first.text) ? 1 : 0;
  const ownerLine = lines[i];
  if (!ownerLine)
    throw new ParseError(COMMAND, section.endNo, "section ends before 'Owned by user' (reply cut short?)");
  const o = OWNER.exec(ownerLine.text);
  if (!o) throw unknownLine(COMMAND, ownerLine, "'Owned by user <id>'");
  i += 1;
  let expected = 0;
  const sharedLine = lines[i];
  const sh = sharedLine ? SHARED.exec(sharedLine.text) : null;
  if (sh) {
    expected = Number(sh[1]);
    i += 1;
  }
  const sharedWith: number[] = [];
  let trailer = false;
  for (const line of lines.slice(i)) {
    if (trailer) throw unknownLine(COMMAND, line, 'nothing after the getKeyInfo success line');
    const t = TRAILER.exec(line.text);
    if (t) {
      const ref = serverRef(t[1], t[2]);
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
    const id = ID.exec(line.text);
    if (!id || sharedWith.length === expected) {
      throw unknownLine(COMMAND, line, sharedWith.length < expected ? 'a user id' : 'end of the key info');
    }
    const userId = Number(id[1]);
    if (sharedWith.includes(userId)) throw new ParseError(COMMAND, line.no, `user ${userId} listed twice`);
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
export function parseGetKeyInfoSections(
  text: string,
  profile: DialectProfile,
): SectionOutcome<KeyInfoServer>[] {
  return parseSections(text, profile, SPEC, (s) => parseBody(s, profile));
}

/** Strict reading of a `getKeyInfo -k <handle>` reply; any parse problem throws ParseError. */
export function parseGetKeyInfo(text: string, profile: DialectProfile): KeyInfoReply {
  return { command: COMMAND, servers: strictOutcomes(parseGetKeyInfoSections(text, profile)) };
}
