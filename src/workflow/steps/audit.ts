import { audit } from '#core/audit.ts';
import { InvalidInputError } from '#core/errors.ts';
import type { NodeInventory, Plan, ResolvedCluster } from '#core/model.ts';
import { plan } from '#core/plan.ts';
import { artifactKeys } from '#store/artifact-store.ts';
import type { AuditOutput, CollectedNode, RecheckState, RunState } from '../contracts.ts';
import type { WorkflowDeps } from '../deps.ts';
import { SHARED_LISTING } from './collect-node.ts';

/** Steps 3 and 4: presence matrix, findings, and the bounded additive plan. */
export async function auditStep(state: RunState, deps: WorkflowDeps): Promise<AuditOutput> {
  const cluster = required(state.cluster, 'cluster');
  const collected = required(state.collected, 'collected');
  const inventories = await loadInventories(cluster, collected, deps);
  const tool = deps.tool(cluster.tool);
  const result = audit(cluster, inventories, tool.rules);
  const planned = plan(cluster, result, state.context.policy, tool.planner);
  const recheck = recheckOf(planned, state);
  const thePlan = recheck.due ? planned : withRecheckNote(planned, recheck);
  const auditRef = await deps.store.putJson(artifactKeys.audit(state.context.runId, 'before'), result);
  const planRef = await deps.store.putJson(artifactKeys.plan(state.context.runId), thePlan);
  deps.log.info('audited cluster', {
    counts: result.counts,
    actions: thePlan.actions.length,
    writesBlocked: thePlan.writesBlocked,
    recheck,
  });
  return {
    auditRef,
    planRef,
    counts: result.counts,
    unreadableNodes: result.nodeIds.filter((id) => !result.readableNodeIds.includes(id)),
    actionCount: thePlan.actions.length,
    skippedCount: thePlan.skipped.length,
    writesBlocked: thePlan.writesBlocked,
    dryRun: thePlan.dryRun,
    // While a re-check is due nothing is written: the next audit decides on fresher reads.
    writeAllowed:
      !recheck.due && thePlan.actions.length > 0 && !thePlan.dryRun && thePlan.writesBlocked === null,
    recheck,
  };
}

/**
 * Whether to wait and read again: objects the tool's service copies by itself are not on
 * every node yet, and the run has re-read fewer than its policy's serviceSyncRechecks times.
 * An audit that follows another one in the same run follows a re-read (the only loop).
 * No re-read when something blocks writes (a refused login, an unread node): the core then
 * plans nothing for those objects, so `pending` is 0.
 */
function recheckOf(thePlan: Plan, state: RunState): RecheckState {
  const pending = thePlan.skipped.filter((s) => s.reason === 'synced-by-service').length;
  const done = state.audit === undefined ? 0 : (state.audit.recheck?.done ?? 0) + 1;
  return { due: pending > 0 && done < state.context.policy.serviceSyncRechecks, done, pending };
}

function withRecheckNote(thePlan: Plan, recheck: RecheckState): Plan {
  if (recheck.pending === 0) return thePlan;
  const note =
    recheck.done === 0
      ? 'not re-checked in this run'
      : `still not on every node after ${recheck.done} re-check(s)`;
  return {
    ...thePlan,
    skipped: thePlan.skipped.map((s) =>
      s.reason === 'synced-by-service' ? { ...s, detail: `${s.detail}; ${note}` } : s,
    ),
  };
}

export async function loadInventories(
  cluster: ResolvedCluster,
  collected: readonly CollectedNode[],
  deps: WorkflowDeps,
): Promise<NodeInventory[]> {
  const expected = new Set(cluster.nodes.map((n) => n.nodeId));
  for (const item of collected) {
    if (!expected.has(item.nodeId))
      throw new InvalidInputError(`collected node '${item.nodeId}' is not in the cluster`);
  }
  const inventories = await Promise.all(
    collected.map((item) => deps.store.getJson<NodeInventory>(item.inventoryRef)),
  );
  // A listing stored once for several nodes (storeInventories) is read once and shared.
  const shared = new Map<string, Promise<unknown>>();
  return Promise.all(
    inventories.map(async (inv) => {
      const ref = sharedListingRef(inv);
      if (ref === null) return inv;
      let listing = shared.get(ref);
      if (listing === undefined) {
        listing = deps.store.getJson<unknown>(ref);
        shared.set(ref, listing);
      }
      return { ...inv, listing: await listing } as NodeInventory;
    }),
  );
}

function sharedListingRef(inventory: NodeInventory): string | null {
  if (inventory.status !== 'read') return null;
  const listing = inventory.listing as Record<string, unknown> | null;
  const ref = listing?.[SHARED_LISTING];
  return typeof ref === 'string' && Object.keys(listing ?? {}).length === 1 ? ref : null;
}

export function required<T>(value: T | undefined, field: string): T {
  if (value === undefined)
    throw new InvalidInputError(`workflow state has no '${field}': the previous step did not run`);
  return value;
}
