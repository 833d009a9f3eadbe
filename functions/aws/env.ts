/**
 * Typed readers of the Lambda functions' environment (docs/CONTRACTS-aws.md). Each reads
 * one variable, once at cold start, and throws a ConfigurationError naming the variable
 * and what it should hold when it is missing or malformed.
 */
import { ConfigurationError } from '#core/errors.ts';
import { DIALECTS, type Dialect } from '#core/model.ts';
import { DEFAULT_RUN_LOCK_LEASE_HOURS } from '#store/dynamodb-run-lock.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export const DEFAULT_MGMT_UTIL_PATH = '/opt/cloudhsm/bin/cloudhsm_mgmt_util';
export const DEFAULT_ALERT_WINDOW_HOURS = 24;

function required(env: Env, name: string, meaning: string): string {
  const value = env[name]?.trim();
  if (!value)
    throw new ConfigurationError(`environment variable ${name} is not set: it must hold ${meaning}`);
  return value;
}

function optional(env: Env, name: string): string | null {
  const value = env[name]?.trim();
  return value ? value : null;
}

function booleanOf(env: Env, name: string, fallback: boolean): boolean {
  const value = optional(env, name);
  if (value === null) return fallback;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new ConfigurationError(`environment variable ${name} is '${value}': expected true or false`);
}

export const readEnv = {
  reportBucket: (env: Env) =>
    required(env, 'REPORT_BUCKET', 'the S3 bucket for inventories, plans and reports'),
  alertTopicArn: (env: Env) => required(env, 'ALERT_TOPIC_ARN', 'the SNS topic ARN alerts are published to'),
  stateTable: (env: Env) =>
    required(env, 'STATE_TABLE', 'the DynamoDB table of the alert dedup memory and the run locks'),
  /** Optional: the run lock's lease in hours (default 6, longer than the state machine's 4-hour timeout). */
  runLockLeaseHours: (env: Env): number => {
    const value = optional(env, 'RUN_LOCK_LEASE_HOURS');
    if (value === null) return DEFAULT_RUN_LOCK_LEASE_HOURS;
    const hours = Number(value);
    if (!Number.isFinite(hours) || hours <= 0) {
      throw new ConfigurationError(
        `environment variable RUN_LOCK_LEASE_HOURS is '${value}': expected hours > 0`,
      );
    }
    return hours;
  },
  alertWindowHours: (env: Env): number => {
    const value = optional(env, 'ALERT_WINDOW_HOURS');
    if (value === null) return DEFAULT_ALERT_WINDOW_HOURS;
    const hours = Number(value);
    if (!Number.isFinite(hours) || hours < 0) {
      throw new ConfigurationError(
        `environment variable ALERT_WINDOW_HOURS is '${value}': expected hours >= 0`,
      );
    }
    return hours;
  },
  coSecretArn: (env: Env) =>
    required(
      env,
      'CO_SECRET_ARN',
      'the Secrets Manager secret {"username","password","userType"?} of the CO',
    ),
  mgmtUtilDialect: (env: Env): Dialect => {
    const value = required(env, 'MGMT_UTIL_DIALECT', `the mgmt-util dialect (${DIALECTS.join(' or ')})`);
    if (!(DIALECTS as readonly string[]).includes(value)) {
      throw new ConfigurationError(
        `environment variable MGMT_UTIL_DIALECT is '${value}': expected ${DIALECTS.join(' or ')}`,
      );
    }
    return value as Dialect;
  },
  mgmtUtilPath: (env: Env) => optional(env, 'MGMT_UTIL_PATH') ?? DEFAULT_MGMT_UTIL_PATH,
  keyDetails: (env: Env) => booleanOf(env, 'KEY_DETAILS', false),
  operatorConfigSsm: (env: Env) => optional(env, 'OPERATOR_CONFIG_SSM'),
  recoveryRegion: (env: Env) => optional(env, 'RECOVERY_REGION'),
  stateMachineArn: (env: Env) =>
    required(env, 'STATE_MACHINE_ARN', 'the ARN of the audit-and-sync state machine'),
  /** Not in the contract table yet: the clusters the trigger may start runs for (comma-separated). */
  clusterIds: (env: Env): string[] => {
    const ids = required(env, 'CLUSTER_IDS', 'the comma-separated cluster ids this deployment looks after')
      .split(',')
      .map((id) => id.trim())
      .filter((id) => id !== '');
    if (ids.length === 0)
      throw new ConfigurationError('environment variable CLUSTER_IDS lists no cluster id');
    return ids;
  },
  /** Not in the contract table yet: whether scheduled and scaling runs only plan (default true, the safe side). */
  dryRunDefault: (env: Env) => booleanOf(env, 'DRY_RUN_DEFAULT', true),
};
