/**
 * The Functions app's settings, read once per process through typed readers that throw a
 * ConfigurationError naming the setting and what it should hold. docs/deploy-azure.md
 * lists every one of them.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigurationError, InvalidInputError } from '#core/errors.ts';
import { DEFAULT_POLICY, type Policy } from '#core/model.ts';
import { resolvePolicy } from '#core/policy.ts';
import { BACKUP_MODES, type BackupMode } from '#providers/azure/cloud-hsm-backup.ts';
import { parseClusterId } from '#providers/azure/cluster-id.ts';
import { type Env, settingsReader } from '#workflow/settings.ts';

export type { Env };

export const SETTING_NAMES = {
  clusterIds: 'HSM_SENTINEL_CLUSTER_IDS',
  schedule: 'HSM_SENTINEL_SCHEDULE',
  policy: 'HSM_SENTINEL_POLICY',
  artifactContainer: 'REPORT_CONTAINER_URL',
  backupContainer: 'BACKUP_CONTAINER_URI',
  backupMode: 'BACKUP_MODE',
  backupPollTimeout: 'BACKUP_POLL_TIMEOUT_SECONDS',
  backupPollInterval: 'BACKUP_POLL_INTERVAL_SECONDS',
  alertTopicArn: 'ALERT_TOPIC_ARN',
  alertWindowHours: 'ALERT_WINDOW_HOURS',
  coUser: 'HSM_CO_USER',
  coPassword: 'HSM_CO_PASSWORD',
  versionOfPassword: 'HSM_CO_PASSWORD_VERSION',
  coPasswordSecretUri: 'HSM_CO_PASSWORD_SECRET_URI',
  tool: 'HSM_SENTINEL_TOOL',
  toolWorkDir: 'TOOL_WORKDIR',
} as const;

/** The work folder's setting before tools other than mgmt-util existed: still read. */
const LEGACY_TOOL_WORKDIR = 'MGMT_UTIL_WORKDIR';

/** Under host.json's functionTimeout of 00:30:00, with a minute for the rest of the activity. */
export const MAX_BACKUP_POLL_SECONDS = 29 * 60;

/** Every 6 hours, on the hour (NCRONTAB: second minute hour day month day-of-week). */
export const DEFAULT_SCHEDULE = '0 0 */6 * * *';

/** What the starters (timer, HTTP) need: which clusters, when, under which policy. */
export interface RunSettings {
  clusterIds: string[];
  schedule: string;
  policy: Policy;
}

/** What the activities need to build their dependencies. */
export interface WorkerSettings {
  artifactContainerUrl: string;
  backup: {
    mode: BackupMode;
    containerUri: string | null;
    pollTimeoutMs: number;
    pollIntervalMs: number;
  };
  alertTopicArn: string;
  alertWindowMs: number;
  /** Names of the settings holding the CO user and password (read at each login, never kept). */
  credentials: { usernameVariable: string; passwordVariable: string; versionVariable: string };
  /**
   * The Key Vault secret holding the CO password, read with the app's identity so its version
   * is known (the lockout guard's key); null: the password setting (a Key Vault reference).
   */
  passwordSecretUri: string | null;
  /** A tool id that overrides the registry's default for Azure; null: the default. */
  tool: string | null;
  /** Where the tool writes its per-call config files. */
  toolWorkDir: string;
}

export function readRunSettings(env: Env): RunSettings {
  return {
    clusterIds: readClusterIds(env),
    schedule: readSchedule(env),
    policy: readPolicy(env),
  };
}

export function readWorkerSettings(env: Env): WorkerSettings {
  const mode = readEnum(env, SETTING_NAMES.backupMode, BACKUP_MODES, 'after-write');
  const containerUri = optional(env, SETTING_NAMES.backupContainer);
  if (mode !== 'never' && containerUri === null) {
    throw new ConfigurationError(
      `app setting ${SETTING_NAMES.backupContainer} is not set: the blob container the Cloud HSM cluster writes its backups to ` +
        `(https://<account>.blob.core.windows.net/<container>); or set ${SETTING_NAMES.backupMode}=never`,
    );
  }
  return {
    artifactContainerUrl: required(
      env,
      SETTING_NAMES.artifactContainer,
      'the blob container for run artifacts and reports (https://<account>.blob.core.windows.net/<container>)',
    ),
    backup: {
      mode,
      containerUri,
      // Protect runs inside one activity: host.json's functionTimeout (30 min) bounds the poll,
      // so a longer setting would end as a host timeout instead of a reported failed backup.
      pollTimeoutMs: readInt(env, SETTING_NAMES.backupPollTimeout, 1200, 30, MAX_BACKUP_POLL_SECONDS) * 1000,
      pollIntervalMs: readInt(env, SETTING_NAMES.backupPollInterval, 15, 1, 600) * 1000,
    },
    alertTopicArn: readTopicArn(env),
    alertWindowMs: readInt(env, SETTING_NAMES.alertWindowHours, 24, 0, 24 * 30) * 3600 * 1000,
    credentials: {
      usernameVariable: SETTING_NAMES.coUser,
      passwordVariable: SETTING_NAMES.coPassword,
      versionVariable: SETTING_NAMES.versionOfPassword,
    },
    passwordSecretUri: optional(env, SETTING_NAMES.coPasswordSecretUri),
    tool: optional(env, SETTING_NAMES.tool),
    toolWorkDir:
      optional(env, SETTING_NAMES.toolWorkDir) ??
      optional(env, LEGACY_TOOL_WORKDIR) ??
      join(tmpdir(), 'hsm-sentinel'),
  };
}

/** Comma, semicolon or whitespace separated ARM ids; each one checked. */
export function readClusterIds(env: Env): string[] {
  const name = SETTING_NAMES.clusterIds;
  const raw = required(env, name, 'the ARM resource ids of the Cloud HSM clusters to watch, comma-separated');
  const ids = raw.split(/[\s,;]+/).filter((part) => part !== '');
  const checked = ids.map((id) => {
    try {
      return parseClusterId(id).id;
    } catch (cause) {
      throw new ConfigurationError(`app setting ${name}: ${(cause as Error).message}`, { cause });
    }
  });
  const seen = new Set<string>();
  for (const id of checked) {
    if (seen.has(id.toLowerCase()))
      throw new ConfigurationError(`app setting ${name}: ${id} is listed twice`);
    seen.add(id.toLowerCase());
  }
  return checked;
}

/** NCRONTAB with six fields (the Functions timer format). */
export function readSchedule(env: Env): string {
  const name = SETTING_NAMES.schedule;
  const value = optional(env, name) ?? DEFAULT_SCHEDULE;
  if (value.split(/\s+/).length !== 6 && !/^\d{1,2}:\d{2}:\d{2}$/.test(value)) {
    throw new ConfigurationError(
      `app setting ${name}: '${value}' is not an NCRONTAB expression of 6 fields (second minute hour day month day-of-week), e.g. ${DEFAULT_SCHEDULE}`,
    );
  }
  return value;
}

/** `HSM_SENTINEL_POLICY`: JSON overrides of the default policy, e.g. `{"maxActionsPerRun":20}`. */
export function readPolicy(env: Env): Policy {
  const name = SETTING_NAMES.policy;
  const raw = optional(env, name);
  if (raw === null) return resolvePolicy(undefined, DEFAULT_POLICY);
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch (cause) {
    throw new ConfigurationError(`app setting ${name} is not JSON (expected e.g. {"maxActionsPerRun":20})`, {
      cause,
    });
  }
  try {
    return resolvePolicy(parsed, DEFAULT_POLICY);
  } catch (cause) {
    if (cause instanceof InvalidInputError) {
      throw new ConfigurationError(`app setting ${name}: ${cause.message}`, { cause });
    }
    throw cause;
  }
}

function readTopicArn(env: Env): string {
  const name = SETTING_NAMES.alertTopicArn;
  const value = required(
    env,
    name,
    'the SNS topic the alerts are published to (arn:aws:sns:<region>:<account>:<topic>)',
  );
  if (!/^arn:aws[\w-]*:sns:[a-z0-9-]+:\d{12}:[\w-]{1,256}$/.test(value)) {
    throw new ConfigurationError(`app setting ${name}: '${value}' is not an SNS topic ARN`);
  }
  return value;
}

const reader = (env: Env) => settingsReader(env, 'app setting');

export function required(env: Env, name: string, meaning: string): string {
  return reader(env).required(name, meaning);
}

export function optional(env: Env, name: string): string | null {
  return reader(env).optional(name);
}

export function readInt(env: Env, name: string, fallback: number, min: number, max: number): number {
  return reader(env).number(name, fallback, { min, max, integer: true });
}

export function readEnum<T extends string>(env: Env, name: string, values: readonly T[], fallback: T): T {
  return reader(env).oneOf(name, values, fallback);
}
