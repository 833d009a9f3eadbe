/**
 * `user list` (AWS CloudHSM user guide, cloudhsm_cli-user-list.html). Grammar of `data`:
 * ```
 * { "users": [ { "username": <name>, "role": <role>, "locked": "true"|"false"|"inconsistent",
 *                "mfa": [ { "strategy": <token>, "status": <status> } ],
 *                ["quorum": [ { "strategy": <token>, "status": <status> } ],]
 *                "cluster-coverage": "full"|"inconsistent" } ] }
 * ```
 * - `locked` is a string (the doc prints `"false"`); `cluster-coverage` values are the two
 *   documented (`partial` appears on no AWS page). MFA `status`: `enabled` and `inconsistent`
 *   are documented; `disabled` is accepted too (our assumption: a strategy switched off may be
 *   listed rather than dropped). Any other value is a ParseError.
 * - `role`: kept as printed (documented: `admin`, `crypto-user`, `internal(APPLIANCE_USER)`,
 *   `inconsistent`), a token of letters, digits and `_ - ( )`.
 * - `quorum` (newer output, always `[]` in the docs): entries are read like MFA entries
 *   (`{strategy, status}`), our assumption; kept in the result only when the reply has it.
 * - Usernames: see USERNAME_PATTERN; the same name twice (case-insensitively) is a ParseError.
 * - Unknown extra fields are ignored (the docs say real output may add fields).
 */
import { ParseError } from '#core/errors.ts';
import { type CliReplyInput, readEnvelope } from './envelope.ts';
import {
  asRecord,
  type JsonRecord,
  readArray,
  readEnum,
  readString,
  readUsername,
  TOKEN_RULE,
} from './fields.ts';

const COMMAND = 'user list';

export const COVERAGE_VALUES = ['full', 'inconsistent'] as const;
export type Coverage = (typeof COVERAGE_VALUES)[number];
export const LOCKED_VALUES = ['true', 'false', 'inconsistent'] as const;
export type UserLocked = (typeof LOCKED_VALUES)[number];
export const MFA_STATUS_VALUES = ['enabled', 'disabled', 'inconsistent'] as const;
export type MfaStatus = (typeof MFA_STATUS_VALUES)[number];

/**
 * Most entries accepted: the hsm2m.medium quota is 1,024 users per HSM, and a cluster whose
 * HSMs disagree lists the union, so at most 1,024 × 28 HSMs (the per-cluster HSM quota).
 */
export const MAX_USERS = 1024 * 28;
const MAX_STRATEGIES = 16;

export interface UserStrategy {
  strategy: string;
  status: MfaStatus;
}

/** One user (contract shape). */
export interface ListedUser {
  username: string;
  role: string;
  locked: UserLocked;
  mfa: UserStrategy[];
  clusterCoverage: Coverage;
  /** Present when the reply has the (newer) `quorum` field. */
  quorum?: UserStrategy[];
}

export interface UserListReply {
  command: 'user list';
  users: ListedUser[];
}

function readStrategies(record: JsonRecord, key: string, path: string): UserStrategy[] {
  return readArray(COMMAND, record, key, path, MAX_STRATEGIES).map((entry, i) => {
    const at = `${path}.${key}[${i}]`;
    const item = asRecord(COMMAND, entry, at);
    return {
      strategy: readString(COMMAND, item, 'strategy', at, TOKEN_RULE),
      status: readEnum(COMMAND, item, 'status', at, MFA_STATUS_VALUES),
    };
  });
}

function readUser(entry: unknown, index: number): ListedUser {
  const path = `data.users[${index}]`;
  const user = asRecord(COMMAND, entry, path);
  const listed: ListedUser = {
    username: readUsername(COMMAND, user, 'username', path),
    role: readString(COMMAND, user, 'role', path, TOKEN_RULE),
    locked: readEnum(COMMAND, user, 'locked', path, LOCKED_VALUES),
    mfa: readStrategies(user, 'mfa', path),
    clusterCoverage: readEnum(COMMAND, user, 'cluster-coverage', path, COVERAGE_VALUES),
  };
  if (Object.hasOwn(user, 'quorum')) listed.quorum = readStrategies(user, 'quorum', path);
  return listed;
}

/**
 * Reads a `user list` reply into `{command: 'user list', users: [...]}`.
 *
 * @example parseUserList('{"error_code":0,"data":{"users":[]}}') // -> { command: 'user list', users: [] }
 */
export function parseUserList(input: CliReplyInput): UserListReply {
  const data = readEnvelope(COMMAND, input);
  const users = readArray(COMMAND, data, 'users', 'data', MAX_USERS).map(readUser);
  const seen = new Set<string>();
  users.forEach((user, i) => {
    const key = user.username.toLowerCase();
    if (seen.has(key)) {
      throw new ParseError(COMMAND, 0, `data.users[${i}].username: ${JSON.stringify(key)} is listed twice`);
    }
    seen.add(key);
  });
  return { command: COMMAND, users };
}
