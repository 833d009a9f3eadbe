import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY, type Policy } from '#core/model.ts';
import {
  auditOf as audit,
  cluster,
  key,
  planOf as plan,
  read,
  unreadable,
  user,
} from '../support/core/builders.ts';

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

    expect(p.actions.map((a) => `${a.operation} ${a.ref} ${a.sourceNodeId}->${a.targetNodeId}`)).toEqual([
      'syncUser 7 hsm-0->hsm-1',
      'syncKey 262150 hsm-0->hsm-1',
      'syncKey 262150 hsm-0->hsm-2',
    ]);
    expect(p.actions[0]?.description).toBe('server 0 > syncUser 7 1 (hsm-0 -> hsm-1)');
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

  it('copies nothing whose copy on an unread node is unknown, even when the policy allows writes', () => {
    // requireAllNodesLoggedIn off: before, the key was copied from hsm-0 to hsm-2 while hsm-1,
    // unread, held another variant of it.
    const c = cluster(3);
    const inventories = [
      read('hsm-0', [admin], [key(262170, 4)]),
      unreadable('hsm-1'),
      read('hsm-2', [admin]),
    ];
    const p = plan(c, audit(c, inventories), { ...DEFAULT_POLICY, requireAllNodesLoggedIn: false });

    expect(p.writesBlocked).toBeNull();
    expect(p.actions).toEqual([]);
    expect(p.skipped).toEqual([
      expect.objectContaining({
        objectId: 'key:262170',
        reason: 'unread-node',
        detail: expect.stringContaining('hsm-1'),
      }),
    ]);
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
