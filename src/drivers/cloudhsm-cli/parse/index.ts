/**
 * Public surface of the `cloudhsm-cli` (AWS Client SDK 5) reply parsers: one function per
 * command, each total (a reply it cannot read is a ParseError naming the command; an error
 * envelope is a CloudHsmCliCommandError), and a table from command words to parser for the
 * CLI's `parse` command.
 */
import type { CliReplyInput } from './envelope.ts';
import { parseHsmInfo } from './parse-hsm-info.ts';
import { parseKeyList } from './parse-key-list.ts';
import { parseLogin } from './parse-login.ts';
import { parseUserCreate } from './parse-user-create.ts';
import { parseUserList } from './parse-user-list.ts';

export type { CliReplyInput } from './envelope.ts';
export {
  CLOUDHSM_CLI_COMMAND_ERROR,
  CloudHsmCliCommandError,
  MAX_JSON_DEPTH,
  MAX_REPLY_BYTES,
  readEnvelope,
} from './envelope.ts';
export type { Sdk5Role } from './fields.ts';
export { hasUnsafeChar, MAX_LABEL_LENGTH, printable, SDK5_ROLES, USERNAME_PATTERN } from './fields.ts';
export type { ClusterHsm, HsmInfoReply } from './parse-hsm-info.ts';
export { MAX_HSMS, parseHsmInfo } from './parse-hsm-info.ts';
export type { KeyListReply, KeyUser, ListedKey, ParseKeyListOptions } from './parse-key-list.ts';
export { joinKeyListPages, MAX_KEYS_PER_PAGE, parseKeyList } from './parse-key-list.ts';
export type { LoginReply } from './parse-login.ts';
export { parseLogin } from './parse-login.ts';
export type { UserCreateReply } from './parse-user-create.ts';
export { parseUserCreate } from './parse-user-create.ts';
export type {
  Coverage,
  ListedUser,
  MfaStatus,
  UserListReply,
  UserLocked,
  UserStrategy,
} from './parse-user-list.ts';
export {
  COVERAGE_VALUES,
  LOCKED_VALUES,
  MAX_USERS,
  MFA_STATUS_VALUES,
  parseUserList,
} from './parse-user-list.ts';

/** The commands with a parser, as typed after `cloudhsm-cli`. */
export const CLOUDHSM_CLI_PARSED_COMMANDS = [
  'user list',
  'key list',
  'cluster hsm-info',
  'login',
  'user create',
] as const;
export type CloudHsmCliParsedCommand = (typeof CLOUDHSM_CLI_PARSED_COMMANDS)[number];

/** Command words → parser (what `hsm-sentinel parse <command>` calls). */
export const CLOUDHSM_CLI_PARSERS: Readonly<
  Record<CloudHsmCliParsedCommand, (input: CliReplyInput) => unknown>
> = {
  'user list': parseUserList,
  'key list': (input) => parseKeyList(input),
  'cluster hsm-info': parseHsmInfo,
  login: parseLogin,
  'user create': parseUserCreate,
};
