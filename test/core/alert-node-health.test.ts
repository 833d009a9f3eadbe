import { describe, expect, it } from '@jest/globals';
import type { AuditResult, ObjectFinding } from '#core/model.ts';
import { alertOf, auditOf, cluster, read, runReport, unreadable, user } from '../support/core/builders.ts';

const admin = user(1, 'admin', 'PCO');

describe('buildAlert: nodes that were read, and objects a cluster-wide tool placed', () => {
  it('files a note about a node that was read (lagging counts) as node-health, an unread node as node-unreadable', () => {
    const c = cluster(3);
    const nodes = c.nodes.map((n, i) => ({ ...n, metrics: { tokenKeys: i === 2 ? 1 : 2 } }));
    const before = auditOf({ ...c, nodes }, [
      read('hsm-0', [admin]),
      unreadable('hsm-1'),
      read('hsm-2', [admin]),
    ]);

    const alert = alertOf(runReport({ cluster: { ...c, nodes }, before }));

    const categories = alert?.items.map((i) => [i.category, i.nodeIds.join(',')]);
    expect(categories).toContainEqual(['node-health', 'hsm-2']);
    expect(categories).toContainEqual(['node-unreadable', 'hsm-1']);
  });

  it('says where a repaired object was when the tool could only say "on some nodes"', () => {
    const finding: ObjectFinding = {
      kind: 'user',
      objectId: 'user:carol',
      label: 'crypto-user carol',
      ref: 'crypto-user/carol',
      status: 'missing',
      severity: 'warning',
      presentOn: [],
      missingOn: [],
      unknownOn: [],
      uncertainOn: ['hsm-0', 'hsm-1'],
      variants: [],
      detail: 'on some of hsm-0, hsm-1 only',
    };
    const before: AuditResult = {
      clusterId: 'cluster-abc',
      nodeIds: ['hsm-0', 'hsm-1'],
      readableNodeIds: ['hsm-0', 'hsm-1'],
      objects: [finding],
      nodes: [],
      matrix: { nodeIds: ['hsm-0', 'hsm-1'], rows: [] },
      counts: { consistent: 0, missing: 1, 'single-node': 0, divergent: 0 },
    };
    const after: AuditResult = {
      ...before,
      objects: [{ ...finding, status: 'consistent', presentOn: ['hsm-0', 'hsm-1'], uncertainOn: [] }],
    };

    const alert = alertOf(runReport({ before, after }));

    expect(alert?.items).toEqual([
      expect.objectContaining({
        category: 'repaired',
        nodeIds: ['hsm-0', 'hsm-1'],
        message: 'crypto-user carol was on some of hsm-0, hsm-1 only; repaired and verified on every node',
      }),
    ]);
  });
});
