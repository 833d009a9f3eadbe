/**
 * What the emulated `cloudhsm-cli` prints: the documented JSON envelopes (2-space indentation,
 * field order as in the AWS examples) and the emulator's own error texts. Documented shapes:
 * `user list`, `key list [--verbose]`, `cluster hsm-info`, `login`, `user create`, and the
 * `{"error_code": 1, "data": "<message>"}` failure envelope. Every text in {@link TEXTS} is the
 * emulator's own (no AWS page shows these failures) unless its comment says otherwise.
 */
import type { HsmInfo } from '../node-state.ts';
import type { CliUserEntry, ClusterKey } from './coverage.ts';

export type CliReply = { ok: true; data: unknown } | { ok: false; message: string };

export const ok = (data: unknown): CliReply => ({ ok: true, data });
export const failed = (message: string): CliReply => ({ ok: false, message });

/** The envelope, as the tool prints it (a final newline; exit status is the caller's). */
export function renderReply(reply: CliReply): string {
  const envelope = reply.ok ? { error_code: 0, data: reply.data } : { error_code: 1, data: reply.message };
  return `${JSON.stringify(envelope, null, 2)}\n`;
}

const addressList = (addresses: readonly string[]) => addresses.join(', ');

export const TEXTS = {
  notImplemented: (command: string) => `The emulated cloudhsm-cli does not implement '${command}'`,
  usage: (command: string, detail: string) => `${command}: ${detail}`,
  configUnreadable: (path: string) => `Unable to read the configuration file ${path}`,
  config: (detail: string) => `Invalid configuration: ${detail}`,
  /** [3rd-party] text recorded in a public script for a multi-cluster config without --cluster-id. */
  multipleClusters: 'multiple clusters provided in configuration file. Please specify `cluster-id`',
  unknownCluster: (id: string) => `No cluster with id ${id} in the configuration file`,
  noServers: 'No enabled HSM in the configuration file',
  /** The emulator refuses to answer from a subset of the HSMs (a shorter list would be silent). */
  unreachable: (command: string, down: readonly string[], total: number) =>
    `${command} needs every HSM in the cluster: ${down.length} of ${total} unreachable (${addressList(down)})`,
  noCredentials: (command: string) =>
    `${command} needs a login: set CLOUDHSM_ROLE and CLOUDHSM_PIN=<username>:<password>`,
  badRole: 'CLOUDHSM_ROLE and --role must be admin or crypto-user',
  pinUserMismatch: 'CLOUDHSM_PIN names another user than --username',
  passwordOnCommandLine:
    'The emulated cloudhsm-cli takes login credentials from CLOUDHSM_PIN only, never from --password',
  /** Per connection, like the documented `User replicate failed on 1 of 3 connections`. */
  loginFailed: (failedCount: number, total: number, reasons: readonly string[]) =>
    `Login failed on ${failedCount} of ${total} connections: ${reasons.join('; ')}`,
  reasonCredentials: 'invalid username, password or role',
  reasonLocked: 'user is locked',
  reasonUnreachable: 'HSM unreachable',
  reasonOther: 'HSM error',
  adminOnly: (command: string) => `${command} requires a login with the admin role`,
  badUsername: 'Username must be 1 to 31 characters of letters, digits, _ and -',
  badPassword: 'Password must be 8 to 32 characters',
  passwordMismatch: 'Passwords do not match',
  noPassword: 'No password given (use --password or answer the prompts)',
  userCreateFailed: (failedCount: number, total: number) =>
    `User create failed on ${failedCount} of ${total} connections`,
  badMaxItems: '--max-items must be a positive integer',
  badStartingToken: '--starting-token must be a next_token from an earlier page',
  badFilter: 'Unsupported filter: use key-reference=0x…, attr.label=…, attr.class=… or attr.key-type=…',
  /** [AWS-doc] the SDK 5 log text of the key availability check (working-client-sync.html). */
  keyAvailability: (keyReference: string) =>
    `Key ${keyReference} does not meet the availability requirements - The key must be available on at least 2 HSMs before being used.`,
} as const;

/** `0x` and 16 hex digits, as every AWS example prints key references. */
export function keyReferenceOf(handle: number): string {
  return `0x${handle.toString(16).padStart(16, '0')}`;
}

export function userListData(users: readonly CliUserEntry[]): unknown {
  return { users };
}

export function hsmInfoData(hsms: readonly HsmInfo[]): unknown {
  return {
    hsms: hsms.map((h) => ({
      vendor: h.vendor,
      model: h.model,
      'serial-number': h.serialNumber,
      'hardware-version-major': h.hardwareVersionMajor,
      'hardware-version-minor': h.hardwareVersionMinor,
      'firmware-version-major': h.firmwareVersionMajor,
      'firmware-version-minor': h.firmwareVersionMinor,
      'firmware-build-number': h.firmwareBuildNumber,
      'firmware-id': h.firmwareId,
      'fips-state': h.fipsState,
    })),
  };
}

/** The boolean attributes of the documented examples, per class. */
function flags(keyClass: string): Record<string, boolean> {
  const secret = keyClass === 'secret-key';
  const privateKey = keyClass === 'private-key';
  return {
    encrypt: false,
    decrypt: false,
    token: true,
    'always-sensitive': secret || privateKey,
    derive: false,
    destroyable: true,
    extractable: true,
    local: true,
    modifiable: true,
    'never-extractable': false,
    private: true,
    sensitive: secret || privateKey,
    sign: secret,
    trusted: false,
    unwrap: false,
    verify: secret,
    wrap: false,
    'wrap-with-trusted': false,
  };
}

function keyEntry(merged: ClusterKey, verbose: boolean): unknown {
  const k = merged.key;
  const keyReference = keyReferenceOf(k.handle);
  if (!verbose) return { 'key-reference': keyReference, attributes: { label: k.label } };
  const users = (list: ClusterKey['owners']) =>
    list.map((u) => ({ username: u.username, 'key-coverage': u.coverage }));
  return {
    'key-reference': keyReference,
    'key-info': {
      'key-owners': users(merged.owners),
      'shared-users': users(merged.sharedUsers),
      'key-quorum-values': { 'manage-key-quorum-value': 0, 'use-key-quorum-value': 0 },
      'cluster-coverage': merged.clusterCoverage,
    },
    attributes: {
      'key-type': k.keyType,
      label: k.label,
      id: '',
      'check-value': k.checkValue,
      class: k.keyClass,
      ...flags(k.keyClass),
      'key-length-bytes': k.keyLengthBytes,
      ...(k.ecPoint === null ? {} : { 'ec-point': k.ecPoint }),
      ...(k.curve === null ? {} : { curve: k.curve }),
    },
  };
}

/** `key list` data: `next_token` only when more keys follow (absent on the last page, as documented). */
export function keyListData(
  keys: readonly ClusterKey[],
  verbose: boolean,
  totalKeyCount: number,
  nextToken: string | null,
): unknown {
  return {
    matched_keys: keys.map((k) => keyEntry(k, verbose)),
    total_key_count: totalKeyCount,
    returned_key_count: keys.length,
    ...(nextToken === null ? {} : { next_token: nextToken }),
  };
}
