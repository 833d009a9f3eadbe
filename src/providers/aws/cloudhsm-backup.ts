/**
 * Backups on AWS CloudHSM. There is no API that makes a backup on demand: AWS backs the
 * cluster up at least every 24 h and whenever an HSM is added or removed. So "protect"
 * here means: find the newest READY backup, judge whether it covers the last repair, keep
 * the newest pre-repair backup (NeverExpires) while it does not, copy it to a recovery
 * region where one is configured, and say plainly when no backup covers the current state.
 */
import {
  type Backup,
  CloudHSMV2Client,
  CopyBackupToRegionCommand,
  DescribeBackupsCommand,
  type DescribeBackupsCommandOutput,
  ModifyBackupAttributesCommand,
} from '@aws-sdk/client-cloudhsm-v2';
import { BackupError, InvalidInputError } from '#core/errors.ts';
import type { BackupStatus } from '#core/report.ts';
import type { BackupProvider, BackupRequest } from '../cluster-provider.ts';

export interface CloudHsmBackupOptions {
  /** Where to copy the kept backup (CopyBackupToRegion); null/absent: no copy. */
  recoveryRegion?: string | null;
}

interface ReadyBackup {
  backupId: string;
  createdAt: Date;
}

const HOUR_MS = 3_600_000;

export class CloudHsmBackupProvider implements BackupProvider {
  readonly #client: CloudHSMV2Client;
  readonly #recoveryRegion: string | null;

  constructor(client: CloudHSMV2Client = new CloudHSMV2Client({}), options: CloudHsmBackupOptions = {}) {
    this.#client = client;
    this.#recoveryRegion = options.recoveryRegion || null;
  }

  /**
   * covered: the newest READY backup is younger than the policy's maximum age and (when the
   * run wrote) was taken after the last write. not-yet-covered: the run wrote after the
   * newest backup; that backup is kept and copied. stale: the newest backup is older than
   * the maximum age (also when it predates the write: then it is still kept and copied), or
   * there is no READY backup at all. Every API failure throws BackupError.
   */
  async protect(request: BackupRequest): Promise<BackupStatus> {
    const { cluster, policy, now } = request;
    const clusterId = cluster.clusterId;
    const lastWrite = parseWriteTime(request.lastWriteAt);
    const newest = await this.#newestReady(clusterId);
    if (newest === null) {
      return {
        state: 'stale',
        backupId: null,
        createdAt: null,
        detail:
          `no READY backup of cluster ${clusterId} exists: AWS backs a cluster up at least every 24 h, ` +
          'so check the cluster in the CloudHSM console (DescribeBackups) and open a support case if none appears',
        kept: [],
        copiedTo: [],
      };
    }
    const ageHours = (now.getTime() - newest.createdAt.getTime()) / HOUR_MS;
    const tooOld = ageHours > policy.maxBackupAgeHours;
    const base = { backupId: newest.backupId, createdAt: newest.createdAt.toISOString() };
    const age = `${newest.backupId} taken ${newest.createdAt.toISOString()} (${ageHours.toFixed(1)} h ago)`;
    const staleNote = `older than the ${policy.maxBackupAgeHours} h maximum: AWS should back the cluster up every 24 h, check the cluster's backups`;

    if (lastWrite !== null && newest.createdAt.getTime() < lastWrite.getTime()) {
      await this.#keep(clusterId, newest.backupId);
      const copiedTo = await this.#copy(clusterId, newest.backupId);
      const copyNote = copiedTo.length > 0 ? ` and copied to ${copiedTo.join(', ')}` : '';
      const uncovered =
        `no backup covers the repair of ${lastWrite.toISOString()} yet: the newest READY backup is ${age}; ` +
        `kept it (NeverExpires)${copyNote}; AWS takes the next one within 24 h`;
      return {
        state: tooOld ? 'stale' : 'not-yet-covered',
        ...base,
        detail: tooOld ? `${uncovered}; it is also ${staleNote}` : uncovered,
        kept: [newest.backupId],
        copiedTo,
      };
    }
    if (tooOld) {
      return {
        state: 'stale',
        ...base,
        detail: `the newest READY backup is ${age}: ${staleNote}`,
        kept: [],
        copiedTo: [],
      };
    }
    return {
      state: 'covered',
      ...base,
      detail:
        lastWrite === null
          ? `the newest READY backup is ${age}; nothing was written this run`
          : `the newest READY backup is ${age}, after the repair of ${lastWrite.toISOString()}`,
      kept: [],
      copiedTo: [],
    };
  }

  async #newestReady(clusterId: string): Promise<ReadyBackup | null> {
    let newest: ReadyBackup | null = null;
    let nextToken: string | undefined;
    do {
      let page: DescribeBackupsCommandOutput;
      try {
        page = await this.#client.send(
          new DescribeBackupsCommand({
            Filters: { clusterIds: [clusterId], states: ['READY'] },
            SortAscending: false,
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        );
      } catch (cause) {
        throw apiFailure('DescribeBackups', clusterId, cause);
      }
      for (const backup of page.Backups ?? []) {
        const ready = readyBackup(backup);
        if (ready && (newest === null || ready.createdAt.getTime() > newest.createdAt.getTime())) {
          newest = ready;
        }
      }
      nextToken = page.NextToken;
    } while (nextToken);
    return newest;
  }

  async #keep(clusterId: string, backupId: string): Promise<void> {
    try {
      await this.#client.send(new ModifyBackupAttributesCommand({ BackupId: backupId, NeverExpires: true }));
    } catch (cause) {
      throw apiFailure(`ModifyBackupAttributes (NeverExpires) of ${backupId}`, clusterId, cause);
    }
  }

  async #copy(clusterId: string, backupId: string): Promise<string[]> {
    const region = this.#recoveryRegion;
    if (region === null) return [];
    try {
      await this.#client.send(
        new CopyBackupToRegionCommand({ DestinationRegion: region, BackupId: backupId }),
      );
    } catch (cause) {
      throw apiFailure(`CopyBackupToRegion of ${backupId} to ${region}`, clusterId, cause);
    }
    return [region];
  }
}

function readyBackup(backup: Backup): ReadyBackup | null {
  if (backup.BackupState !== 'READY' || !backup.BackupId || !backup.CreateTimestamp) return null;
  const createdAt = new Date(backup.CreateTimestamp);
  return Number.isNaN(createdAt.getTime()) ? null : { backupId: backup.BackupId, createdAt };
}

function parseWriteTime(lastWriteAt: string | null): Date | null {
  if (lastWriteAt === null) return null;
  const at = new Date(lastWriteAt);
  if (Number.isNaN(at.getTime())) {
    throw new InvalidInputError(`backup request: lastWriteAt '${lastWriteAt}' is not an ISO date-time`);
  }
  return at;
}

function apiFailure(operation: string, clusterId: string, cause: unknown): BackupError {
  const name = cause instanceof Error ? cause.name : 'Error';
  return new BackupError(
    `${operation} for cluster ${clusterId} failed (${name}): check the role may call cloudhsm:DescribeBackups, ` +
      'ModifyBackupAttributes and CopyBackupToRegion, then run again',
    { cause, context: { clusterId, awsError: name } },
  );
}
