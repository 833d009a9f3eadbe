import { InvalidInputError } from '#core/errors.ts';
import type { ResolvedCluster } from '#core/model.ts';
import type { RunState } from '../contracts.ts';
import type { WorkflowDeps } from '../deps.ts';

/**
 * Step 1: the authoritative node list from the control plane, with how its tool reads it
 * (`addressing`: the state machine collects per node, or the whole cluster at once). Also the
 * first state of a re-check: the node set and its per-node counts are read afresh.
 */
export async function resolveStep(state: RunState, deps: WorkflowDeps): Promise<ResolvedCluster> {
  const resolved = await deps.provider.resolve(state.context.clusterId);
  const cluster: ResolvedCluster = { ...resolved, addressing: deps.tool(resolved.tool).module.addressing };
  if (cluster.nodes.length === 0) {
    throw new InvalidInputError(`cluster ${state.context.clusterId} has no HSMs: nothing to audit`);
  }
  deps.log.info('resolved cluster', {
    clusterId: cluster.clusterId,
    nodes: cluster.nodes.map((n) => `${n.nodeId}@${n.address}`),
    drift: cluster.configDrift,
    addressing: cluster.addressing,
  });
  return cluster;
}
