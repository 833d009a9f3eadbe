/**
 * A control plane that is the tool's own client (no cloud: Luna HA groups): the cluster's
 * members are the ones the client sees (its membership, with their state), and the operator's
 * list of the cluster (an HA groups file, a cluster file's nodes) is only compared with them.
 * A member the client has but the list lacks is `missingFromConfig` (it is still read: the
 * client replicates to it); a listed member the client does not have is `unknownInConfig`.
 */
import { InvalidInputError } from '#core/errors.ts';
import { membershipToken } from '#core/membership.ts';
import type { ClusterNode, ProviderName, ResolvedCluster } from '#core/model.ts';
import type { ClusterProvider, ClusterTool } from '../cluster-provider.ts';

/** A member as the operator lists it: its node id, and where it is when the list says. */
export interface ListedMember {
  nodeId: string;
  address?: string;
}

export interface ClientMembershipOptions {
  provider: ProviderName;
  tool: Pick<ClusterTool, 'id' | 'port'>;
  /** The operator's list of one cluster, read at every resolve; null: not a cluster of this list. */
  listed(clusterId: string): Promise<readonly ListedMember[] | null>;
  /** What the tool's client sees of that cluster (the authority). */
  members(clusterId: string): Promise<ReadonlyArray<Pick<ClusterNode, 'nodeId' | 'state'>>>;
  clock?: () => Date;
}

export class ClientMembershipProvider implements ClusterProvider {
  readonly #options: ClientMembershipOptions;
  constructor(options: ClientMembershipOptions) {
    this.#options = options;
  }

  async resolve(clusterId: string): Promise<ResolvedCluster> {
    const options = this.#options;
    const listed = await options.listed(clusterId);
    if (listed === null)
      throw new InvalidInputError(`unknown cluster '${clusterId}': not in the operator's list`);
    const members = await options.members(clusterId);
    const byId = new Map(listed.map((m) => [m.nodeId, m]));
    const nodes: ClusterNode[] = members.map((m) => ({
      nodeId: m.nodeId,
      address: byId.get(m.nodeId)?.address ?? m.nodeId,
      port: options.tool.port,
      state: m.state,
    }));
    const seen = new Set(members.map((m) => m.nodeId));
    return {
      clusterId,
      provider: options.provider,
      tool: options.tool.id,
      nodes,
      resolvedAt: (options.clock?.() ?? new Date()).toISOString(),
      membershipToken: membershipToken(nodes),
      configDrift: {
        missingFromConfig: members.filter((m) => !byId.has(m.nodeId)).map((m) => m.nodeId),
        unknownInConfig: listed.filter((m) => !seen.has(m.nodeId)).map((m) => m.nodeId),
      },
    };
  }
}
