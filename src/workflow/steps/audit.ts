import { audit } from '#core/audit.ts';
import { InvalidInputError } from '#core/errors.ts';
import type { NodeInventory, ResolvedCluster } from '#core/model.ts';
import { plan } from '#core/plan.ts';
import { artifactKeys } from '#store/artifact-store.ts';
import type { AuditOutput, CollectedNode, RunState } from '../contracts.ts';
import type { WorkflowDeps } from '../deps.ts';

/** Steps 3 and 4: presence matrix, findings, and the bounded additive plan. */
export async function auditStep(state: RunState, deps: WorkflowDeps): Promise<AuditOutput> {
  const cluster = required(state.cluster, 'cluster');
  const collected = required(state.collected, 'collected');
  const inventories = await loadInventories(cluster, collected, deps);
  const tool = deps.tool(cluster.tool);
  const result = audit(cluster, inventories, tool.rules);
  const thePlan = plan(cluster, result, state.context.policy, tool.planner);
  const auditRef = await deps.store.putJson(artifactKeys.audit(state.context.runId, 'before'), result);
  const planRef = await deps.store.putJson(artifactKeys.plan(state.context.runId), thePlan);
  deps.log.info('audited cluster', {
    counts: result.counts,
    actions: thePlan.actions.length,
    writesBlocked: thePlan.writesBlocked,
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
    writeAllowed: thePlan.actions.length > 0 && !thePlan.dryRun && thePlan.writesBlocked === null,
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
  return Promise.all(collected.map((item) => deps.store.getJson<NodeInventory>(item.inventoryRef)));
}

export function required<T>(value: T | undefined, field: string): T {
  if (value === undefined)
    throw new InvalidInputError(`workflow state has no '${field}': the previous step did not run`);
  return value;
}
