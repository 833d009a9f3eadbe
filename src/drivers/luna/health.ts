/**
 * Group health from `hagroup listgroups`, as NodeNotes (node findings once audited). Pure.
 *
 * Group-wide notes (the client's HA settings, Needs sync, Synchronization) are carried by ONE
 * member of the group, its first alive member in `Group Members` order (else its first member),
 * so a group reports each once whichever way its members were read (one call per member in
 * the state machine's Map, or all at once in Verify). Member notes go to the member.
 *
 * Documented ranges (the CloudHSM HA partition group seed; reference/luna-ha.md): retry 0-500
 * or -1 (no limit), 0 = auto recovery off, the default; poll interval 60-1200 seconds.
 */
import type { NodeNote } from '#core/model.ts';
import type { HaGlobalSettings, HaGroup, HaMemberRow, NeedsSync } from './parse/parse-listgroups.ts';
import { LUNA_SETTINGS } from './settings.ts';
import { TOPICS, type Topic, topicOf } from './topics.ts';

export const RETRY_RANGE = { min: 0, max: 500, infinite: -1 } as const;
export const INTERVAL_RANGE = { min: 60, max: 1200 } as const;

/** The member that carries the group-wide notes. */
export function notesMember(group: HaGroup): string {
  const alive = group.memberSerials.find(
    (serial) => group.members.find((m) => m.serial === serial)?.status === 'alive',
  );
  return alive ?? (group.memberSerials[0] as string);
}

export interface NeedsSyncReading {
  value: NeedsSync;
  /** Why it was not asked (the password is typed only when every member is alive and passes the lockout guard). */
  notAsked?: string;
}

export function groupNotes(
  global: HaGlobalSettings | null,
  group: HaGroup,
  needsSync: NeedsSyncReading,
): NodeNote[] {
  const g = group.label;
  const notes: NodeNote[] = [];
  const note = (severity: NodeNote['severity'], topic: Topic, detail: string) =>
    notes.push({ kind: 'health', severity, detail, topic: topicOf(topic, g) });

  if (global === null) {
    note(
      'info',
      TOPICS.settingsUnknown,
      'hagroup listgroups printed no HA global settings (the Luna 7 network format): auto recovery and HAOnly not checked',
    );
  } else {
    if (global.maxRetry === 0) {
      note(
        'warning',
        TOPICS.autoRecovery,
        `HA group ${g}: auto recovery is off (Maximum auto recovery retry: 0, the default): a member that fails stays out of the group, missing every object created meanwhile, until someone runs hagroup recover`,
      );
    } else if (
      global.maxRetry !== RETRY_RANGE.infinite &&
      (global.maxRetry < RETRY_RANGE.min || global.maxRetry > RETRY_RANGE.max)
    ) {
      note(
        'warning',
        TOPICS.autoRecovery,
        `HA group ${g}: Maximum auto recovery retry ${global.maxRetry} is outside the documented range (0-500, or -1 for no limit)`,
      );
    } else if (!global.autoRecoveryEnabled) {
      note(
        'warning',
        TOPICS.autoRecovery,
        `HA group ${g}: HA auto recovery is disabled although the retry count is ${global.maxRetry}`,
      );
    }
    if (global.pollIntervalSeconds < INTERVAL_RANGE.min || global.pollIntervalSeconds > INTERVAL_RANGE.max) {
      note(
        'warning',
        TOPICS.autoRecovery,
        `HA group ${g}: Auto recovery poll interval ${global.pollIntervalSeconds} seconds is outside the documented range (60-1200)`,
      );
    }
    if (!global.haOnly) {
      note(
        'warning',
        TOPICS.haOnly,
        `HA group ${g}: HAOnly is off (Only Show HA Slots: no): every member's own slot is visible to applications on this client, and a write through one bypasses replication (two writers through different members leave a fingerprint conflict)`,
      );
    }
  }
  if (group.synchronization === 'disabled') {
    note('warning', TOPICS.synchronization, `HA group ${g}: Synchronization: disabled`);
  }
  if (needsSync.value === true) {
    note(
      'warning',
      TOPICS.needsSync,
      `HA group ${g}: hagroup listgroups says Needs sync: yes (a member lacks objects another member holds)`,
    );
  } else if (needsSync.value === 'unknown' && needsSync.notAsked !== undefined) {
    note('info', TOPICS.needsSync, `HA group ${g}: Needs sync not read: ${needsSync.notAsked}`);
  }
  return notes;
}

export function memberNotes(group: HaGroup, row: HaMemberRow, answers: boolean): NodeNote[] {
  if (row.status !== 'down') return [];
  const detail = answers
    ? `member ${row.serial} is down in HA group ${group.label} (hagroup listgroups) but its partition answers again: objects created while it was down stay missing there until hagroup recover brings it back (${LUNA_SETTINGS.recover}=true lets hsm-sentinel run it before synchronize)`
    : `member ${row.serial} is down in HA group ${group.label} (hagroup listgroups): objects created meanwhile will be missing on it`;
  return [{ kind: 'health', severity: 'warning', detail, topic: topicOf(TOPICS.memberDown, group.label) }];
}
