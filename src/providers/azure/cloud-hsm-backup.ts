/**
 * Azure Cloud HSM backups: `POST …/cloudHsmClusters/<name>/backup` with the configured blob
 * container, then follow the asynchronous operation (Azure-AsyncOperation, else Location,
 * else `…/backupOperationStatus/<jobId>`) until `properties.status` is Succeeded, Failed or
 * Cancelled, honouring Retry-After, within a bounded time.
 *
 * Never silent: anything other than Succeeded (a failure, a cancel, a poll that ran out of
 * time, an ARM error) comes back as state 'failed' with the detail, which the alert step
 * turns into a critical `backup` item.
 *
 * When does a run ask for a backup? `mode`:
 * - 'after-write' (default): only when the run wrote to the cluster (`lastWriteAt` set):
 *   the repaired state is what must be covered. A run that wrote nothing reports 'skipped'
 *   with the reason (Azure has no API here to list backups and judge their age).
 * - 'always': every run that is not a dry run (a scheduled backup riding on the audit).
 * - 'never': backups are someone else's job; every run reports 'skipped'.
 */
import { InvalidInputError } from '#core/errors.ts';
import type { BackupStatus } from '#core/report.ts';
import type { BackupProvider, BackupRequest } from '../cluster-provider.ts';
import type { ArmClient } from './arm-client.ts';
import { parseClusterId } from './cluster-id.ts';
import { messageOf, realSleep, type Sleep } from './http-retry.ts';

export const BACKUP_MODES = ['after-write', 'always', 'never'] as const;
export type BackupMode = (typeof BACKUP_MODES)[number];

export const BACKUP_STATUSES = ['InProgress', 'Succeeded', 'Failed', 'Cancelled'] as const;

/** The `backupOperationStatus` shape, and the generic Azure-AsyncOperation shape beside it. */
export interface BackupOperationBody {
  id?: string;
  name?: string;
  /** Generic async-operation status (Azure-AsyncOperation documents). */
  status?: string;
  error?: { code?: string; message?: string };
  properties?: {
    jobId?: string;
    status?: string;
    statusDetails?: string;
    startTime?: string;
    endTime?: string;
    backupId?: string;
    azureStorageBlobContainerUri?: string;
  };
}

export interface AzureBackupOptions {
  arm: ArmClient;
  /**
   * `https://<account>.blob.core.windows.net/<container>`: where the cluster writes its
   * backup. Null only with mode 'never'.
   */
  blobContainerUri: string | null;
  mode?: BackupMode;
  /** Give up following the operation after this long (default 20 min). */
  pollTimeoutMs?: number;
  /** Wait between polls when ARM gives no Retry-After (default 15 s). */
  pollIntervalMs?: number;
  sleep?: Sleep;
  clock?: () => Date;
}

const DEFAULTS = { mode: 'after-write' as BackupMode, pollTimeoutMs: 20 * 60_000, pollIntervalMs: 15_000 };

export class AzureCloudHsmBackupProvider implements BackupProvider {
  readonly #arm: ArmClient;
  readonly #container: string | null;
  readonly #mode: BackupMode;
  readonly #pollTimeoutMs: number;
  readonly #pollIntervalMs: number;
  readonly #sleep: Sleep;
  readonly #clock: () => Date;

  constructor(options: AzureBackupOptions) {
    this.#arm = options.arm;
    this.#mode = options.mode ?? DEFAULTS.mode;
    if (options.blobContainerUri === null && this.#mode !== 'never') {
      throw new InvalidInputError(`backup mode '${this.#mode}' needs the blob container to back up to`);
    }
    this.#container = options.blobContainerUri === null ? null : checkContainerUri(options.blobContainerUri);
    this.#pollTimeoutMs = options.pollTimeoutMs ?? DEFAULTS.pollTimeoutMs;
    this.#pollIntervalMs = options.pollIntervalMs ?? DEFAULTS.pollIntervalMs;
    this.#sleep = options.sleep ?? realSleep;
    this.#clock = options.clock ?? (() => new Date());
  }

  async protect(request: BackupRequest): Promise<BackupStatus> {
    const skip = this.#skipReason(request);
    const container = this.#container;
    if (skip || container === null) return status('skipped', { detail: skip ?? 'no backup container' });
    const id = parseClusterId(request.cluster.clusterId);
    const started = this.#clock().getTime();
    const elapsed = () => this.#clock().getTime() - started;
    try {
      const accepted = await this.#arm.post<BackupOperationBody>(`${id.id}/backup`, {
        azureStorageBlobContainerUri: container,
      });
      let body = accepted.body;
      let wait = accepted.retryAfterMs;
      const done = finalStatus(body);
      if (accepted.status !== 202 && done) return this.#report(done, body, container, elapsed());
      const operation = operationUrl(accepted.headers, body, id.id);
      if (!operation) {
        return status('failed', {
          detail: `ARM accepted the backup of ${id.name} (${accepted.status}) but named no operation to follow (no Azure-AsyncOperation or Location header, no jobId): check the cluster's backups by hand`,
          durationMs: elapsed(),
        });
      }
      for (;;) {
        const pause = Math.max(0, wait ?? this.#pollIntervalMs);
        if (elapsed() + pause > this.#pollTimeoutMs) {
          const jobId = body?.properties?.jobId;
          return status('failed', {
            detail: `backup of ${id.name} still ${runningState(body)} after ${Math.round(elapsed() / 1000)} s (limit ${Math.round(this.#pollTimeoutMs / 1000)} s)${jobId ? `, job ${jobId}` : ''}: the state after this run is not known to be covered; check ${operation.label}`,
            durationMs: elapsed(),
          });
        }
        await this.#sleep(pause);
        const polled = await this.#arm.get<BackupOperationBody>(operation.url);
        body = polled.body ?? body;
        wait = polled.retryAfterMs;
        const final = finalStatus(polled.body);
        if (final) return this.#report(final, polled.body, container, elapsed());
      }
    } catch (error) {
      return status('failed', {
        detail: `backup of ${id.name} to ${container} could not be run: ${error instanceof Error ? `${error.name}: ` : ''}${messageOf(error)}`,
        durationMs: elapsed(),
      });
    }
  }

  #skipReason(request: BackupRequest): string | null {
    if (this.#mode === 'never') return 'backups are not requested by hsm-sentinel (BACKUP_MODE=never)';
    if (request.policy.dryRun) return 'dry run: no backup requested';
    if (this.#mode === 'after-write' && request.lastWriteAt === null) {
      return 'this run wrote nothing, so no backup was requested (BACKUP_MODE=after-write; set always to back up every run)';
    }
    return null;
  }

  #report(
    final: string,
    body: BackupOperationBody | null,
    container: string,
    durationMs: number,
  ): BackupStatus {
    const p = body?.properties;
    const backupId = p?.backupId ?? null;
    if (final === 'Succeeded') {
      return status('covered', {
        backupId,
        createdAt: p?.endTime ?? this.#clock().toISOString(),
        detail: `backup ${backupId ?? '(no id returned)'} written to ${container} in ${Math.round(durationMs / 1000)} s`,
        durationMs,
      });
    }
    const details = p?.statusDetails ?? body?.error?.message ?? 'no details given';
    return status('failed', {
      backupId,
      detail: `backup ${final}${p?.jobId ? ` (job ${p.jobId})` : ''}: ${details}`,
      durationMs,
    });
  }
}

function status(
  state: BackupStatus['state'],
  fields: Partial<Omit<BackupStatus, 'state'>> & { detail: string },
): BackupStatus {
  const out: BackupStatus = {
    state,
    backupId: fields.backupId ?? null,
    createdAt: fields.createdAt ?? null,
    detail: fields.detail,
    kept: [],
    copiedTo: [],
  };
  if (fields.durationMs !== undefined) out.durationMs = fields.durationMs;
  return out;
}

/** 'Succeeded' | 'Failed' | 'Cancelled' once the operation has ended, null while it runs. */
export function finalStatus(body: BackupOperationBody | null): string | null {
  const raw = body?.properties?.status ?? body?.status;
  if (!raw) return null;
  const value = raw.toLowerCase();
  if (value === 'succeeded') return 'Succeeded';
  if (value === 'failed') return 'Failed';
  if (value === 'cancelled' || value === 'canceled') return 'Cancelled';
  return null;
}

function runningState(body: BackupOperationBody | null): string {
  return body?.properties?.status ?? body?.status ?? 'InProgress';
}

/** Which URL to poll: Azure-AsyncOperation, else Location, else …/backupOperationStatus/{jobId}. */
export function operationUrl(
  headers: Headers,
  body: BackupOperationBody | null,
  clusterId: string,
): { url: string; label: string } | null {
  const header = headers.get('azure-asyncoperation') ?? headers.get('location');
  if (header) {
    let label = header;
    try {
      label = new URL(header).pathname;
    } catch {
      // Not absolute: the ARM client refuses it with a clear error when it is polled.
    }
    return { url: header, label };
  }
  const jobId = body?.properties?.jobId;
  if (jobId) {
    const path = `${clusterId}/backupOperationStatus/${encodeURIComponent(jobId)}`;
    return { url: path, label: path };
  }
  return null;
}

function checkContainerUri(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch (cause) {
    throw new InvalidInputError(`backup container '${value}' is not a URL`, { cause });
  }
  if (url.protocol !== 'https:' || url.pathname.split('/').filter(Boolean).length !== 1 || url.search) {
    throw new InvalidInputError(
      `backup container '${value}' must be https://<account>.blob.core.windows.net/<container> (no path below the container, no SAS)`,
    );
  }
  return value.replace(/\/+$/, '');
}
