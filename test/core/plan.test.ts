import { describe, expect, it } from '@jest/globals';
import { audit } from '#core/audit.ts';
import { DEFAULT_POLICY, type Policy } from '#core/model.ts';
import { plan } from '#core/plan.ts';
import { cluster, key, read, unreadable, user } from '../support/builders.ts';

const admin = user(1, 'admin', 'PCO');
const newest = user(7, 'newest_user');

function seedInventories() {
  return [
    read('hsm-0', [admin, newest], [key(262150), key(262151, 3)]),
    read('hsm-1', [admin], [key(262151, 4)]),
    read('hsm-2', [admin, newest]),
  ];
}

describe('plan', () => {
  it('copies from the lowest holder to every node that lacks the object, users first', () => {
    const c = cluster(3);
    const p = plan(c, audit(c, seedInventories()), DEFAULT_POLICY);

    expect(p.actions.map((a) => `${a.command} ${a.numericId} ${a.sourceServer}->${a.targetServer}`)).toEqual([
      'syncUser 7 0->1',
      'syncKey 262150 0->1',
      'syncKey 262150 0->2',
    ]);
    expect(p.skipped).toEqual([expect.objectContaining({ objectId: 'key:262151', reason: 'divergent' })]);
    expect(p.writesBlocked).toBeNull();
  });

  it('plans no write while a login was refused, whatever the policy: a write would log in there again', () => {
    const c = cluster(3);
    const inventories = [
      read('hsm-0', [admin, newest]),
      read('hsm-1', [admin]),
      unreadable('hsm-2', 'login-failed'),
    ];
    const p = plan(c, audit(c, inventories), { ...DEFAULT_POLICY, requireAllNodesLoggedIn: false });

    expect(p.actions).toEqual([]);
    expect(p.writesBlocked).toContain('hsm-2');
    expect(p.skipped).toEqual([
      expect.objectContaining({ objectId: 'user:newest_user', reason: 'writes-blocked' }),
    ]);
  });

  it('plans no write at all while a node is unreadable (the Azure runbook rule)', () => {
    const c = cluster(3);
    const inventories = [
      read('hsm-0', [admin, newest]),
      read('hsm-1', [admin]),
      unreadable('hsm-2', 'login-failed'),
    ];
    const p = plan(c, audit(c, inventories), DEFAULT_POLICY);

    expect(p.actions).toEqual([]);
    expect(p.writesBlocked).toContain('hsm-2');
    expect(p.skipped.map((s) => s.reason)).toEqual(['writes-blocked']);
  });

  it('keeps to the object kinds and the action budget of the policy, whole objects only', () => {
    const c = cluster(3);
    const keysOnly: Policy = { ...DEFAULT_POLICY, allowedKinds: ['key'], maxActionsPerRun: 1 };
    const p = plan(c, audit(c, seedInventories()), keysOnly);

    expect(p.actions).toEqual([]);
    expect(p.skipped.map((s) => `${s.objectId}:${s.reason}`)).toEqual([
      'user:newest_user:kind-not-allowed',
      'key:262150:over-max-actions',
      'key:262151:divergent',
    ]);
  });

  it('marks a dry-run plan so the sync step runs nothing', () => {
    const c = cluster(3);
    const p = plan(c, audit(c, seedInventories()), { ...DEFAULT_POLICY, dryRun: true });

    expect(p.dryRun).toBe(true);
    expect(p.actions.length).toBe(3);
  });

  it('carries the membership token of the cluster it was made for', () => {
    const c = cluster(3);
    expect(plan(c, audit(c, seedInventories()), DEFAULT_POLICY).membershipToken).toBe(c.membershipToken);
  });
});
