/**
 * The mgmt-util family's repair (the vendors' runbook): `server <src>` on the lowest-numbered
 * node that holds the object (the runbooks use server 0), then `syncUser|syncKey <id> <dest>`
 * for each node that lacks it. Additive: the HSM refuses to insert over an existing object.
 */
import type { ObjectFinding, ResolvedCluster, SyncAction } from '#core/model.ts';
import type { RepairPlanner, RepairRefusal } from '#core/tool-rules.ts';
import { SYNC_COMMANDS } from './listing.ts';

export const MGMT_UTIL_PLANNER: RepairPlanner = {
  repair(finding: ObjectFinding, cluster: ResolvedCluster): SyncAction[] | RepairRefusal {
    const order = cluster.nodes.map((n) => n.nodeId);
    const source = order.find((nodeId) => finding.presentOn.includes(nodeId));
    if (source === undefined) return { reason: 'no-holder', detail: 'no readable node holds it' };
    const operation = SYNC_COMMANDS[finding.kind];
    // Server numbers are the node order of the config the driver writes; shown so the line reads as typed.
    const server = (nodeId: string) => order.indexOf(nodeId);
    return finding.missingOn.map((target) => ({
      kind: finding.kind,
      objectId: finding.objectId,
      label: finding.label,
      operation,
      ref: finding.ref,
      sourceNodeId: source,
      targetNodeId: target,
      description: `server ${server(source)} > ${operation} ${finding.ref} ${server(target)} (${source} -> ${target})`,
    }));
  },
};
