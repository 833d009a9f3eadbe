/**
 * Whole mgmt-util replies (several servers) for the parser tests and the scripted fake util,
 * drawn by the emulator's formatter (src/emulator/mgmt-util/format.ts): one renderer of the
 * documented layouts, with the widths and blank lines the property tests vary.
 */
import type { HsmUser } from '#drivers/mgmt-util/listing.ts';
import {
  DOCUMENTED_COLUMNS,
  keyInfoBlock,
  keysBlock,
  type ListedKeyItem,
  type UserColumns,
  usersBlock,
} from '#emulator/mgmt-util/format.ts';

export type { UserColumns };
export { DOCUMENTED_COLUMNS };

interface ServerPart {
  server: number;
  address: string;
}

export interface UserSection extends ServerPart {
  users: HsmUser[];
}

export interface KeySection extends ServerPart {
  keys: ListedKeyItem[];
  hash?: string | null;
}

export interface KeyInfoSection extends ServerPart {
  owner: number;
  sharedWith: number[];
}

const label = (s: ServerPart) => `server ${s.server}(${s.address})`;

export function renderListUsers(
  sections: readonly UserSection[],
  columns: UserColumns = DOCUMENTED_COLUMNS,
  blank = 1,
): string {
  return `${sections.flatMap((s) => usersBlock(label(s), s.users, { columns, blankLines: blank })).join('\n')}\n`;
}

export function renderFindAllKeys(sections: readonly KeySection[], separator = ','): string {
  return `${sections.map((s) => keysBlock(label(s), { keys: s.keys, hash: s.hash ?? null }, separator).join('\n')).join('\n\n')}\n`;
}

export function renderKeyInfo(sections: readonly KeyInfoSection[]): string {
  return `${sections.flatMap((s) => keyInfoBlock(label(s), s, true)).join('\n')}\n`;
}
