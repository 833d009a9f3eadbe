/**
 * The topics of the Luna module's NodeNotes (NodeNote.topic, opaque to the core): what a
 * health note is about and for which HA group, `<topic>:<group label>`, so the runbook can
 * give the commands for that topic and group.
 */

/** Topics of the Luna NodeNotes (`<topic>:<group label>` in NodeNote.topic). */
export const TOPICS = {
  memberDown: 'member-down',
  needsSync: 'needs-sync',
  autoRecovery: 'auto-recovery',
  haOnly: 'haonly',
  synchronization: 'synchronization',
  settingsUnknown: 'settings-unknown',
  slotList: 'slot-list',
} as const;
export type Topic = (typeof TOPICS)[keyof typeof TOPICS];

export function topicOf(topic: Topic, group: string): string {
  return `${topic}:${group}`;
}

export function splitTopic(text: string | undefined): { topic: string; group: string } | null {
  if (text === undefined) return null;
  const at = text.indexOf(':');
  return at === -1 ? null : { topic: text.slice(0, at), group: text.slice(at + 1) };
}
