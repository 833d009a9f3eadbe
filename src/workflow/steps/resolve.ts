import { InvalidInputError } from '#core/errors.ts';
import type { ResolvedCluster } from '#core/model.ts';
import type { RunState } from '../contracts.ts';
import type { WorkflowDeps } from '../deps.ts';

/** Step 1: the authoritative node list from the control plane. */
export async function resolveStep(state: RunState, deps: WorkflowDeps): Promise<ResolvedCluster> {
  const cluster = await deps.provider.resolve(state.context.clusterId);
  if (cluster.nodes.length === 0) {
    throw new InvalidInputError(`cluster ${state.context.clusterId} has no HSMs: nothing to audit`);
  }
  deps.log.info('resolved cluster', {
    clusterId: cluster.clusterId,
    nodes: cluster.nodes.map((n) => `${n.nodeId}@${n.address}`),
    drift: cluster.configDrift,
  });
  return cluster;
}
