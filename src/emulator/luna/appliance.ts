/**
 * What the emulated Luna client does to its HA groups, on the member tokens: the Needs-sync
 * answer, `hagroup synchronize` (copy to each alive member what it lacks, by identity, from the
 * first alive member in group order that has it; never overwrite, never delete), `hagroup
 * recover` (a member that answers again is marked alive), and the faults (member down,
 * member back).
 */

import type { SoftHsmHome } from './softhsm.ts';
import { bringOnline, takeOffline } from './softhsm.ts';
import type { ApplianceState, GroupState, MemberState } from './state.ts';
import { type EmulatorObject, exportObject, importObject, listObjects, withToken } from './tokens.ts';

export function homeOf(state: ApplianceState): SoftHsmHome {
  return { ...state.softhsm };
}

export function findGroup(state: ApplianceState, label: string): GroupState | undefined {
  return state.groups.find((g) => g.label === label);
}

function findMember(state: ApplianceState, serial: string): { group: GroupState; member: MemberState } {
  for (const group of state.groups) {
    const member = group.members.find((m) => m.serial === serial);
    if (member) return { group, member };
  }
  throw new Error(`no member with serial ${serial}`);
}

/** Alive, served members: the ones the HA library uses. */
export function activeMembers(group: GroupState): MemberState[] {
  return group.members.filter((m) => m.status === 'alive' && m.served);
}

/** A PKCS#11 error name (CKR_…) from a thrown error, or null. */
export function ckrOf(error: unknown): string | null {
  const m = error instanceof Error ? /^(CKR_[A-Z0-9_]+)/.exec(error.message) : null;
  return m?.[1] ?? null;
}

export interface GroupContents {
  /** identity → member serial → objects with that identity there. */
  byIdentity: Map<string, Map<string, EmulatorObject[]>>;
  members: MemberState[];
}

export function readGroup(state: ApplianceState, group: GroupState, pin: string): GroupContents {
  const home = homeOf(state);
  const members = activeMembers(group);
  const byIdentity = new Map<string, Map<string, EmulatorObject[]>>();
  for (const member of members) {
    for (const o of withToken(home, member.tokenLabel, pin, (s, m) => listObjects(s, m))) {
      const perMember = byIdentity.get(o.identity) ?? new Map<string, EmulatorObject[]>();
      perMember.set(member.serial, [...(perMember.get(member.serial) ?? []), o]);
      byIdentity.set(o.identity, perMember);
    }
  }
  return { byIdentity, members };
}

/** Needs sync: some alive member lacks an object another alive member holds. */
export function needsSync(contents: GroupContents): boolean {
  for (const perMember of contents.byIdentity.values()) {
    if (perMember.size < contents.members.length) return true;
  }
  return false;
}

export interface SyncReport {
  replicated: Array<{ label: string; idHex: string; objectClass: number; from: string; to: string }>;
  conflicts: Array<{ label: string; idHex: string; members: string[] }>;
}

const CLASS_WORDS: Record<number, string> = { 2: 'public key', 3: 'private key', 4: 'secret key' };
export function classWord(objectClass: number): string {
  return CLASS_WORDS[objectClass] ?? `object class ${objectClass}`;
}

/** `hagroup synchronize`: additive copies by identity; conflicts are reported, left as they are. */
export function synchronize(state: ApplianceState, group: GroupState, pin: string): SyncReport {
  const home = homeOf(state);
  const contents = readGroup(state, group, pin);
  const report: SyncReport = { replicated: [], conflicts: [] };
  for (const perMember of contents.byIdentity.values()) {
    const holders = contents.members.filter((m) => perMember.has(m.serial));
    const variants = new Set(holders.flatMap((m) => (perMember.get(m.serial) ?? []).map((o) => o.content)));
    const first = holders[0] as MemberState;
    const source = (perMember.get(first.serial) ?? [])[0] as EmulatorObject;
    if (variants.size > 1) {
      report.conflicts.push({
        label: source.label,
        idHex: source.idHex,
        members: holders.map((m) => m.serial),
      });
    }
    const missing = contents.members.filter((m) => !perMember.has(m.serial));
    if (missing.length === 0) continue;
    // Handles are session-local: the source object is looked up again by identity.
    const template = withToken(home, first.tokenLabel, pin, (s, m) => {
      const again = listObjects(s, m).find(
        (o) => o.identity === source.identity && o.content === source.content,
      );
      if (!again) throw new Error(`${source.label} vanished from ${first.serial} during synchronize`);
      return exportObject(s, m, again.handle);
    });
    for (const target of missing) {
      withToken(home, target.tokenLabel, pin, (s, m) => importObject(s, m, template));
      report.replicated.push({
        label: source.label,
        idHex: source.idHex,
        objectClass: source.objectClass,
        from: first.serial,
        to: target.serial,
      });
    }
  }
  return report;
}

/** `hagroup recover`: members that answer again are marked alive. Returns [recovered, still down]. */
export function recover(group: GroupState): { recovered: string[]; unreachable: string[] } {
  const recovered: string[] = [];
  const unreachable: string[] = [];
  for (const m of group.members) {
    if (m.status !== 'down') continue;
    if (m.served) {
      m.status = 'alive';
      recovered.push(m.serial);
    } else {
      unreachable.push(m.serial);
    }
  }
  return { recovered, unreachable };
}

/** Fault: the member's appliance stops answering; the HA library marks it down. */
export function memberDown(state: ApplianceState, serial: string): void {
  const { member } = findMember(state, serial);
  takeOffline(homeOf(state), member.tokenFolder);
  member.served = false;
  member.status = 'down';
}

/** Fault cleared: the appliance answers again; it stays `down` until a recovery. */
export function memberBack(state: ApplianceState, serial: string): void {
  const { member } = findMember(state, serial);
  bringOnline(homeOf(state), member.tokenFolder);
  member.served = true;
}
