/**
 * Every text output escapes what it prints: a run whose labels, node ids, details and
 * messages all carry control, format and bidi characters (and line breaks) renders with none
 * of them raw, and every value stays on its own line. The JSON outputs are untouched (the
 * model keeps the raw strings; JSON.stringify escapes controls itself).
 */
import { describe, expect, it } from '@jest/globals';
import { membershipToken } from '#core/membership.ts';
import type { ActionResult, ClusterNode, NodeInventory, ResolvedCluster } from '#core/model.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import { renderAlert, renderMatrix, renderReport } from '#core/render-report.ts';
import { verify } from '#core/verify.ts';
import {
  auditOf as audit,
  alertOf as buildAlert,
  key,
  planOf as plan,
  read,
  runReport,
  TEST_TOOL,
  user,
} from '../support/core/builders.ts';
import { firstRawCharacter } from '../support/core/raw-characters.ts';

/** Everything a terminal or a mail reader could act on, but no line break. */
const HOSTILE =
  '\u001b[31m\u001b]0;pwned\u0007\u0000\u0008\u000b\u000c\r\t\u007f\u0085\u009b\u00ad\u061c\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u2028\u2029\u2060\ufeff\ufffd\ud800';
/** A value that tries to start a line of its own. */
const SMUGGLED = `${HOSTILE}\nINJECTED: all nodes consistent`;

function hostileRun() {
  const nodes: ClusterNode[] = [0, 1, 2].map((i) => ({
    nodeId: i === 1 ? `hsm-1${SMUGGLED}` : `hsm-${i}`,
    address: `10.0.0.${i + 1}`,
    port: 2225,
    state: 'ACTIVE',
  }));
  const cluster: ResolvedCluster = {
    clusterId: `prod${SMUGGLED}`,
    provider: 'aws',
    tool: TEST_TOOL.id,
    nodes,
    resolvedAt: '2026-11-23T00:00:00.000Z',
    membershipToken: membershipToken(nodes),
    configDrift: null,
  };
  const evil = user(7, `evil${SMUGGLED}`);
  const admin = user(1, 'admin', 'PCO');
  const unreadableNode: NodeInventory = {
    nodeId: nodes[2]?.nodeId as string,
    status: 'unreadable',
    reason: 'protocol-error',
    detail: `listUsers: line 3: ${SMUGGLED}`,
  };
  const before = audit(cluster, [
    read('hsm-0', [admin, evil], [key(262150)]),
    read(nodes[1]?.nodeId as string, [admin]),
    unreadableNode,
  ]);
  // Copies are planned only on a fully read cluster: plan on one, render with the unread node.
  const readable = audit(cluster, [
    read('hsm-0', [admin, evil], [key(262150)]),
    read(nodes[1]?.nodeId as string, [admin]),
    read(nodes[2]?.nodeId as string, [admin]),
  ]);
  const thePlan = plan(cluster, readable, DEFAULT_POLICY);
  const results: ActionResult[] = thePlan.actions.map((action) => ({
    action,
    outcome: 'failed',
    detail: `${action.operation} ${action.ref} ${action.targetNodeId}: ${SMUGGLED}`,
  }));
  const after = audit(cluster, [
    read('hsm-0', [admin, evil], [key(262150)]),
    read(nodes[1]?.nodeId as string, [admin]),
    unreadableNode,
  ]);
  const report = runReport({
    runId: `run${SMUGGLED}`,
    clusterId: cluster.clusterId,
    trigger: { kind: 'runbook', detail: `requested by ${SMUGGLED}` },
    failure: { step: 'Sync', errorName: 'TransportError', message: `lost: ${SMUGGLED}` },
    before,
    plan: thePlan,
    results,
    after,
    verification: verify(thePlan, after),
    backup: {
      state: 'failed',
      backupId: null,
      createdAt: null,
      detail: `backup said ${SMUGGLED}`,
      kept: [],
      copiedTo: [],
    },
  });
  return { report, thePlan };
}

describe('text outputs escape what they print', () => {
  it('a full text report with hostile labels, ids and details has no raw control character and no smuggled line', () => {
    const { report, thePlan } = hostileRun();
    const alert = buildAlert(report);

    const page = renderReport(report, alert);

    expect(thePlan.actions.length).toBeGreaterThan(0);
    expect(alert).not.toBeNull();
    expect(firstRawCharacter(page, { lineBreaks: true })).toBeNull();
    expect(page.split('\n').filter((line) => line.trimStart().startsWith('INJECTED'))).toEqual([]);
    // Visible, not dropped: the reader sees that something odd was there.
    expect(page).toContain('\\u001b[31m');
    expect(page).toContain('\\u202e');
    expect(page).toContain('\\nINJECTED');
  });

  it("the alert's subject and summary are escaped, its items keep the model's raw text", () => {
    const { report } = hostileRun();

    const alert = buildAlert(report);

    expect(alert).not.toBeNull();
    expect(firstRawCharacter(alert?.subject ?? '')).toBeNull();
    expect(alert?.subject).not.toContain('\n');
    expect(firstRawCharacter(alert?.summary ?? '', { lineBreaks: true })).toBeNull();
    expect(
      alert?.summary.split('\n').filter((line) => line.includes('INJECTED:') && !line.includes('\\n')),
    ).toEqual([]);
    expect(alert?.items.some((item) => item.message.includes(SMUGGLED))).toBe(true);
    expect(firstRawCharacter(renderAlert(alert), { lineBreaks: true })).toBeNull();
    // JSON stays JSON: the raw text round-trips.
    expect(JSON.parse(JSON.stringify(alert)).items).toEqual(alert?.items);
  });

  it('renders a presence matrix of 1.5 M rows (no spread of the rows into one call)', () => {
    const rows = Array.from({ length: 1_500_000 }, (_, k) => ({
      objectId: `key:${k}`,
      kind: 'key' as const,
      label: `key ${k}`,
      cells: ['present', 'absent'],
    }));

    const text = renderMatrix({ nodeIds: ['hsm-0', 'hsm-1'], rows });

    expect(text.split('\n')).toHaveLength(1_500_002);
  });
});
