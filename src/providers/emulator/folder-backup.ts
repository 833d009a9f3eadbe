/**
 * The emulator's backup service: copies every node's state file into a backup folder, as a
 * cloud backup snapshots the cluster. Lets the embedded default run the Protect step for real.
 */
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError } from '#core/errors.ts';
import type { BackupStatus } from '#core/report.ts';
import type { BackupProvider, BackupRequest } from '../cluster-provider.ts';

export class FolderBackupProvider implements BackupProvider {
  readonly #stateDir: string;
  readonly #backupDir: string;
  constructor(stateDir: string, backupDir: string = join(stateDir, 'backups')) {
    this.#stateDir = stateDir;
    this.#backupDir = backupDir;
  }

  async protect(request: BackupRequest): Promise<BackupStatus> {
    const started = Date.now();
    const backupId = `backup-${request.now.toISOString().replace(/[:.]/g, '-')}`;
    try {
      const files = (await readdir(this.#stateDir)).filter((f) => f.endsWith('.json'));
      if (files.length === 0) throw new Error(`no node state files in ${this.#stateDir}`);
      const target = join(this.#backupDir, backupId);
      await mkdir(target, { recursive: true });
      await Promise.all(files.map((f) => copyFile(join(this.#stateDir, f), join(target, f))));
    } catch (cause) {
      throw new BackupError(`emulator backup of ${request.cluster.clusterId} failed`, { cause });
    }
    return {
      state: 'covered',
      backupId,
      createdAt: request.now.toISOString(),
      detail: `snapshot of ${request.cluster.nodes.length} node(s) taken after the run`,
      kept: [],
      copiedTo: [],
      durationMs: Date.now() - started,
    };
  }
}
