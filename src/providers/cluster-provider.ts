/**
 * A control plane: tells the authoritative node list of a cluster (AWS DescribeClusters,
 * Azure ARM GET, the emulator, a file) and keeps backups.
 */

import type { Policy, ResolvedCluster, ToolId } from '#core/model.ts';
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
