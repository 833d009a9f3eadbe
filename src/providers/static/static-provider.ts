/**
 * A control plane that is a list: the node list comes from a cluster file (`audit`/`sync`
 * against hosts the operator names) or from a running emulator. It still computes config
 * drift and the membership token the same way the cloud providers do.
 */
import { membershipToken } from '#core/identity.ts';
import { InvalidInputError } from '#core/errors.ts';
import type { ClusterNode, ConfigDrift, Dialect, ProviderName, ResolvedCluster } from '#core/model.ts';
import type { ClusterProvider } from '../cluster-provider.ts';

export interface StaticClusterOptions {
  clusterId: string;
  provider: ProviderName;
  dialect: Dialect;
  /** Read at every resolve, so a test or the emulator can change membership mid-run. */
  nodes: () => readonly ClusterNode[];
  /** Addresses the operator's own mgmt-util config lists (drift check); null: no config to compare. */
  operatorConfigAddresses?: () => Promise<readonly string[] | null>;
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
      throw new InvalidInputError(`unknown cluster '${clusterId}': this provider serves '${options.clusterId}'`);
    }
    const nodes = options.nodes().map((node) => ({ ...node }));
    const listed = (await options.operatorConfigAddresses?.()) ?? null;
    return {
      clusterId,
      provider: options.provider,
      dialect: options.dialect,
      nodes,
      resolvedAt: (options.clock?.() ?? new Date()).toISOString(),
      membershipToken: membershipToken(nodes),
      configDrift: listed === null ? null : driftBetween(nodes, listed),
    };
  }
}

/** Which nodes the operator's config misses, and which of its entries are not nodes. */
export function driftBetween(nodes: readonly ClusterNode[], listedAddresses: readonly string[]): ConfigDrift | null {
  const listed = new Set(listedAddresses);
  const addresses = new Set(nodes.map((n) => n.address));
  const drift: ConfigDrift = {
    missingFromConfig: nodes.filter((n) => !listed.has(n.address)).map((n) => n.nodeId),
    unknownInConfig: listedAddresses.filter((a) => !addresses.has(a)),
  };
  return drift.missingFromConfig.length === 0 && drift.unknownInConfig.length === 0 ? null : drift;
}
