import type { BackupStatus } from '#core/report.ts';
import type { BackupProvider, BackupRequest } from '../cluster-provider.ts';

/** For clusters described by a file: there is no backup service to ask, and the report says so. */
export class NoBackupProvider implements BackupProvider {
  async protect(request: BackupRequest): Promise<BackupStatus> {
    return {
      state: 'skipped',
      backupId: null,
      createdAt: null,
      detail: `no backup service for ${request.cluster.clusterId} (a file-described cluster): check the cloud's backups by hand`,
      kept: [],
      copiedTo: [],
    };
  }
}
