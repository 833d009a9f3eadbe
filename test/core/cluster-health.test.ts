import { describe, expect, it } from '@jest/globals';
import { clusterHealthFindings } from '#core/cluster-health.ts';
import type { NodeMetrics, NodeState, ResolvedCluster } from '#core/model.ts';
import { auditOf as audit, cluster, read, user } from '../support/core/builders.ts';

function withMetrics(metrics: (NodeMetrics | undefined)[], states: NodeState[] = []): ResolvedCluster {
  const c = cluster(metrics.length);
  return {
    ...c,
    nodes: c.nodes.map((n, i) => ({
      ...n,
      state: states[i] ?? 'ACTIVE',
      ...(metrics[i] === undefined ? {} : { metrics: metrics[i] }),
    })),
  };
}

describe('clusterHealthFindings', () => {
  it('names the node whose token-key count differs from what most of its peers show', () => {
    const found = clusterHealthFindings(
      withMetrics([{ tokenKeys: 13 }, { tokenKeys: 13 }, { tokenKeys: 12 }]),
    );

    expect(found).toEqual([
      {
        nodeId: 'hsm-2',
        kind: 'lagging',
        severity: 'warning',
        detail: expect.stringContaining('token keys 12 where its peers show 13'),
      },
    ]);
  });

  it('names a node with more users (fewer available) than the rest, and puts both counts of one node in one finding', () => {
    const found = clusterHealthFindings(
      withMetrics([
        { usersAvailable: 1019, tokenKeys: 5 },
        { usersAvailable: 1020, tokenKeys: 4 },
        { usersAvailable: 1019, tokenKeys: 5 },
        { usersAvailable: 1019, tokenKeys: 5 },
      ]),
    );

    expect(found.map((f) => f.nodeId)).toEqual(['hsm-1']);
    expect(found[0]?.detail).toMatch(
      /token keys 4 where its peers show 5; users available 1020 where its peers show 1019/,
    );
    expect(found[0]?.detail).toContain('2026-11-23T00:00:00.000Z');
  });

  it('with no majority, measures against the fuller state (more keys, fewer users available)', () => {
    const found = clusterHealthFindings(
      withMetrics([
        { tokenKeys: 12, usersAvailable: 1018 },
        { tokenKeys: 13, usersAvailable: 1019 },
      ]),
    );

    expect(found.map((f) => [f.nodeId, f.detail.includes('token keys') ? 'keys' : 'users'])).toEqual([
      ['hsm-0', 'keys'],
      ['hsm-1', 'users'],
    ]);
  });

  it('compares only the nodes that have counts, and says nothing when fewer than two do', () => {
    expect(clusterHealthFindings(withMetrics([{ tokenKeys: 3 }, undefined, undefined]))).toEqual([]);
    expect(clusterHealthFindings(withMetrics([{ tokenKeys: 3 }, { tokenKeys: 3 }, undefined]))).toEqual([]);
    expect(clusterHealthFindings(withMetrics([undefined, undefined]))).toEqual([]);
  });

  it('is critical when fewer than 2 nodes are ACTIVE: every object is one failure from loss', () => {
    const one = clusterHealthFindings(withMetrics([undefined]));
    const degraded = clusterHealthFindings(withMetrics([undefined, undefined], ['ACTIVE', 'DEGRADED']));
    const none = clusterHealthFindings(withMetrics([undefined], ['DEGRADED']));

    expect(one).toEqual([
      {
        nodeId: 'hsm-0',
        kind: 'health',
        severity: 'critical',
        detail: expect.stringMatching(/only 1 of 1 node\(s\) ACTIVE/),
      },
    ]);
    expect(degraded.map((f) => [f.nodeId, f.severity])).toEqual([['hsm-0', 'critical']]);
    expect(none.map((f) => [f.nodeId, f.detail.slice(0, 21)])).toEqual([
      ['cluster-test', 'only 0 of 1 node(s) A'],
    ]);
    expect(clusterHealthFindings(withMetrics([undefined, undefined]))).toEqual([]);
  });

  it('says so when the counts could not be read, rather than reporting no difference', () => {
    const c = { ...withMetrics([undefined, undefined]), metricsError: 'AccessDeniedException: not allowed' };

    expect(clusterHealthFindings(c)).toEqual([
      {
        nodeId: 'cluster-test',
        kind: 'health',
        severity: 'warning',
        detail: expect.stringContaining('AccessDeniedException: not allowed'),
      },
    ]);
  });

  it('is part of every audit, whatever the tool', () => {
    const c = withMetrics([{ tokenKeys: 2 }, { tokenKeys: 1 }, { tokenKeys: 2 }]);
    const admin = user(1, 'admin', 'PCO');

    const result = audit(c, [read('hsm-0', [admin]), read('hsm-1', [admin]), read('hsm-2', [admin])]);

    expect(result.nodes.map((n) => [n.nodeId, n.kind])).toEqual([['hsm-1', 'lagging']]);
  });
});
