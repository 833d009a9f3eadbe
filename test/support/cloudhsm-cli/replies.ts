import { CloudHsmCliCommandError } from '#drivers/cloudhsm-cli/parse/envelope.ts';
import type { ClusterHsm } from '#drivers/cloudhsm-cli/parse/parse-hsm-info.ts';
import type { ListedKey } from '#drivers/cloudhsm-cli/parse/parse-key-list.ts';
import type { ListedUser } from '#drivers/cloudhsm-cli/parse/parse-user-list.ts';
import { hsmInfoData } from '#emulator/cloudhsm-cli/format.ts';
import { errorOf } from '../core/errors.ts';

/** Runs `fn`, expects an error envelope (CloudHsmCliCommandError), returns it. */
export function commandErrorOf(fn: () => unknown): CloudHsmCliCommandError {
  return errorOf(CloudHsmCliCommandError, fn);
}

/** A success envelope around `data`, pretty-printed like the tool (indent 2 unless told). */
export function envelope(data: unknown, indent = 2): string {
  return `${JSON.stringify({ error_code: 0, data }, null, indent)}\n`;
}

export function vendorUser(user: ListedUser): Record<string, unknown> {
  return {
    username: user.username,
    role: user.role,
    locked: user.locked,
    mfa: user.mfa,
    ...(user.quorum === undefined ? {} : { quorum: user.quorum }),
    'cluster-coverage': user.clusterCoverage,
  };
}

export function renderUserList(users: readonly ListedUser[], indent = 2): string {
  return envelope({ users: users.map(vendorUser) }, indent);
}

const SECRET_ATTRIBUTES = {
  id: '',
  encrypt: false,
  decrypt: false,
  token: true,
  'always-sensitive': true,
  derive: false,
  destroyable: true,
  extractable: true,
  local: true,
  modifiable: true,
  'never-extractable': false,
  private: true,
  sensitive: true,
  sign: true,
  trusted: false,
  unwrap: false,
  verify: true,
  wrap: false,
  'wrap-with-trusted': false,
  'key-length-bytes': 32,
};

/** One `matched_keys` entry in the documented layout (verbose when the key has coverage). */
export function vendorKey(key: ListedKey): Record<string, unknown> {
  if (key.clusterCoverage === null) {
    return { 'key-reference': key.keyReference, attributes: { label: key.label } };
  }
  const users = (list: ListedKey['owners']) =>
    list.map((u) => ({ username: u.username, 'key-coverage': u.coverage }));
  return {
    'key-reference': key.keyReference,
    'key-info': {
      'key-owners': users(key.owners),
      'shared-users': users(key.sharedUsers),
      'key-quorum-values': { 'manage-key-quorum-value': 0, 'use-key-quorum-value': 0 },
      'cluster-coverage': key.clusterCoverage,
    },
    attributes: {
      'key-type': key.keyType,
      label: key.label,
      ...(key.checkValue === null ? {} : { 'check-value': key.checkValue }),
      class: key.class,
      ...SECRET_ATTRIBUTES,
    },
  };
}

export interface KeyPage {
  keys: ListedKey[];
  totalKeyCount: number;
  nextToken: string | null;
}

export function renderKeyList(page: KeyPage, indent = 2): string {
  return envelope(
    {
      matched_keys: page.keys.map(vendorKey),
      total_key_count: page.totalKeyCount,
      returned_key_count: page.keys.length,
      ...(page.nextToken === null ? {} : { next_token: page.nextToken }),
    },
    indent,
  );
}

/** `cluster hsm-info` as the CLI prints it: the emulator's renderer (one renderer per format). */
export function renderHsmInfo(hsms: readonly ClusterHsm[], indent = 2): string {
  return envelope(hsmInfoData(hsms), indent);
}

/** A plain (non-verbose) copy of a verbose key: what `key list` without `--verbose` shows. */
export function plainKey(key: ListedKey): ListedKey {
  return {
    keyReference: key.keyReference,
    label: key.label,
    checkValue: null,
    clusterCoverage: null,
    owners: [],
    sharedUsers: [],
    class: null,
    keyType: null,
  };
}
