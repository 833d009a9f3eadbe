import { describe, expect, it } from '@jest/globals';
import { auditOf as audit, cluster, key, read, unreadable, user } from '../support/core/builders.ts';

const admin = user(1, 'admin', 'PCO');

describe('audit', () => {
  it('finds the AWS seed: newest_user on nodes 0 and 2, missing on node 1', () => {
    const c = cluster(3);
    const newest = user(7, 'newest_user');
    const result = audit(c, [
      read('hsm-0', [admin, newest]),
      read('hsm-1', [admin]),
      read('hsm-2', [admin, newest]),
    ]);

    const finding = result.objects.find((f) => f.objectId === 'user:newest_user');
    expect(finding).toMatchObject({ status: 'missing', presentOn: ['hsm-0', 'hsm-2'], missingOn: ['hsm-1'] });
    expect(result.objects.find((f) => f.objectId === 'user:admin')?.status).toBe('consistent');
    expect(result.counts).toEqual({ consistent: 1, missing: 1, 'single-node': 0, divergent: 0 });
  });

  it('flags a key on one node of three as single-node and critical (the Azure seed)', () => {
    const c = cluster(3);
    const result = audit(c, [
      read('hsm-0', [admin], [key(262150)]),
      read('hsm-1', [admin]),
      read('hsm-2', [admin]),
    ]);

    expect(result.objects.find((f) => f.objectId === 'key:262150')).toMatchObject({
      status: 'single-node',
      severity: 'critical',
      presentOn: ['hsm-0'],
      missingOn: ['hsm-1', 'hsm-2'],
    });
  });

  it('calls a key divergent when two nodes disagree on its owner, and shows variants in the matrix', () => {
    const c = cluster(3);
    const result = audit(c, [
      read('hsm-0', [admin], [key(262151, 3)]),
      read('hsm-1', [admin], [key(262151, 4)]),
      read('hsm-2', [admin], [key(262151, 3)]),
    ]);

    const finding = result.objects.find((f) => f.objectId === 'key:262151');
    expect(finding?.status).toBe('divergent');
    expect(finding?.variants).toEqual([
      { content: 'owner 3, not shared', nodeIds: ['hsm-0', 'hsm-2'] },
      { content: 'owner 4, not shared', nodeIds: ['hsm-1'] },
    ]);
    expect(result.matrix.rows.find((r) => r.objectId === 'key:262151')?.cells).toEqual([
      'variant A',
      'variant B',
      'variant A',
    ]);
  });

  it('never counts an unreadable node as lacking anything', () => {
    const c = cluster(3);
    const result = audit(c, [
      read('hsm-0', [admin], [key(9)]),
      unreadable('hsm-1'),
      read('hsm-2', [admin], [key(9)]),
    ]);

    for (const finding of result.objects) {
      expect(finding.missingOn).not.toContain('hsm-1');
      expect(finding.unknownOn).toEqual(['hsm-1']);
    }
    expect(result.nodes).toEqual([
      { nodeId: 'hsm-1', kind: 'unreachable', severity: 'warning', detail: 'unreachable in test' },
    ]);
  });

  it('treats a user id taken by another user on the lacking node as divergent, not repairable', () => {
    const c = cluster(2);
    const result = audit(c, [
      read('hsm-0', [admin, user(6, 'officer2', 'CO')]),
      read('hsm-1', [admin, user(6, 'mallory')]),
    ]);

    expect(result.objects.find((f) => f.objectId === 'user:officer2')?.status).toBe('divergent');
  });

  it('matches user names case-insensitively, as the mgmt util does', () => {
    const c = cluster(2);
    const result = audit(c, [
      read('hsm-0', [user(3, 'Crypto_User')]),
      read('hsm-1', [user(3, 'crypto_user')]),
    ]);

    expect(result.objects).toHaveLength(1);
    expect(result.objects[0]?.status).toBe('consistent');
  });

  it('does not call a one-node cluster single-node at risk', () => {
    const result = audit(cluster(1), [read('hsm-0', [admin])]);

    expect(result.objects[0]?.status).toBe('consistent');
  });

  it('reports nodes absent from the operator mgmt config', () => {
    const c = { ...cluster(3), configDrift: { missingFromConfig: ['hsm-1'], unknownInConfig: ['10.9.9.9'] } };
    const result = audit(c, [read('hsm-0', [admin]), read('hsm-1', [admin]), read('hsm-2', [admin])]);

    expect(result.nodes.map((n) => [n.nodeId, n.kind])).toEqual([
      ['hsm-1', 'absent-from-config'],
      ['10.9.9.9', 'unknown-in-config'],
    ]);
  });

  it('rejects an inventory from a node that is not in the cluster', () => {
    expect(() => audit(cluster(2), [read('hsm-9', [admin])])).toThrow("inventory for node 'hsm-9'");
  });
});
