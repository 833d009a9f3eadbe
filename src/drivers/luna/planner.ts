/**
 * The Luna repair: `hagroup synchronize -group <label>`, the documented way to bring the members
 * of an HA group level (the HA library replicates what a member lacks). The plan holds one
 * SyncAction per object and member that lacks it (addressed by node id, source null: the HA
 * library copies from whichever member holds it); the driver runs synchronize ONCE for all of
 * them and reads each member back to say what happened to each.
 *
 * synchronize acts on the whole group, not on one object, so the plan is all or nothing:
 * `blockingReason` refuses every write of the group when
 * - a member was not read (its objects are unknown: synchronize would copy over them blind),
 *   whatever `requireAllNodesLoggedIn` says;
 * - an object of the group is divergent (a fingerprint conflict): synchronize could spread one
 *   of its variants to a member that has none (UNCONFIRMED which; a human resolves it first);
 * - a member is down in the group (lunacm): synchronize skips it, unless `recover` is on
 *   (then the driver runs `hagroup recover` first);
 * - the copies it would make exceed the policy's maxActionsPerRun (it cannot be cut short).
 */
import type { AuditResult, ObjectFinding, Policy, ResolvedCluster, SyncAction } from '#core/model.ts';
import type { RepairPlanner, RepairRefusal } from '#core/tool-rules.ts';
import { SYNCHRONIZE } from './listing.ts';
import { LUNA_SETTINGS } from './settings.ts';

export interface LunaPlannerOptions {
  /** The LUNA_RECOVER switch: a member down but readable is recovered before synchronize. */
  recover: boolean;
}

function list(items: readonly string[]): string {
  return items.length <= 5
    ? items.join(', ')
    : `${items.slice(0, 5).join(', ')} and ${items.length - 5} more`;
}

function copiesNeeded(result: AuditResult, policy: Policy): number {
  let copies = 0;
  for (const f of result.objects) {
    if ((f.status === 'missing' || f.status === 'single-node') && policy.allowedKinds.includes(f.kind))
      copies += f.missingOn.length;
  }
  return copies;
}

export function lunaPlanner(options: LunaPlannerOptions): RepairPlanner {
  return {
    repair(finding: ObjectFinding, cluster: ResolvedCluster): SyncAction[] | RepairRefusal {
      if (finding.missingOn.length === 0) return { reason: 'no-holder', detail: 'no member lacks it' };
      return finding.missingOn.map((target) => ({
        kind: finding.kind,
        objectId: finding.objectId,
        label: finding.label,
        operation: SYNCHRONIZE,
        ref: finding.ref,
        sourceNodeId: null,
        targetNodeId: target,
        description: `${SYNCHRONIZE} -group ${finding.ref || cluster.clusterId} (to ${target})`,
      }));
    },

    blockingReason(result: AuditResult, cluster: ResolvedCluster, policy: Policy): string | null {
      const group = cluster.clusterId;
      const unread = result.nodeIds.filter((id) => !result.readableNodeIds.includes(id));
      if (unread.length > 0) {
        return `no write: ${SYNCHRONIZE} copies to every member of ${group} at once, so every member must be read first; not read: ${list(unread)}`;
      }
      const divergent = result.objects.filter((f) => f.status === 'divergent').map((f) => f.label);
      if (divergent.length > 0) {
        return `no write: ${list(divergent)} differ between members of ${group} (fingerprint conflict); ${SYNCHRONIZE} acts on the whole group and could copy one variant to a member that has none: a human resolves the conflict first`;
      }
      const down = cluster.nodes.filter((n) => n.state !== 'ACTIVE').map((n) => n.nodeId);
      if (down.length > 0 && !options.recover) {
        return `no write: ${list(down)} is down in HA group ${group} (hagroup listgroups) and ${SYNCHRONIZE} would skip it: run hagroup recover, or set ${LUNA_SETTINGS.recover}=true to let hsm-sentinel run it first`;
      }
      const copies = copiesNeeded(result, policy);
      if (copies > policy.maxActionsPerRun) {
        return `no write: ${SYNCHRONIZE} makes all ${copies} missing copies of ${group} at once and cannot be cut short; the policy allows ${policy.maxActionsPerRun} actions per run`;
      }
      return null;
    },
  };
}
