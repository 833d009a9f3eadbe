/**
 * A control plane: tells the authoritative node list of a cluster (AWS DescribeClusters,
 * Azure ARM GET, the emulator, a file) and keeps backups.
 */

import type { NodeMetrics, Policy, ResolvedCluster, ToolId } from '#core/model.ts';
import type { BackupStatus } from '#core/report.ts';

/**
 * What a control plane needs of the tool that reads its clusters (a tool module is one): its
 * id for the run, its port, and how to read an operator's config of it for the drift check.
 * The provider never names a tool; the composition root hands it one.
 */
export interface ClusterTool {
  readonly id: ToolId;
  readonly port: number;
  operatorConfigAddresses(text: string): string[];
}

export interface ClusterProvider {
  /**
   * The cluster as it is now. Throws ClusterNotStableError while nodes are being created
   * or deleted (the caller waits and retries), UnknownNodeError / InvalidInputError for a
   * cluster it does not know.
   */
  resolve(clusterId: string): Promise<ResolvedCluster>;
}

/**
 * Per-node counts the control plane publishes (AWS CloudWatch `AWS/CloudHSM`; the emulator's
 * own): a provider puts them on each resolved node, and the audit names a node that lags.
 * Nodes it has no values for are absent from the answer.
 */
export interface NodeMetricsSource {
  read(clusterId: string, nodeIds: readonly string[]): Promise<ReadonlyMap<string, NodeMetrics>>;
}

/** The nodes with their counts; a source that fails leaves them bare and says why (never "no difference"). */
export async function withNodeMetrics<N extends { nodeId: string }>(
  source: NodeMetricsSource | undefined,
  clusterId: string,
  nodes: readonly N[],
): Promise<{ nodes: N[]; metricsError?: string }> {
  if (source === undefined) return { nodes: [...nodes] };
  let read: ReadonlyMap<string, NodeMetrics>;
  try {
    read = await source.read(
      clusterId,
      nodes.map((n) => n.nodeId),
    );
  } catch (error) {
    const why = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    return { nodes: [...nodes], metricsError: why.slice(0, 300) };
  }
  const without = nodes.filter((n) => !read.has(n.nodeId)).map((n) => n.nodeId);
  return {
    nodes: nodes.map((n) => {
      const metrics = read.get(n.nodeId);
      return metrics === undefined ? n : { ...n, metrics };
    }),
    ...(without.length > 0 ? { metricsError: `no recent counts for ${without.join(', ')}` } : {}),
  };
}

export interface BackupRequest {
  cluster: ResolvedCluster;
  /** When this run last wrote to the cluster (ISO), null when it wrote nothing. */
  lastWriteAt: string | null;
  policy: Policy;
  now: Date;
}

export interface BackupProvider {
  /** Makes sure a backup covers the cluster's state, as far as the platform allows. */
  protect(request: BackupRequest): Promise<BackupStatus>;
}
