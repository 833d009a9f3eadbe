import type { HaGlobalSettings, HaGroup } from '#drivers/luna/parse/parse-listgroups.ts';
import type { LunaSlot } from '#drivers/luna/parse/parse-slot-list.ts';

export interface Layout {
  /** Width the field names are right-aligned to (the docs use 23-30). */
  keyWidth: number;
  /** Spaces after each colon (the docs: 2, and 1 for `Synchronization:`). */
  gap: number;
  /** Blank line text between blocks (`' '` in the docs). */
  blank: string;
  eol: '\n' | '\r\n';
}

export const DOC_LAYOUT: Layout = { keyWidth: 23, gap: 2, blank: ' ', eol: '\n' };

function field(layout: Layout, key: string, value: string): string {
  return `${key.padStart(layout.keyWidth)}:${' '.repeat(layout.gap)}${value}`;
}

export interface RenderedGroups {
  prompts: Array<{ group: string; entered: boolean }>;
  global: HaGlobalSettings | null;
  groups: HaGroup[];
  trailer: string | null;
}

export function renderListGroups(input: RenderedGroups, layout: Layout = DOC_LAYOUT): string {
  const out: string[] = ['lunacm:> hagroup listgroups', layout.blank];
  for (const p of input.prompts) {
    out.push(
      `        If you would like to see synchronization data for group ${p.group},`,
      '        please enter the password for the group members. Sync info',
      '        not available in HA Only mode.',
      layout.blank,
      layout.blank,
      `        Enter the password: ${p.entered ? '********' : ''}`,
      layout.blank,
      layout.blank,
    );
  }
  const g = input.global;
  if (g) {
    out.push(
      field(layout, 'HA auto recovery', g.autoRecoveryEnabled ? 'enabled' : 'disabled'),
      field(layout, 'HA recovery mode', g.recoveryMode),
      field(layout, 'Maximum auto recovery retry', String(g.maxRetry)),
      field(layout, 'Auto recovery poll interval', `${g.pollIntervalSeconds} seconds`),
      field(layout, 'HA logging', g.logging ? 'enabled' : 'disabled'),
      field(layout, 'Only Show HA Slots', g.haOnly ? 'yes' : 'no'),
      layout.blank,
      layout.blank,
    );
  }
  for (const group of input.groups) {
    out.push(
      field(layout, 'HA Group Label', group.label),
      field(layout, 'HA Group Number', group.serial),
      field(layout, 'HA Group Slot ID', String(group.slotId)),
      `${'Synchronization'.padStart(layout.keyWidth)}: ${group.synchronization}`,
      field(layout, 'Group Members', group.memberSerials.join(', ')),
    );
    if (group.needsSync !== 'unknown') out.push(field(layout, 'Needs sync', group.needsSync ? 'yes' : 'no'));
    out.push(
      field(
        layout,
        'Standby Members',
        group.standbyMembers.length ? group.standbyMembers.join(', ') : '<none>',
      ),
      layout.blank,
      layout.blank,
      'Slot #    Member S/N                      Member Label    Status',
      '======    ==========                      ============    ======',
    );
    for (const m of group.members) {
      const slot = m.slotId === null ? '------' : String(m.slotId).padEnd(6);
      out.push(
        `${slot}  ${m.serial.padEnd(14)}${(m.label ?? '------------').padStart(20)}  ${m.status.padStart(7)}`,
      );
    }
    out.push(layout.blank);
  }
  if (input.trailer !== null) out.push(input.trailer);
  return `${out.join(layout.eol)}${layout.eol}`;
}

export function renderSlotList(slots: readonly LunaSlot[], banner: boolean, trailer: string | null): string {
  const out: string[] = [];
  if (banner) out.push('lunacm (64-bit) v7.3.0. Copyright (c) 2018 SafeNet. All rights reserved.', '', '');
  out.push('        Available HSMs:', '');
  for (const s of slots) {
    out.push(
      `        Slot Id ->              ${s.slotId}`,
      `        Label ->                ${s.label}`,
      `        Serial Number ->        ${s.serialNumber}`,
      `        Model ->                ${s.model}`,
      `        Firmware Version ->     ${s.firmwareVersion}`,
      `        Configuration ->        ${s.configuration}`,
      `        Slot Description ->     ${s.description}`,
      '',
    );
  }
  if (trailer !== null) out.push(trailer);
  return `${out.join('\n')}\n`;
}
