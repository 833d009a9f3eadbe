/** Public surface of the mgmt-util driver kit (AWS cloudhsm_mgmt_util, Azure azcloudhsm_mgmt_util). */

export type { ConfigDrift } from '#core/model.ts';
export type { OperatorConfigServer } from './config.ts';
export {
  buildConfig,
  readOperatorConfig,
  readOperatorConfigServers,
  renderConfig,
} from './config.ts';
export type { AwsCertificatePaths, DialectProfile, PromptState } from './dialect.ts';
export { AWS_PROFILE, AZURE_PROFILE, matchPrompt, profileFor, serverLabel } from './dialect.ts';
export type { MgmtUtilDriverOptions, MgmtUtilTimeouts } from './mgmt-util-driver.ts';
export { DEFAULT_MGMT_UTIL_TIMEOUTS, MgmtUtilDriver } from './mgmt-util-driver.ts';
export type { FindAllKeysReply, FindAllKeysServer, ListedKey } from './parse/parse-find-all-keys.ts';
export { parseFindAllKeys, parseFindAllKeysSections } from './parse/parse-find-all-keys.ts';
export type { KeyInfoReply, KeyInfoServer } from './parse/parse-get-key-info.ts';
export { parseGetKeyInfo, parseGetKeyInfoSections } from './parse/parse-get-key-info.ts';
export type { ListUsersReply, ListUsersServer } from './parse/parse-list-users.ts';
export { parseListUsers, parseListUsersSections } from './parse/parse-list-users.ts';
export type { LoginReply, LoginServerResult } from './parse/parse-login.ts';
export { CREDENTIALS_FAILURE_CODES, parseEnableE2e, parseLogin, parseLogout } from './parse/parse-login.ts';
export type {
  ExpectedServer,
  ServerConnection,
  StartupReport,
  StartupServer,
} from './parse/parse-startup.ts';
export { connectionsOf, parseStartup } from './parse/parse-startup.ts';
export type { StatusFailed, StatusOk, StatusResult } from './parse/parse-status-lines.ts';
export type { SyncReply } from './parse/parse-sync.ts';
export { parseServerModeReply, parseSyncReply } from './parse/parse-sync.ts';
export type { SectionOutcome, ServerFailure } from './parse/sections.ts';
export type { CommandLine, MgmtUtilSessionOptions, RunOptions } from './session.ts';
export { MgmtUtilSession } from './session.ts';
