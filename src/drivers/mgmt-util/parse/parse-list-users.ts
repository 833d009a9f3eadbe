/**
 * `listUsers` (cluster mode). Grammar, per server section:
 * ```
 * Users on server N(addr):
 * Number of users found:K
 *     User Id  User Type  User Name  MofnPubKey  LoginFailureCnt  2FA      (required when K > 0)
 *     <id> <PRECO|PCO|CO|AU|CU> <name> <YES|NO> <count> <YES|NO>        (exactly K rows)
 * ```
 * Columns are separated by any run of whitespace (widths differ between versions).
 * Fewer rows than K (a reply cut mid-table), more rows, a duplicate user id or an unknown
 * line are ParseErrors naming the line.
 */
import { ParseError } from '#core/errors.ts';
import type { DialectProfile } from '../dialect.ts';
import type { HsmUser, UserType } from '../listing.ts';
import { SERVER_REF, unknownLine } from './lines.ts';
import type { Section, SectionOutcome, SectionSpec, ServerFailure } from './sections.ts';
import { dataLines, leadingCount, parseSections, strictOutcomes } from './sections.ts';

const COMMAND = 'listUsers';
const SPEC: SectionSpec = {
  command: COMMAND,
  header: new RegExp(String.raw`^\s*Users on ${SERVER_REF}\s*:\s*$`),
  headerText: "'Users on server N(addr):'",
};
const COUNT = /^\s*Number of users found\s*:?\s*(\d+)\s*$/;
const TABLE_HEADER = /^\s*User Id\s+User Type\s+User Name\s+MofnPubKey\s+LoginFailureCnt\s+2FA\s*$/;
const ROW = /^\s*(\d+)\s+(PRECO|PCO|CO|AU|CU)\s+(\S+)\s+(YES|NO)\s+(\d+)\s+(YES|NO)\s*$/;

/** One server's user table (contract shape). */
export interface ListUsersServer {
  server: number;
  address: string | null;
  count: number;
  users: HsmUser[];
}

export interface ListUsersReply {
  command: 'listUsers';
  servers: Array<ListUsersServer | ServerFailure>;
}

function parseBody(section: Section, profile: DialectProfile): ListUsersServer {
  const lines = dataLines(section, profile);
  const count = leadingCount(COMMAND, section, lines, COUNT, "'Number of users found:K'");
  let i = 1;
  const headerLine = lines[i];
  if (headerLine && TABLE_HEADER.test(headerLine.text)) i += 1;
  else if (count > 0 && headerLine) throw unknownLine(COMMAND, headerLine, 'the user table header');
  const users: HsmUser[] = [];
  for (const line of lines.slice(i)) {
    const r = ROW.exec(line.text);
    if (!r) throw unknownLine(COMMAND, line, 'a user row');
    if (users.length === count) {
      throw new ParseError(COMMAND, line.no, `more user rows than 'Number of users found:${count}'`);
    }
    const userId = Number(r[1]);
    if (users.some((u) => u.userId === userId)) {
      throw new ParseError(COMMAND, line.no, `user id ${userId} listed twice`);
    }
    users.push({
      userId,
      userType: r[2] as UserType,
      username: r[3] as string,
      mofnPubKey: r[4] === 'YES',
      loginFailureCount: Number(r[5]),
      twoFactor: r[6] === 'YES',
    });
  }
  if (users.length < count) {
    throw new ParseError(
      COMMAND,
      section.endNo,
      `section of server ${section.ref.server} ends after ${users.length} of ${count} user rows (reply cut short?)`,
    );
  }
  return { server: section.ref.server, address: section.ref.address, count, users };
}

/** Per-server outcomes; a malformed section is a parse error for that server only. */
export function parseListUsersSections(
  text: string,
  profile: DialectProfile,
): SectionOutcome<ListUsersServer>[] {
  return parseSections(text, profile, SPEC, (s) => parseBody(s, profile));
}

/**
 * Strict reading of a `listUsers` reply (the CLI contract): util-reported per-server failures
 * are kept as `{server, address, error}`, any parse problem throws ParseError.
 *
 * @example parseListUsers('Users on server 0(10.0.0.1):\nNumber of users found:0\n', AWS_PROFILE)
 */
export function parseListUsers(text: string, profile: DialectProfile): ListUsersReply {
  return { command: COMMAND, servers: strictOutcomes(parseListUsersSections(text, profile)) };
}
