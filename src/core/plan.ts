/**
 * Plan: additive repairs only. The core decides WHAT may be repaired, for every tool alike;
 * the tool's planner says HOW (src/core/tool-rules.ts). Nothing is ever deleted or
 * overwritten, divergent objects never enter a plan, nothing is copied while a node whose
 * copy could be another variant is unread, and the policy bounds what is written.
 */
import type {
  AuditResult,
  ObjectFinding,
  Plan,
  Policy,
  ResolvedCluster,
  SkippedObject,
  SyncAction,
} from './model.ts';
import type { RepairPlanner } from './tool-rules.ts';

export function plan(
  cluster: ResolvedCluster,
  result: AuditResult,
  policy: Policy,
  planner: RepairPlanner | null,
): Plan {
  const writesBlocked =
    blockingReason(result, policy) ?? planner?.blockingReason?.(result, cluster, policy) ?? null;
  const actions: SyncAction[] = [];
  const skipped: SkippedObject[] = [];

  // Audit order: users before keys (a key copied to a node that lacks its owner cannot be inserted).
  for (const finding of result.objects) {
    if (finding.status === 'consistent') continue;
    const skip = (reason: SkippedObject['reason'], detail: string) =>
      skipped.push({ objectId: finding.objectId, label: finding.label, reason, detail });

    if (finding.status === 'divergent') {
      skip('divergent', `a human must choose the right copy: ${finding.detail}`);
      continue;
    }
    if (writesBlocked !== null) {
      skip('writes-blocked', writesBlocked);
      continue;
    }
    if (finding.unknownOn.length > 0) {
      // The unread node may hold another variant of this object: copying now could spread
      // the wrong one. Whatever the policy says.
      skip('unread-node', `not read: ${finding.unknownOn.join(', ')}; read every node before copying`);
      continue;
    }
    if (!policy.allowedKinds.includes(finding.kind)) {
      skip('kind-not-allowed', `policy allows repairing ${policy.allowedKinds.join(', ') || 'nothing'}`);
      continue;
    }
    if (planner === null) {
      skip('not-repairable', 'this tool has no documented repair: alerted for a human');
      continue;
    }
    const repair = copiesFor(finding, cluster, planner);
    if (!Array.isArray(repair)) {
      skip(repair.reason, repair.detail);
      continue;
    }
    // All actions of one object or none: a half-repaired object is still at risk and harder to read.
    if (actions.length + repair.length > policy.maxActionsPerRun) {
      skip(
        'over-max-actions',
        `needs ${repair.length} action(s); policy allows ${policy.maxActionsPerRun} per run`,
      );
      continue;
    }
    actions.push(...repair);
  }

  return {
    clusterId: cluster.clusterId,
    membershipToken: cluster.membershipToken,
    dryRun: policy.dryRun,
    actions,
    skipped,
    writesBlocked,
  };
}

function blockingReason(result: AuditResult, policy: Policy): string | null {
  // A write logs in to every node, so a node that refused the login would be tried again:
  // never, whatever the policy says.
  const refused = result.nodes
    .filter((n) => n.kind === 'login-failed' || n.kind === 'login-refused-by-guard')
    .map((n) => n.nodeId);
  if (refused.length > 0) {
    return `no write: the login was refused on ${refused.join(', ')} and is never tried again in this run`;
  }
  if (!policy.requireAllNodesLoggedIn) return null;
  const unread = result.nodeIds.filter((id) => !result.readableNodeIds.includes(id));
  if (unread.length === 0) return null;
  return `no write until every node is read and logged in; not read: ${unread.join(', ')}`;
}

function copiesFor(
  finding: ObjectFinding,
  cluster: ResolvedCluster,
  planner: RepairPlanner,
): SyncAction[] | { reason: SkippedObject['reason']; detail: string } {
  if (finding.presentOn.length === 0 && finding.uncertainOn.length === 0) {
    return { reason: 'no-holder', detail: 'no readable node holds it' };
  }
  const repair = planner.repair(finding, cluster);
  if (!Array.isArray(repair)) return repair;
  const known = new Set(cluster.nodes.map((n) => n.nodeId));
  for (const action of repair) {
    for (const nodeId of [action.sourceNodeId, action.targetNodeId]) {
      if (nodeId !== null && !known.has(nodeId)) {
        throw new TypeError(
          `plan: the tool planned ${action.description} for node '${nodeId}', which is not in the cluster`,
        );
      }
    }
    if (action.objectId !== finding.objectId) {
      throw new TypeError(
        `plan: the tool answered ${finding.objectId} with an action for ${action.objectId}`,
      );
    }
  }
  return repair;
}
