/**
 * What the Luna driver's collect and sync share: how lunacm is run (one process per command,
 * its transcript kept redacted), the PKCS#11 reader, the settings, the refusal memory, and how a
 * member's PKCS#11 slot is found from its serial.
 */
import type { Credentials, Secret } from '#core/secret.ts';
import {
  type LunacmInvocation,
  type LunacmRunOptions,
  listGroups as listGroupsRun,
  slotList as slotListRun,
} from './lunacm.ts';
import type { HaGroup, ListGroupsReply } from './parse/parse-listgroups.ts';
import { promptGroup } from './parse/parse-listgroups.ts';
import type { SlotListReply } from './parse/parse-slot-list.ts';
import type { LoginRole, MemberInventoryReader, MemberSelector } from './pkcs11/inventory.ts';
import type { RefusalMemory } from './refusals.ts';
import { type LunaSettings, loginRole } from './settings.ts';

export interface LunaContext {
  lunacm: LunacmInvocation;
  reader: MemberInventoryReader;
  settings: LunaSettings;
  memory: RefusalMemory;
  timeoutMs: number;
  transcript?: (text: string) => void;
  now: () => Date;
}

/** The role of this run: the credentials' (Luna's words: co, cu…), else the setting's. */
export function roleOf(ctx: LunaContext, credentials: Credentials): LoginRole {
  return credentials.role === null ? ctx.settings.role : loginRole(credentials.role, 'the credentials role');
}

/** What running lunacm takes. */
export type LunacmRunner = Pick<LunaContext, 'lunacm' | 'timeoutMs' | 'transcript'>;

/** The run options every lunacm command of this context takes: its timeout and the transcript. */
export function runOptionsOf(ctx: LunacmRunner): LunacmRunOptions {
  return { timeoutMs: ctx.timeoutMs, ...(ctx.transcript ? { transcript: ctx.transcript } : {}) };
}

/**
 * `hagroup listgroups`. With `passwordFor`, the password is typed at that group's prompt only
 * (an empty line at every other group's, so no other group's partitions see a login); without,
 * at none (no login at all: Needs sync stays unknown).
 */
export function listGroups(
  ctx: LunacmRunner,
  passwordFor?: { group: string; password: Secret },
): Promise<ListGroupsReply> {
  if (!passwordFor) return listGroupsRun(ctx.lunacm, runOptionsOf(ctx));
  return listGroupsRun(ctx.lunacm, {
    ...runOptionsOf(ctx),
    password: passwordFor.password,
    answer: (text) => (promptGroup(text) === passwordFor.group ? passwordFor.password : null),
  });
}

export function slotList(ctx: LunacmRunner): Promise<SlotListReply> {
  return slotListRun(ctx.lunacm, runOptionsOf(ctx));
}

/** A member's PKCS#11 selector, or why it has none. */
export type SelectorOutcome = { selector: MemberSelector } | { error: string };

/**
 * How each member's slot is found: by serial (production: the token serial is the partition
 * serial), or by the label `slot list` prints beside that serial (`LUNA_SLOT_MATCH=label`).
 */
export function selectorsFor(
  ctx: LunaContext,
  serials: readonly string[],
  slots: SlotListReply | Error | null,
): Map<string, SelectorOutcome> {
  const out = new Map<string, SelectorOutcome>();
  for (const serial of serials) {
    if (ctx.settings.slotMatch === 'serial') {
      out.set(serial, { selector: { serial } });
      continue;
    }
    if (slots === null || slots instanceof Error) {
      out.set(serial, {
        error: `slot list could not be read to find its label: ${slots?.message ?? 'not run'}`,
      });
      continue;
    }
    const slot = slots.slots.filter((s) => s.serialNumber === serial);
    const only = slot.length === 1 ? slot[0] : undefined;
    if (only === undefined) {
      out.set(serial, {
        error:
          slot.length === 0
            ? `slot list shows no slot with Serial Number ${serial} (member down, or not served to this client)`
            : `slot list shows ${slot.length} slots with Serial Number ${serial}`,
      });
    } else out.set(serial, { selector: { label: only.label } });
  }
  return out;
}

export function rowOf(group: HaGroup, serial: string) {
  return group.members.find((m) => m.serial === serial);
}
