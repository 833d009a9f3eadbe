/**
 * Group health from `hagroup listgroups` (the documented transcripts, and settings outside the
 * documented ranges) and the runbook the alert carries for each finding.
 */
import { describe, expect, it } from '@jest/globals';
import { buildAlert } from '#core/alert.ts';
import { audit } from '#core/audit.ts';
import type { ClusterNode, ObjectFinding } from '#core/model.ts';
import { groupNotes, memberNotes, notesMember } from '#drivers/luna/health.ts';
import { LUNA_MODULE } from '#drivers/luna/index.ts';
import {
  type HaGlobalSettings,
  type HaGroup,
  type HaMemberRow,
  parseListGroups,
} from '#drivers/luna/parse/parse-listgroups.ts';
import { runReport } from '../../support/core/builders.ts';
import { transcript } from '../../support/fixtures.ts';
import { aes, lunaCluster, member } from '../../support/luna/luna-inventory.ts';

const documented = parseListGroups(transcript('luna/listgroups-7.3-pci.txt'));
const network = parseListGroups(transcript('luna/listgroups-7-network.txt'));
const group = documented.groups[0] as HaGroup;
const global = documented.global as HaGlobalSettings;
const topics = (notes: { topic?: string }[]) => notes.map((n) => n.topic);

describe('Luna group health', () => {
  it('the documented client (retry 500, interval 60 s, HAOnly yes, Needs sync no) has no group finding', () => {
    expect(groupNotes(global, group, { value: group.needsSync })).toEqual([]);
  });

  it('its down member gets a member-down note, the alive one none; the alive one carries the group notes', () => {
    const [alive, down] = group.members;

    expect(memberNotes(group, alive as HaMemberRow, true)).toEqual([]);
    expect(memberNotes(group, down as HaMemberRow, false)).toEqual([
      expect.objectContaining({
        kind: 'health',
        severity: 'warning',
        topic: 'member-down:myHAgroup',
        detail: expect.stringMatching(/member 1238700701509 is down in HA group myHAgroup/),
      }),
    ]);
    expect(memberNotes(group, down as HaMemberRow, true)[0]?.detail).toMatch(
      /answers again: .*\(LUNA_RECOVER=true/,
    );
    expect(notesMember(group)).toBe('154438865287');
    expect(notesMember({ ...group, memberSerials: ['1238700701509', '154438865287'] })).toBe('154438865287');
  });

  it('reports auto recovery off (retry 0, the default), HAOnly off and Needs sync yes', () => {
    const notes = groupNotes({ ...global, maxRetry: 0, autoRecoveryEnabled: false, haOnly: false }, group, {
      value: true,
    });

    expect(topics(notes)).toEqual(['auto-recovery:myHAgroup', 'haonly:myHAgroup', 'needs-sync:myHAgroup']);
    expect(notes.map((n) => n.severity)).toEqual(['warning', 'warning', 'warning']);
    expect(notes[0]?.detail).toMatch(/auto recovery is off \(Maximum auto recovery retry: 0, the default\)/);
    expect(notes[1]?.detail).toMatch(/HAOnly is off \(Only Show HA Slots: no\)/);
  });

  it('reports a retry count or poll interval outside the documented ranges (0-500 or -1; 60-1200 s)', () => {
    const at = (overrides: Partial<HaGlobalSettings>) =>
      groupNotes({ ...global, ...overrides }, group, { value: false }).map((n) => n.detail);

    expect(at({ maxRetry: 501 })).toEqual([
      expect.stringMatching(/retry 501 is outside the documented range/),
    ]);
    expect(at({ maxRetry: -1 })).toEqual([]);
    expect(at({ pollIntervalSeconds: 30 })).toEqual([
      expect.stringMatching(/30 seconds is outside .*60-1200/),
    ]);
    expect(at({ pollIntervalSeconds: 1201 })).toHaveLength(1);
    expect(at({ autoRecoveryEnabled: false })).toEqual([
      expect.stringMatching(/disabled although the retry count is 500/),
    ]);
  });

  it('the Luna 7 network format has no global block: an info note says what was not checked', () => {
    const g = network.groups[0] as HaGroup;

    expect(groupNotes(network.global, g, { value: g.needsSync })).toEqual([
      expect.objectContaining({ severity: 'info', topic: `settings-unknown:${g.label}` }),
    ]);
  });

  it('says why Needs sync was not read, and reports Synchronization disabled', () => {
    const notes = groupNotes(
      global,
      { ...group, synchronization: 'disabled' },
      { value: 'unknown', notAsked: 'x is down' },
    );

    expect(notes.map((n) => n.detail)).toEqual([
      'HA group myHAgroup: Synchronization: disabled',
      'HA group myHAgroup: Needs sync not read: x is down',
    ]);
  });
});

describe('Luna runbook', () => {
  const runbook = LUNA_MODULE.runbook({
    settings: { LUNA_PKCS11_LIBRARY: '/opt/lib/libCryptoki2_64.so' },
    command: ['/usr/safenet/lunaclient/bin/lunacm'],
  });
  const nodes: ClusterNode[] = ['154438865287', '1238700701509'].map((nodeId) => ({
    nodeId,
    address: nodeId,
    port: 1792,
    state: 'ACTIVE',
  }));
  const finding = (over: Partial<ObjectFinding>): ObjectFinding => ({
    kind: 'key',
    objectId: 'object:secretKey/AES/6b/04',
    label: 'secretKey AES "shared-config" (id 04)',
    ref: 'myHAgroup',
    status: 'missing',
    severity: 'warning',
    presentOn: ['154438865287'],
    missingOn: ['1238700701509'],
    unknownOn: [],
    uncertainOn: [],
    variants: [],
    detail: '',
    ...over,
  });

  it('repairs a missing object with synchronize of its group inside one lunacm session, password at the prompt', () => {
    const lines = runbook.repair(finding({}), nodes);

    expect(lines).toEqual([
      expect.stringMatching(/^# secretKey AES "shared-config" \(id 04\) is missing on 1238700701509/),
      '/usr/safenet/lunaclient/bin/lunacm',
      expect.stringMatching(/^hagroup listgroups /),
      expect.stringMatching(/^hagroup synchronize -group myHAgroup .*UNCONFIRMED syntax/),
      expect.stringMatching(/^hagroup listgroups /),
      'exit',
    ]);
    expect(lines.join('\n')).not.toMatch(/-password|-p /);
    expect(runbook.repair(finding({ missingOn: [] }), nodes)).toEqual([]);
  });

  it('inspects a fingerprint conflict member by member (lunacm and pkcs11-tool), never repairing it', () => {
    const lines = runbook.inspect(
      finding({ status: 'divergent', presentOn: ['154438865287', '1238700701509'] }),
      nodes,
    );

    expect(lines.filter((l) => l.startsWith('slot set -slot'))).toEqual([
      'slot set -slot <Slot Id of 154438865287>',
      'slot set -slot <Slot Id of 1238700701509>',
    ]);
    expect(lines.filter((l) => l.startsWith('pkcs11-tool'))).toEqual([
      expect.stringMatching(
        /^pkcs11-tool --module \/opt\/lib\/libCryptoki2_64.so --slot .*154438865287.* --login --list-objects$/,
      ),
      expect.stringMatching(/1238700701509/),
    ]);
    expect(lines.some((l) => l.includes('partition contents') && l.includes('UNCONFIRMED'))).toBe(true);
    expect(lines.join('\n')).not.toMatch(/synchronize -group/);
  });

  it('gives the commands of each health topic for its group, and none for an unknown one', () => {
    const forTopic = (topic: string) => runbook.nodeFinding?.('health', '1238700701509', nodes, topic) ?? [];

    expect(forTopic('member-down:myHAgroup')).toContain(
      'hagroup recover -group myHAgroup   (UNCONFIRMED syntax: its Thales page is not public)',
    );
    expect(forTopic('haonly:myHAgroup')).toContain('hagroup haonly -enable');
    expect(forTopic('auto-recovery:myHAgroup').join('\n')).toMatch(/hagroup retry -count .*UNCONFIRMED/);
    expect(forTopic('needs-sync:hapg1').join('\n')).toMatch(/hagroup synchronize -group hapg1/);
    expect(forTopic('settings-unknown:myHAgroup')).toEqual([]);
    expect(runbook.nodeFinding?.('health', 'x', nodes)).toEqual([]);
    expect(runbook.nodeFinding?.('lockout-risk', '154438865287', nodes).join('\n')).toMatch(
      /role login -name co .*a successful login clears the counter/,
    );
  });
});

describe('Luna health in the audit and the alert', () => {
  it('a health note is a node-health item (not an unreadable node) whose commands come from its topic', () => {
    const cluster = lunaCluster(['154438865287', '1238700701509']);
    const carrier = member('154438865287', [aes('k', '01', 'kcv:1')]);
    if (carrier.status === 'read') {
      carrier.notes = groupNotes({ ...global, maxRetry: 0, autoRecoveryEnabled: false }, group, {
        value: false,
      });
    }
    const before = audit(
      cluster,
      [carrier, member('1238700701509', [aes('k', '01', 'kcv:1')])],
      LUNA_MODULE.rules,
    );

    const alert = buildAlert(
      runReport({ clusterId: 'myHAgroup', tool: 'luna', cluster, before }),
      LUNA_MODULE.runbook({ settings: {} }),
    );

    expect(before.nodes).toEqual([
      expect.objectContaining({ nodeId: '154438865287', kind: 'health', topic: 'auto-recovery:myHAgroup' }),
    ]);
    expect(alert?.items).toEqual([
      expect.objectContaining({
        category: 'node-health',
        severity: 'warning',
        runbook: expect.arrayContaining([expect.stringMatching(/^hagroup retry -count /)]),
      }),
    ]);
    expect(alert?.dedupKey).toContain('health/auto-recovery:myHAgroup');
  });
});
