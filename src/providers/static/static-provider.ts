/**
 * A control plane that is a list: the node list comes from a cluster file (`audit`/`sync`
 * against hosts the operator names) or from a running emulator. It still computes config
 * drift and the membership token the same way the cloud providers do.
 */

import { configDrift } from '#core/drift.ts';
import { InvalidInputError } from '#core/errors.ts';
import { membershipToken } from '#core/membership.ts';
import type { ClusterNode, ProviderName, ResolvedCluster, ToolId } from '#core/model.ts';
import { type ClusterProvider, type NodeMetricsSource, withNodeMetrics } from '../cluster-provider.ts';

export interface StaticClusterOptions {
  clusterId: string;
  provider: ProviderName;
  tool: ToolId;
  /** Read at every resolve, so a test or the emulator can change membership mid-run. */
  nodes: () => readonly ClusterNode[];
  /** Addresses the operator's own tool config lists (drift check); null: no config to compare. */
  operatorConfigAddresses?: () => Promise<readonly string[] | null>;
  /** Per-node counts (the emulator's metrics in the demo); absent: none. */
  metrics?: NodeMetricsSource;
  clock?: () => Date;
}

export class StaticClusterProvider implements ClusterProvider {
  readonly #options: StaticClusterOptions;
  constructor(options: StaticClusterOptions) {
    this.#options = options;
  }

  async resolve(clusterId: string): Promise<ResolvedCluster> {
    const options = this.#options;
    if (clusterId !== options.clusterId) {
      throw new InvalidInputError(
        `unknown cluster '${clusterId}': this provider serves '${options.clusterId}'`,
      );
    }
    const { nodes, metricsError } = await withNodeMetrics(
      options.metrics,
      clusterId,
      options.nodes().map((node) => ({ ...node })),
    );
    const listed = (await options.operatorConfigAddresses?.()) ?? null;
    return {
      clusterId,
      provider: options.provider,
      tool: options.tool,
      nodes,
      resolvedAt: (options.clock?.() ?? new Date()).toISOString(),
      membershipToken: membershipToken(nodes),
      configDrift: listed === null ? null : configDrift(nodes, listed),
      ...(metricsError === undefined ? {} : { metricsError }),
    };
  }
}
