/**
 * The text the emulated mgmt-util prints, one function per documented output. Layouts follow
 * shared/reference/hsm-management-cli.md and the transcripts (listUsers column positions are
 * byte-identical to the AWS user guide's example).
 */
import type { Dialect } from '#drivers/mgmt-util/dialect.ts';
import type { HsmUser } from '#drivers/mgmt-util/listing.ts';
import type { KeyInfo } from '../node-state.ts';

export interface DialectText {
  prompt: string;
  /** Lines printed before anything else (Azure's version banner). */
  banner: string[];
  /** Who "does NOT synchronize" in the createUser CAUTION banner. */
  vendor: string;
}

export const DIALECT_TEXT: Readonly<Record<Dialect, DialectText>> = {
  aws: { prompt: 'aws-cloudhsm>', banner: [], vendor: 'AWS' },
  azure: {
    prompt: 'cloudmgmt>',
    banner: ['Liquidsec MGMT Util Version : 2.0.0-hsm-sentinel-emulator', ''],
    vendor: 'Azure',
  },
};

/** `server 0(10.0.0.1)`: how every per-server line names a server. */
export function serverLabel(index: number, hostname: string): string {
  return `server ${index}(${hostname})`;
}

export function serverPrompt(index: number): string {
  return `server${index}>`;
}

export const STARTUP_PREAMBLE = [
  'Connecting to the server(s), it may take time',
  'depending on the server(s) load, please wait...',
];

export function connectingLine(name: string, hostname: string, port: number): string {
  return `Connecting to server '${name}': hostname '${hostname}', port ${port}...`;
}

export function connectedLine(name: string, hostname: string, port: number): string {
  return `Connected to server '${name}': hostname '${hostname}', port ${port}.`;
}

export function notConnectedLine(index: number, hostname: string): string {
  return `Server ${index}(${hostname}) is not connected`;
}

export const USERS_HEADER =
  '    User Id             User Type       User Name            MofnPubKey    LoginFailureCnt         2FA';

const yesNo = (value: boolean): string => (value ? 'YES' : 'NO');

/**
 * Column widths of the listUsers table. The defaults are the AWS user guide's, byte for byte;
 * the parser's property tests vary them (real tools differ in widths and indentation).
 */
export interface UserColumns {
  indent: number;
  idWidth: number;
  gapAfterId: number;
  typeWidth: number;
  nameWidth: number;
  mofnWidth: number;
  failWidth: number;
  twoFaWidth: number;
}

export const DOCUMENTED_COLUMNS: UserColumns = {
  indent: 0,
  idWidth: 10,
  gapAfterId: 14,
  typeWidth: 16,
  nameWidth: 20,
  mofnWidth: 9,
  failWidth: 16,
  twoFaWidth: 17,
};

/** Always at least one space between columns, whatever the width. */
function pad(text: string, width: number, left: boolean): string {
  return left
    ? text.padStart(Math.max(width, text.length + 1))
    : text.padEnd(Math.max(width, text.length + 1));
}

/** One row of the listUsers table. */
export function userRow(user: HsmUser, c: UserColumns = DOCUMENTED_COLUMNS): string {
  return (
    ' '.repeat(c.indent) +
    String(user.userId).padStart(c.idWidth) +
    ' '.repeat(Math.max(1, c.gapAfterId)) +
    pad(user.userType, c.typeWidth, false) +
    pad(user.username, c.nameWidth, false) +
    pad(yesNo(user.mofnPubKey), c.mofnWidth, true) +
    pad(String(user.loginFailureCount), c.failWidth, true) +
    pad(yesNo(user.twoFactor), c.twoFaWidth, true)
  );
}

export function usersBlock(
  label: string,
  users: readonly HsmUser[],
  layout: { columns?: UserColumns; blankLines?: number } = {},
): string[] {
  return [
    `Users on ${label}:`,
    `Number of users found:${users.length}`,
    ...Array.from({ length: layout.blankLines ?? 1 }, () => ''),
    USERS_HEADER,
    ...users.map((u) => userRow(u, layout.columns)),
  ];
}

/** A key as findAllKeys lists it: `262150(s)(o)` (`(o)`: owned, in newer vendor pages). */
export interface ListedKeyItem {
  handle: number;
  shared: boolean;
  owned?: boolean;
}

export function keyItem(key: ListedKeyItem): string {
  return `${key.handle}${key.shared ? '(s)' : ''}${key.owned ? '(o)' : ''}`;
}

export function keysBlock(
  label: string,
  found: { keys: readonly ListedKeyItem[]; hash: string | null },
  separator = ',',
): string[] {
  const count = found.keys.length;
  const lines = [
    `Keys on ${label}:`,
    `Number of keys found ${count}`,
    `number of keys matched from start index 0::${count}`,
  ];
  if (count > 0) lines.push(found.keys.map(keyItem).join(separator));
  if (found.hash !== null) lines.push('Key Hash:', found.hash);
  lines.push(`findAllKeys success on ${label}`);
  return lines;
}

/** `getKeyInfo -k <h>` of one server; `shareLineWhenNone` prints the sharing line with 0 users too. */
export function keyInfoBlock(
  label: string,
  info: Pick<KeyInfo, 'owner' | 'sharedWith'>,
  shareLineWhenNone = false,
): string[] {
  const lines = [`Key Info on ${label}:`, '        Token/Flash Key,', `        Owned by user ${info.owner}`];
  if (info.sharedWith.length > 0 || shareLineWhenNone) {
    lines.push(`        also, shared to following ${info.sharedWith.length} user(s):`);
    for (const id of info.sharedWith) lines.push(`                 ${id}`);
  }
  return lines;
}

export interface InfoServerRow {
  index: number;
  name: string;
  hostname: string;
  port: number;
  connected: boolean;
  partition: string;
  loggedInAs: string | null;
}

const cell = (text: string, width: number): string => (text.length < width ? text.padEnd(width) : `${text} `);

/** `info server N`: the documented two-line table. */
export function infoServerTable(row: InfoServerRow): string[] {
  const header =
    cell('Id', 8) +
    cell('Name', 12) +
    cell('Hostname', 12) +
    cell('Port', 7) +
    cell('State', 12) +
    cell('Partition', 18);
  const login = !row.connected
    ? '-'
    : row.loggedInAs === null
      ? 'Not logged in'
      : `Logged in as '${row.loggedInAs}'`;
  const line =
    cell(String(row.index), 8) +
    cell(row.name, 12) +
    cell(row.hostname, 12) +
    cell(String(row.port), 7) +
    cell(row.connected ? 'Connected' : 'Disconnected', 12) +
    cell(row.connected ? row.partition : '-', 18);
  return [`${header}LoginState`, `${line}${login}`];
}

export function createUserCaution(vendor: string): string[] {
  return [
    '*************************CAUTION********************************',
    'This is a CRITICAL operation, should be done on all nodes in the',
    `cluster. ${vendor} does NOT synchronize these changes automatically with the`,
    'nodes on which this operation is not executed or failed, please',
    'ensure this operation is executed on all nodes in the cluster.',
    '****************************************************************',
    '',
  ];
}

export const CONFIRM_QUESTION = 'Do you want to continue(y/n)?';

export const HELP_LINES = [
  'Commands (emulated mgmt-util):',
  '  enable_e2e',
  '  loginHSM <user type> <user name> <password>',
  '  logoutHSM',
  '  listUsers',
  '  findAllKeys <user id> <key hash (0/1)>',
  '  getKeyInfo -k <key handle>',
  '  createUser <user type> <user name> <password>',
  '  info server <server id>',
  '  server <server id>         (enter server mode)',
  '  syncUser <user id> <destination server>      (server mode)',
  '  syncKey <key handle> <destination server>    (server mode)',
  '  exit                       (leave server mode)',
  '  quit',
];

export const USAGE = {
  loginHSM: 'Usage: loginHSM <user type> <user name> <password>',
  findAllKeys: 'Usage: findAllKeys <user id> <key hash (0/1)>',
  getKeyInfo: 'Usage: getKeyInfo -k <key handle>',
  createUser: 'Usage: createUser <user type> <user name> <password>',
  infoServer: 'Usage: info server <server id>',
  server: 'Usage: server <server id>',
  syncUser: 'Usage: syncUser <user id> <destination server>',
  syncKey: 'Usage: syncKey <key handle> <destination server>',
} as const;
