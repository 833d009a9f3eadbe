/**
 * Plan: additive copies only. For every object that some readable nodes lack, copy it from
 * a deterministic holder (the lowest server number that has it: the runbooks use server 0)
 * to each readable node that lacks it. Nothing is ever deleted or overwritten, divergent
 * objects never enter a plan, and the policy bounds what is written.
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

export function plan(cluster: ResolvedCluster, result: AuditResult, policy: Policy): Plan {
  const serverOf = new Map(cluster.nodes.map((node, index) => [node.nodeId, index]));
  const writesBlocked = blockingReason(result, policy);
  const actions: SyncAction[] = [];
  const skipped: SkippedObject[] = [];

  // Users before keys (audit order): a key copied to a node that lacks its owner cannot be inserted.
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
    if (!policy.allowedKinds.includes(finding.kind)) {
      skip('kind-not-allowed', `policy allows syncing ${policy.allowedKinds.join(', ') || 'nothing'}`);
      continue;
    }
    const copies = copiesFor(finding, serverOf);
    if (copies === null) {
      skip('no-holder', 'no readable node holds it');
      continue;
    }
    // All copies of one object or none: a half-repaired object is still at risk and harder to read.
    if (actions.length + copies.length > policy.maxActionsPerRun) {
      skip(
        'over-max-actions',
        `needs ${copies.length} action(s); policy allows ${policy.maxActionsPerRun} per run`,
      );
      continue;
    }
    actions.push(...copies);
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
  // A write logs in to every node (mgmt-util numbers servers across the whole config), so a
  // node that refused the login would be tried again: never, whatever the policy says.
  const refused = result.nodes.filter((n) => n.kind === 'login-failed').map((n) => n.nodeId);
  if (refused.length > 0) {
    return `no write: the login was refused on ${refused.join(', ')} and is never tried again in this run`;
  }
  if (!policy.requireAllNodesLoggedIn) return null;
  const unread = result.nodeIds.filter((id) => !result.readableNodeIds.includes(id));
  if (unread.length === 0) return null;
  return `no write until every node is read and logged in; not read: ${unread.join(', ')}`;
}

function copiesFor(finding: ObjectFinding, serverOf: Map<string, number>): SyncAction[] | null {
  const holders = finding.presentOn
    .map((nodeId) => ({ nodeId, server: serverOf.get(nodeId) }))
    .filter((h): h is { nodeId: string; server: number } => h.server !== undefined)
    .sort((a, b) => a.server - b.server);
  const source = holders[0];
  if (!source) return null;
  const command = finding.kind === 'user' ? 'syncUser' : 'syncKey';
  return finding.missingOn.map((targetNodeId) => {
    const targetServer = serverOf.get(targetNodeId);
    if (targetServer === undefined) throw new TypeError(`plan: node '${targetNodeId}' is not in the cluster`);
    return {
      kind: finding.kind,
      objectId: finding.objectId,
      label: finding.label,
      command,
      numericId: finding.numericId,
      sourceNodeId: source.nodeId,
      sourceServer: source.server,
      targetNodeId,
      targetServer,
    } satisfies SyncAction;
  });
}
