import { describe, expect, it } from '@jest/globals';
import { buildAlert as coreBuildAlert } from '#core/alert.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import type { BackupStatus } from '#core/report.ts';
import {
  auditOf as audit,
  alertOf as buildAlert,
  cluster,
  key,
  planOf as plan,
  read,
  runReport,
  unreadable,
  user,
} from '../support/core/builders.ts';

const admin = user(1, 'admin', 'PCO');

const report = runReport;

describe('buildAlert', () => {
  it('says nothing about a clean cluster', () => {
    const c = cluster(2);
    const before = audit(c, [read('hsm-0', [admin]), read('hsm-1', [admin])]);

    expect(buildAlert(report({ before }))).toBeNull();
  });

  it('names an unrepaired single-node key with the exact commands to copy it', () => {
    const c = cluster(3);
    const before = audit(c, [
      read('hsm-0', [admin], [key(262150)]),
      read('hsm-1', [admin]),
      read('hsm-2', [admin]),
    ]);
    const alert = buildAlert(report({ before, plan: plan(c, before, { ...DEFAULT_POLICY, dryRun: true }) }));

    expect(alert?.severity).toBe('critical');
    const item = alert?.items.find((i) => i.objectId === 'key:262150');
    expect(item).toMatchObject({ category: 'single-node', nodeIds: ['hsm-1', 'hsm-2'] });
    expect(item?.message).toContain('dry run');
    expect(item?.runbook).toEqual([
      '/opt/cloudhsm/bin/cloudhsm_mgmt_util /opt/cloudhsm/etc/cloudhsm_mgmt_util.cfg',
      'enable_e2e',
      'loginHSM CO <officer> -hpswd',
      'server 0',
      'syncKey 262150 1',
      'syncKey 262150 2',
      'exit',
      'findAllKeys 0 0',
      'logoutHSM',
      'quit',
    ]);
  });

  it('alerts a run that failed before its tool was known (Resolve), with nothing to type', () => {
    const failed = report({
      tool: null,
      failure: { step: 'Resolve', errorName: 'ClusterNotStableError', message: 'HSMs being created' },
    });

    const alert = coreBuildAlert(failed, null);

    expect(alert?.items).toEqual([
      expect.objectContaining({ category: 'run-failed', severity: 'critical', runbook: [] }),
    ]);
    expect(alert?.summary).toContain('tool unknown');
    // A stored report whose tool is not known still tells what is wrong, with nothing to type.
    const c = cluster(2);
    const before = audit(c, [read('hsm-0', [admin], [key(9, 3)]), read('hsm-1', [admin], [key(9, 4)])]);
    const items = coreBuildAlert(report({ tool: null, before }), null)?.items ?? [];
    expect(items.map((i) => [i.category, i.runbook])).toEqual([['divergent', []]]);
  });

  it('never suggests a copy while a node is unread: it may hold another variant (read it first)', () => {
    // The adversarial tester's case: key 262170 is variant A on node 0 and (unknown to this
    // run) variant B on node 1, which is down. The old alert said `syncKey 262170 2`.
    const c = cluster(3);
    const before = audit(c, [
      read('hsm-0', [admin], [key(262170, 4)]),
      unreadable('hsm-1'),
      read('hsm-2', [admin]),
    ]);
    const alert = buildAlert(report({ before, plan: plan(c, before, DEFAULT_POLICY) }));

    const item = alert?.items.find((i) => i.objectId === 'key:262170');
    expect(item?.message).toContain(
      'on hsm-0, missing on hsm-2; unknown on hsm-1 (not read: read it before copying anything)',
    );
    expect(item?.runbook.some((line) => /syncKey|syncUser|^server \d/.test(line))).toBe(false);
    expect(item?.runbook[0]).toBe(
      '# hsm-1 (server 1) was not read: check that it answers and takes the login, then list what it holds',
    );
    expect(item?.runbook).toContain('findAllKeys 0 0');
    expect(alert?.items.find((i) => i.category === 'node-unreadable')?.nodeIds).toEqual(['hsm-1']);
  });

  it('keeps the same dedup key for the same unresolved problems, whatever the run', () => {
    const c = cluster(2);
    const before = audit(c, [read('hsm-0', [admin], [key(9, 3)]), read('hsm-1', [admin], [key(9, 4)])]);

    const first = buildAlert(report({ before, runId: 'a' }));
    const second = buildAlert(report({ before, runId: 'b', finishedAt: '2026-11-24T00:00:00.000Z' }));

    expect(first?.dedupKey).toBe(second?.dedupKey);
    expect(first?.items.map((i) => i.category)).toEqual(['divergent']);
  });

  it('says a dry run planned the copy and wrote nothing', () => {
    const c = cluster(2);
    const before = audit(c, [read('hsm-0', [admin], [key(262150)]), read('hsm-1', [admin])]);
    const policy = { ...DEFAULT_POLICY, dryRun: true };

    const alert = buildAlert(report({ before, policy, plan: plan(c, before, policy) }));

    expect(alert?.items[0]?.message).toContain('dry run');
  });

  it('gives a changed problem a new dedup key, so the window never hides it', () => {
    const c = cluster(2);
    const unreachable = audit(c, [read('hsm-0', [admin]), unreadable('hsm-1', 'unreachable')]);
    const refused = audit(c, [read('hsm-0', [admin]), unreadable('hsm-1', 'login-failed')]);
    expect(buildAlert(report({ before: unreachable }))?.dedupKey).not.toBe(
      buildAlert(report({ before: refused }))?.dedupKey,
    );

    const backup = (state: BackupStatus['state']): BackupStatus => ({
      state,
      backupId: null,
      createdAt: null,
      detail: 'test',
      kept: [],
      copiedTo: [],
    });
    const clean = audit(c, [read('hsm-0', [admin]), read('hsm-1', [admin])]);
    const backupKey = (state: BackupStatus['state']) =>
      buildAlert(report({ before: clean, backup: backup(state) }))?.dedupKey;
    expect(backupKey('not-yet-covered')).toBeDefined();
    expect(backupKey('not-yet-covered')).not.toBe(backupKey('failed'));
    expect(backupKey('stale')).not.toBe(backupKey('failed'));

    const failed = (step: string, errorName: string) =>
      buildAlert(report({ failure: { step, errorName, message: 'm' } }))?.dedupKey;
    expect(failed('Resolve', 'ClusterNotStableError')).not.toBe(failed('Sync', 'CredentialsRejectedError'));
  });

  it('names a problem the Verify read found that the first read could not see', () => {
    const c = cluster(3);
    const before = audit(c, [read('hsm-0', [admin]), read('hsm-1', [admin]), unreadable('hsm-2')]);
    const after = audit(c, [
      read('hsm-0', [admin]),
      read('hsm-1', [admin]),
      read('hsm-2', [admin], [key(262199)]),
    ]);

    const alert = buildAlert(report({ before, after }));

    expect(alert?.items.find((i) => i.objectId === 'key:262199')).toMatchObject({
      category: 'single-node',
      severity: 'critical',
      nodeIds: ['hsm-0', 'hsm-1'],
    });
  });

  it('puts a failed run first and alerts even with nothing audited', () => {
    const alert = buildAlert(
      report({
        failure: {
          step: 'Resolve',
          errorName: 'ClusterNotStableError',
          message: 'hsm-x is CREATE_IN_PROGRESS',
        },
      }),
    );

    expect(alert?.items[0]).toMatchObject({ category: 'run-failed', severity: 'critical' });
    expect(alert?.subject).toContain('failed');
  });

  it('names an Azure cluster by its name in the subject, not by its cut ARM id', () => {
    const id =
      '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg-hsm/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/chsm-prod';
    const alert = buildAlert(
      report({ clusterId: id, failure: { step: 'Resolve', errorName: 'E', message: 'm' } }),
    );

    expect(alert?.subject).toMatch(/^\[hsm-sentinel\] CRITICAL chsm-prod: failed/);
    expect(alert?.summary).toContain(id);
    expect(alert?.subject.length).toBeLessThanOrEqual(100);
  });
});
