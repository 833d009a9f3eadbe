/**
 * The texts the emulated lunacm prints. Documented formats are reproduced with the published
 * alignment (Thales "Replacing an HA Group Member" 7.3 PCI, "Adding or Removing an HA Group
 * Member" 7/network); every text no public page shows is marked INVENTED here and listed in
 * README.md.
 */
import type { ApplianceState, GroupState } from './state.ts';

export const SUCCESS_TRAILER = 'Command Result : No Error';

/** INVENTED: lunacm's failure trailer form is not published; ours is `<hex code> (<NAME>)`. */
export function failureTrailer(code: number, name: string): string {
  return `Command Result : 0x${code.toString(16).padStart(8, '0')} (${name})`;
}

/** The documented password prompt, up to where the password is typed. */
export function passwordPrompt(group: string): string {
  return [
    ' ',
    `        If you would like to see synchronization data for group ${group},`,
    '        please enter the password for the group members. Sync info',
    '        not available in HA Only mode.',
    ' ',
    ' ',
    '        Enter the password: ',
  ].join('\n');
}

/** What follows the typed password: the documented mask (8 asterisks whatever the length), or nothing. */
export function passwordEcho(entered: boolean): string {
  return `${entered ? '********' : ''}\n \n \n`;
}

export function globalBlock(state: ApplianceState): string {
  const g = state.global;
  const row = (key: string, value: string) => `${key.padStart(30)}:  ${value}`;
  return [
    row('HA auto recovery', g.maxRetry === 0 ? 'disabled' : 'enabled'),
    row('HA recovery mode', g.recoveryMode),
    row('Maximum auto recovery retry', String(g.maxRetry)),
    row('Auto recovery poll interval', `${g.pollIntervalSeconds} seconds`),
    row('HA logging', g.logging ? 'enabled' : 'disabled'),
    row('Only Show HA Slots', g.haOnly ? 'yes' : 'no'),
    ' ',
    ' ',
    '',
  ].join('\n');
}

/**
 * One group block and its member table. `needsSync` null omits the line (no password given);
 * `slotOf` gives a member's physical slot number, or null for `------`.
 */
export function groupBlock(
  group: GroupState,
  needsSync: boolean | null,
  slotOf: (serial: string) => number | null,
): string {
  const row = (key: string, value: string) => `${key.padStart(23)}:  ${value}`;
  const lines = [
    row('HA Group Label', group.label),
    row('HA Group Number', group.serial),
    row('HA Group Slot ID', String(group.slotId)),
    `${'Synchronization'.padStart(22)}: ${group.synchronization}`,
    row('Group Members', group.members.map((m) => m.serial).join(', ')),
  ];
  if (needsSync !== null) lines.push(row('Needs sync', needsSync ? 'yes' : 'no'));
  lines.push(
    row('Standby Members', group.standby.length > 0 ? group.standby.join(', ') : '<none>'),
    ' ',
    ' ',
    'Slot #    Member S/N                      Member Label    Status',
    '======    ==========                      ============    ======',
  );
  for (const m of group.members) {
    const slot = slotOf(m.serial);
    const head = `${slot === null ? '------' : String(slot).padEnd(6)}  ${m.serial}`;
    const label = m.status === 'down' ? '------------' : m.tokenLabel;
    const withLabel = `${head}${' '.repeat(Math.max(2, 54 - head.length - label.length))}${label}`;
    lines.push(`${withLabel}${' '.repeat(Math.max(2, 63 - withLabel.length - m.status.length))}${m.status}`);
  }
  lines.push(' ', '');
  return lines.join('\n');
}

export interface SlotEntry {
  slotId: number;
  label: string;
  serialNumber: string;
  configuration: string;
  description: string;
}

/** The documented slot listing (what `slot list` and LunaCM's start-up print). */
export function slotList(state: ApplianceState, slots: readonly SlotEntry[]): string {
  const model = `LunaSA ${state.clientVersion}`;
  const lines = ['', '        Available HSMs:', ''];
  for (const s of slots) {
    lines.push(
      `        Slot Id ->              ${s.slotId}`,
      `        Label ->                ${s.label}`,
      `        Serial Number ->        ${s.serialNumber}`,
      `        Model ->                ${model}`,
      `        Firmware Version ->     ${state.clientVersion}`,
      `        Configuration ->        ${s.configuration}`,
      `        Slot Description ->     ${s.description}`,
      '',
    );
  }
  return `${lines.join('\n')}\n`;
}

export const MEMBER_CONFIGURATION = 'Luna User Partition With SO (PW) Key Export With Cloning Mode';
/** INVENTED: the HA virtual slot's Configuration line is not published. */
export const HA_CONFIGURATION = 'Luna Virtual HSM (PW) Key Export With Cloning Mode';
export const HA_DESCRIPTION = 'HA Virtual Card Slot';
export const MEMBER_DESCRIPTION = 'Net Token Slot';
