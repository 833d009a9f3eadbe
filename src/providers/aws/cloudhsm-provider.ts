/**
 * The AWS control plane: CloudHSM v2 `DescribeClusters` is the authoritative node list.
 *
 * Node order (= server numbers in a tool config written from it) is deterministic: by
 * Availability Zone, then ENI IP (numerically, octet by octet), then HsmId. The order only
 * has to be the same for the same node set; any change of the set changes the membership
 * token, and Sync writes nothing then.
 */
import {
  type CloudHSMV2Client,
  type Cluster,
  DescribeClustersCommand,
  type DescribeClustersCommandOutput,
  type Hsm,
} from '@aws-sdk/client-cloudhsm-v2';
import { configDrift } from '#core/drift.ts';
import {
  ClusterNotStableError,
  ConfigurationError,
  HsmSentinelError,
  InvalidInputError,
  TransportError,
} from '#core/errors.ts';
import { membershipToken } from '#core/membership.ts';
import {
  type ClusterNode,
  type ConfigDrift,
  NODE_STATES,
  type NodeState,
  type ResolvedCluster,
} from '#core/model.ts';
import {
  type ClusterProvider,
  type ClusterTool,
  type NodeMetricsSource,
  withNodeMetrics,
} from '../cluster-provider.ts';

/** Cluster states in which the node set is about to change: wait and retry. */
const CLUSTER_SETTLING = new Set(['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'INITIALIZE_IN_PROGRESS']);
/** Cluster states in which there is nothing to audit, and retrying will not help. */
const CLUSTER_UNUSABLE: Record<string, string> = {
  DELETED: 'was deleted',
  DELETE_IN_PROGRESS: 'is being deleted',
  UNINITIALIZED: 'is not initialized yet: initialize and activate it first',
  INITIALIZED: 'is not activated yet: activate it (set the admin password) first',
};
const HSM_SETTLING = new Set(['CREATE_IN_PROGRESS', 'DELETE_IN_PROGRESS']);

export interface CloudHsmProviderOptions {
  /**
   * The tool that reads a cluster of this `HsmType` (DescribeClusters): hsm1.medium and
   * hsm2m.medium clusters need different tools. The composition root asks the registry.
   */
  toolFor: (hsmType: string | undefined) => ClusterTool;
  /**
   * The operator's own config of that tool (text), for the drift check; null when the
   * operator keeps none. Read it where it lives (an SSM parameter, a file) and pass a
   * function: the provider only compares.
   */
  operatorConfig?: () => Promise<string | null>;
  /** Per-HSM counts (CloudWatch `AWS/CloudHSM`, cloudhsm-metrics.ts) put on each node; absent: none. */
  metrics?: NodeMetricsSource;
  clock?: () => Date;
}

export class CloudHsmProvider implements ClusterProvider {
  readonly #client: CloudHSMV2Client;
  readonly #toolFor: (hsmType: string | undefined) => ClusterTool;
  readonly #operatorConfig: (() => Promise<string | null>) | null;
  readonly #metrics: NodeMetricsSource | undefined;
  readonly #clock: () => Date;

  constructor(client: CloudHSMV2Client, options: CloudHsmProviderOptions) {
    this.#client = client;
    this.#toolFor = options.toolFor;
    this.#operatorConfig = options.operatorConfig ?? null;
    this.#metrics = options.metrics;
    this.#clock = options.clock ?? (() => new Date());
  }

  async resolve(clusterId: string): Promise<ResolvedCluster> {
    const cluster = await this.#describe(clusterId);
    const state = cluster.State ?? 'UNKNOWN';
    const unusable = CLUSTER_UNUSABLE[state];
    if (unusable !== undefined) {
      throw new InvalidInputError(`cluster ${clusterId} ${unusable} (state ${state}): nothing to audit`, {
        context: { clusterId, state },
      });
    }
    const hsms = (cluster.Hsms ?? []).filter((hsm) => hsm.State !== 'DELETED');
    const settling = hsms.filter((hsm) => HSM_SETTLING.has(hsm.State ?? ''));
    if (settling.length > 0 || CLUSTER_SETTLING.has(state)) {
      const which = settling.map((hsm) => `${hsm.HsmId} ${hsm.State}`).join(', ');
      throw new ClusterNotStableError(
        `cluster ${clusterId} is changing (cluster ${state}${which ? `; ${which}` : ''}): ` +
          'wait until every HSM is ACTIVE, then run again',
        { context: { clusterId, state, settling: settling.map((hsm) => hsm.HsmId).join(',') } },
      );
    }
    const tool = this.#toolFor(cluster.HsmType);
    const sorted = hsms.map((hsm) => toNode(clusterId, hsm, tool.port)).sort(compareNodes);
    const { nodes, metricsError } = await withNodeMetrics(this.#metrics, clusterId, sorted);
    return {
      clusterId,
      provider: 'aws',
      tool: tool.id,
      nodes,
      resolvedAt: this.#clock().toISOString(),
      membershipToken: membershipToken(nodes),
      configDrift: await this.#drift(clusterId, nodes, tool),
      ...(metricsError === undefined ? {} : { metricsError }),
    };
  }

  async #describe(clusterId: string): Promise<Cluster> {
    const found: Cluster[] = [];
    let nextToken: string | undefined;
    do {
      let page: DescribeClustersCommandOutput;
      try {
        page = await this.#client.send(
          new DescribeClustersCommand({
            Filters: { clusterIds: [clusterId] },
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        );
      } catch (cause) {
        throw describeFailure(clusterId, cause);
      }
      found.push(...(page.Clusters ?? []).filter((c) => c.ClusterId === clusterId));
      nextToken = page.NextToken;
    } while (nextToken);
    const [cluster] = found;
    if (cluster === undefined) {
      throw new InvalidInputError(
        `cluster ${clusterId} not found by DescribeClusters: check the cluster id and the region`,
        { context: { clusterId } },
      );
    }
    return cluster;
  }

  async #drift(
    clusterId: string,
    nodes: readonly ClusterNode[],
    tool: ClusterTool,
  ): Promise<ConfigDrift | null> {
    if (this.#operatorConfig === null) return null;
    let text: string | null;
    try {
      text = await this.#operatorConfig();
    } catch (cause) {
      if (cause instanceof HsmSentinelError) throw cause;
      throw new ConfigurationError(
        `the operator's ${tool.id} config for cluster ${clusterId} could not be read: ` +
          'check OPERATOR_CONFIG_SSM and the permission to read it',
        { cause },
      );
    }
    if (text === null) return null;
    try {
      return configDrift(nodes, tool.operatorConfigAddresses(text));
    } catch (cause) {
      const reason = cause instanceof Error ? cause.message : String(cause);
      throw new InvalidInputError(
        `the operator's ${tool.id} config for cluster ${clusterId} is malformed (${reason}): ` +
          'fix it or stop pointing the drift check at it',
        { cause },
      );
    }
  }
}

function toNode(clusterId: string, hsm: Hsm, port: number): ClusterNode {
  if (!hsm.HsmId || !hsm.EniIp) {
    throw new InvalidInputError(
      `DescribeClusters returned an HSM of cluster ${clusterId} without ${hsm.HsmId ? `an EniIp (${hsm.HsmId})` : 'an HsmId'}: cannot address it`,
    );
  }
  const state = (NODE_STATES as readonly string[]).includes(hsm.State ?? '')
    ? (hsm.State as NodeState)
    : 'UNKNOWN';
  return {
    nodeId: hsm.HsmId,
    address: hsm.EniIp,
    port,
    state,
    ...(hsm.AvailabilityZone === undefined ? {} : { zone: hsm.AvailabilityZone }),
  };
}

/** By AZ, then ENI IP numerically, then HsmId. */
export function compareNodes(a: ClusterNode, b: ClusterNode): number {
  return (
    compareText(a.zone ?? '', b.zone ?? '') ||
    compareAddresses(a.address, b.address) ||
    compareText(a.nodeId, b.nodeId)
  );
}

function compareAddresses(a: string, b: string): number {
  const pa = a.split('.').map(Number);
  const pb = b.split('.').map(Number);
  if (pa.length === 4 && pb.length === 4 && [...pa, ...pb].every(Number.isInteger)) {
    for (let i = 0; i < 4; i++) {
      const d = (pa[i] ?? 0) - (pb[i] ?? 0);
      if (d !== 0) return d;
    }
    return 0;
  }
  return compareText(a, b);
}

/** Code-unit order: the same on every machine, whatever its locale. */
function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

function describeFailure(clusterId: string, cause: unknown): HsmSentinelError {
  const name = cause instanceof Error ? cause.name : 'Error';
  const options = { cause, context: { clusterId, awsError: name } };
  switch (name) {
    case 'CloudHsmAccessDeniedException':
    case 'AccessDeniedException':
      return new ConfigurationError(
        `DescribeClusters for ${clusterId} was denied (${name}): allow cloudhsm:DescribeClusters to this role`,
        options,
      );
    case 'CloudHsmInvalidRequestException':
    case 'CloudHsmResourceNotFoundException':
      return new InvalidInputError(
        `DescribeClusters rejected cluster id ${clusterId} (${name}): check the id and the region`,
        options,
      );
    default:
      return new TransportError(
        `DescribeClusters for ${clusterId} failed (${name}): the CloudHSM API is unreachable or failing; retry`,
        options,
      );
  }
}
