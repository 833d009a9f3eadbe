/**
 * `hsm-sentinel parse <command> --tool cloudhsm-cli`: one reply of the CLI on stdin (optionally
 * preceded by the echoed command line) → the issue's JSON contract, exactly:
 *
 * - `user-list` → `{"command":"user list","users":[{"username","role","locked","mfa":[{"strategy","status"}],"clusterCoverage"}]}`
 *   (`locked` and `clusterCoverage` keep the tool's strings);
 * - `key-list` → `{"command":"key list","keys":[{"keyReference","label","checkValue","clusterCoverage","owners":[{"username","coverage"}],"sharedUsers":[…]}],"totalKeyCount","returnedKeyCount","nextToken"}`;
 * - `cluster-hsm-info`, `login`, `user-create`: the parsers' own shapes (parse/README.md).
 *
 * An error envelope, invalid JSON or a reply cut short throws (CloudHsmCliCommandError,
 * ParseError): the CLI prints one line naming the command and exits 1. The parsers keep a
 * few fields beyond the contract (`quorum`, `class`, `keyType`): left out here.
 */
import { parseHsmInfo } from './parse/parse-hsm-info.ts';
import { parseKeyList } from './parse/parse-key-list.ts';
import { parseLogin } from './parse/parse-login.ts';
import { parseUserCreate } from './parse/parse-user-create.ts';
import { parseUserList } from './parse/parse-user-list.ts';

export function userListContract(text: string): unknown {
  const reply = parseUserList(text);
  return {
    command: reply.command,
    users: reply.users.map((u) => ({
      username: u.username,
      role: u.role,
      locked: u.locked,
      mfa: u.mfa.map((m) => ({ strategy: m.strategy, status: m.status })),
      clusterCoverage: u.clusterCoverage,
    })),
  };
}

export function keyListContract(text: string): unknown {
  const reply = parseKeyList(text);
  const users = (list: readonly { username: string; coverage: string }[]) =>
    list.map((u) => ({ username: u.username, coverage: u.coverage }));
  return {
    command: reply.command,
    keys: reply.keys.map((k) => ({
      keyReference: k.keyReference,
      label: k.label,
      checkValue: k.checkValue,
      clusterCoverage: k.clusterCoverage,
      owners: users(k.owners),
      sharedUsers: users(k.sharedUsers),
    })),
    totalKeyCount: reply.totalKeyCount,
    returnedKeyCount: reply.returnedKeyCount,
    nextToken: reply.nextToken,
  };
}

/** Command names of `hsm-sentinel parse … --tool cloudhsm-cli` → parser. */
export const CLOUDHSM_CLI_CONTRACT_PARSERS: Readonly<Record<string, (text: string) => unknown>> = {
  'user-list': userListContract,
  'key-list': keyListContract,
  'cluster-hsm-info': (text) => parseHsmInfo(text),
  login: (text) => parseLogin(text),
  'user-create': (text) => parseUserCreate(text),
};
