/**
 * Renders mgmt-util replies in the documented layouts (shared/reference/hsm-management-cli.md),
 * with adjustable column widths and blank lines: used by the property tests and by the fake
 * util. The defaults reproduce the AWS user guide's listUsers columns byte for byte.
 */
import type { HsmUser } from '#drivers/mgmt-util/listing.ts';

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

const yesNo = (v: boolean): string => (v ? 'YES' : 'NO');

function pad(text: string, width: number, left: boolean): string {
  // Always at least one space between columns, whatever the width.
  return left
    ? text.padStart(Math.max(width, text.length + 1))
    : text.padEnd(Math.max(width, text.length + 1));
}

export function userRow(u: HsmUser, c: UserColumns = DOCUMENTED_COLUMNS): string {
  return (
    ' '.repeat(c.indent) +
    String(u.userId).padStart(c.idWidth) +
    ' '.repeat(Math.max(1, c.gapAfterId)) +
    pad(u.userType, c.typeWidth, false) +
    pad(u.username, c.nameWidth, false) +
    pad(yesNo(u.mofnPubKey), c.mofnWidth, true) +
    pad(String(u.loginFailureCount), c.failWidth, true) +
    pad(yesNo(u.twoFactor), c.twoFaWidth, true)
  );
}

export const USERS_HEADER =
  '    User Id             User Type       User Name            MofnPubKey    LoginFailureCnt         2FA';

export interface UserSection {
  server: number;
  address: string;
  users: HsmUser[];
}

export function renderListUsers(
  sections: readonly UserSection[],
  c: UserColumns = DOCUMENTED_COLUMNS,
  blank = 1,
): string {
  const lines: string[] = [];
  for (const s of sections) {
    lines.push(`Users on server ${s.server}(${s.address}):`, `Number of users found:${s.users.length}`);
    for (let i = 0; i < blank; i++) lines.push('');
    lines.push(USERS_HEADER, ...s.users.map((u) => userRow(u, c)));
  }
  return `${lines.join('\n')}\n`;
}

export interface RenderKey {
  handle: number;
  shared: boolean;
  owned?: boolean;
}

export interface KeySection {
  server: number;
  address: string;
  keys: RenderKey[];
  hash?: string | null;
}

export function keyItem(k: RenderKey): string {
  return `${k.handle}${k.shared ? '(s)' : ''}${k.owned ? '(o)' : ''}`;
}

export function renderFindAllKeys(sections: readonly KeySection[], separator = ','): string {
  const blocks = sections.map((s) => {
    const lines = [
      `Keys on server ${s.server}(${s.address}):`,
      `Number of keys found ${s.keys.length}`,
      `number of keys matched from start index 0::${s.keys.length}`,
    ];
    if (s.keys.length > 0) lines.push(s.keys.map(keyItem).join(separator));
    if (s.hash) lines.push('Key Hash:', s.hash);
    lines.push(`findAllKeys success on server ${s.server}(${s.address})`);
    return lines.join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}

export interface KeyInfoSection {
  server: number;
  address: string;
  owner: number;
  sharedWith: number[];
}

export function renderKeyInfo(sections: readonly KeyInfoSection[]): string {
  const lines: string[] = [];
  for (const s of sections) {
    lines.push(
      `Key Info on server ${s.server}(${s.address}):`,
      '        Token/Flash Key,',
      `        Owned by user ${s.owner}`,
    );
    lines.push(`        also, shared to following ${s.sharedWith.length} user(s):`);
    for (const id of s.sharedWith) lines.push(`                 ${id}`);
  }
  return `${lines.join('\n')}\n`;
}
