/**
 * `listUsers` (cluster mode). Grammar, per server section:
 * ```
 * Users on server N(addr):
 * Number of users found:K
 *     User Id  User Type  User Name  MofnPubKey  LoginFailureCnt  2FA      (required when K > 0)
 *     <id> <PRECO|PCO|CO|AU|CU> <name> <YES|NO> <count> <YES|NO>        (exactly K rows)
 * ```
 * Columns are separated by any run of spaces and tabs (widths differ between versions; the
 * util separates columns with nothing else). Fewer rows than K (a reply cut mid-table), more
 * rows, a duplicate user id or an unknown line are ParseErrors naming the line.
 *
 * User names: the vendor documents 1 to 31 characters, letters, digits and `_` (createUser);
 * `.`, `-` and `@` are accepted too (the emulator and earlier readings of this parser allow
 * them, and they mean nothing to the util's command line). A row whose name holds anything
 * else (a control or format character, U+FFFD from invalid UTF-8, other letters, more than
 * 31 characters) is unparseable: the server's section is a parse error, never a shorter
 * table. Inside a section, only blank lines are skipped: the banner pattern accepts any text
 * after its colon, so a name holding a line break could otherwise hide the rest of its row.
 */
import { ParseError } from '#core/errors.ts';
import { whyNotPrintableName } from '#core/printable.ts';
import type { DialectProfile } from '../dialect.ts';
import type { HsmUser, UserType } from '../listing.ts';
import { USER_TYPES } from '../listing.ts';
import type { Line } from './lines.ts';
import { quote, unknownLine } from './lines.ts';
import type { Section, ServerFailure } from './sections.ts';
import { leadingCount, sectionParser, sectionSpec, strictOutcomes } from './sections.ts';

const COMMAND = 'listUsers';
const SPEC = sectionSpec(COMMAND, 'Users on ');
// Applied to trimmed lines; each is anchored and linear (see lines.ts).
const COUNT = /^Number of users found\s*(?::\s*)?(\d+)$/;
const TABLE_HEADER = /^User Id\s+User Type\s+User Name\s+MofnPubKey\s+LoginFailureCnt\s+2FA$/;
const DIGITS = /^\d{1,9}$/;
const TYPES: ReadonlySet<string> = new Set(USER_TYPES);

/** The longest user name the vendor documents (createUser). */
export const MGMT_UTIL_USER_NAME_MAX = 31;
const USER_NAME = /^[A-Za-z0-9_.@-]+$/;

/** Why `name` is not a user name the util can print, or null. */
export function whyNotUserName(name: string): string | null {
  const why = whyNotPrintableName(name, { maxLength: MGMT_UTIL_USER_NAME_MAX });
  if (why !== null) return why;
  return USER_NAME.test(name) ? null : 'holds a character other than A-Z, a-z, 0-9, _ . - @';
}

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

/** The columns of a row: split at runs of spaces and tabs only (at most 7, enough to refuse). */
function columns(text: string): string[] {
  const cols = text.split(/[ \t]+/, 8);
  if (cols[0] === '') cols.shift();
  if (cols.at(-1) === '') cols.pop();
  return cols;
}

/** A user row, or null when the line is not row-shaped; throws when only the name is wrong. */
function parseRow(line: Line): HsmUser | null {
  const cols = columns(line.text);
  if (cols.length !== 6) return null;
  const [id, type, name, mofn, failures, twoFa] = cols as [string, string, string, string, string, string];
  const yesNo = (v: string) => v === 'YES' || v === 'NO';
  if (!DIGITS.test(id) || !TYPES.has(type) || !yesNo(mofn) || !DIGITS.test(failures) || !yesNo(twoFa)) {
    return null;
  }
  const why = whyNotUserName(name);
  if (why !== null) {
    throw new ParseError(
      COMMAND,
      line.no,
      `user name ${quote(name)} of user ${id} is not a user name: it ${why}`,
    );
  }
  return {
    userId: Number(id),
    userType: type as UserType,
    username: name,
    mofnPubKey: mofn === 'YES',
    loginFailureCount: Number(failures),
    twoFactor: twoFa === 'YES',
  };
}

function parseBody(section: Section): ListUsersServer {
  const lines = section.body.filter((l) => l.trimmed !== '');
  const count = leadingCount(COMMAND, section, lines, COUNT, "'Number of users found:K'");
  let i = 1;
  const headerLine = lines[i];
  if (headerLine && TABLE_HEADER.test(headerLine.trimmed)) i += 1;
  else if (count > 0 && headerLine) throw unknownLine(COMMAND, headerLine, 'the user table header');
  const users: HsmUser[] = [];
  const ids = new Set<number>();
  for (; i < lines.length; i += 1) {
    const line = lines[i] as Line;
    const user = parseRow(line);
    if (!user) throw unknownLine(COMMAND, line, 'a user row');
    if (users.length === count) {
      throw new ParseError(COMMAND, line.no, `more user rows than 'Number of users found:${count}'`);
    }
    if (ids.has(user.userId)) {
      throw new ParseError(COMMAND, line.no, `user id ${user.userId} listed twice`);
    }
    ids.add(user.userId);
    users.push(user);
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
export const parseListUsersSections = sectionParser<ListUsersServer>(SPEC, parseBody);

/**
 * Strict reading of a `listUsers` reply (the CLI contract): util-reported per-server failures
 * are kept as `{server, address, error}`, any parse problem throws ParseError.
 *
 * @example parseListUsers('Users on server 0(10.0.0.1):\nNumber of users found:0\n', AWS_PROFILE)
 */
export function parseListUsers(text: string, profile: DialectProfile): ListUsersReply {
  return { command: COMMAND, servers: strictOutcomes(parseListUsersSections(text, profile)) };
}
