/**
 * The Lambda functions' settings (docs/CONTRACTS-aws.md), through the one settings reader:
 * each read once at cold start; a missing or malformed variable is a ConfigurationError
 * naming it and what it should hold. The node-access tool's own variables (its binary path,
 * options) are read by its tool module.
 */
import { DEFAULT_RUN_LOCK_LEASE_HOURS } from '#store/run-lock.ts';
import { type Env, settingsReader } from '#workflow/settings.ts';

export type { Env };

export const DEFAULT_ALERT_WINDOW_HOURS = 24;

const reader = (env: Env) => settingsReader(env, 'environment variable');

export const readEnv = {
  reportBucket: (env: Env) =>
    reader(env).required('REPORT_BUCKET', 'the S3 bucket for inventories, plans and reports'),
  alertTopicArn: (env: Env) =>
    reader(env).required('ALERT_TOPIC_ARN', 'the SNS topic ARN alerts are published to'),
  stateTable: (env: Env) =>
    reader(env).required('STATE_TABLE', 'the DynamoDB table of the alert dedup memory and the run locks'),
  /** Optional: the run lock's lease in hours (default 6, longer than the state machine's 4-hour timeout). */
  runLockLeaseHours: (env: Env): number =>
    reader(env).number('RUN_LOCK_LEASE_HOURS', DEFAULT_RUN_LOCK_LEASE_HOURS, { min: Number.MIN_VALUE }),
  alertWindowHours: (env: Env): number =>
    reader(env).number('ALERT_WINDOW_HOURS', DEFAULT_ALERT_WINDOW_HOURS, { min: 0 }),
  coSecretArn: (env: Env) =>
    reader(env).required(
      'CO_SECRET_ARN',
      'the Secrets Manager secret {"username","password","role"?} of the CO',
    ),
  /** Optional: a tool id that overrides the pick by HsmType (src/drivers/registry.ts). */
  tool: (env: Env) => reader(env).optional('HSM_SENTINEL_TOOL'),
  operatorConfigSsm: (env: Env) => reader(env).optional('OPERATOR_CONFIG_SSM'),
  recoveryRegion: (env: Env) => reader(env).optional('RECOVERY_REGION'),
  stateMachineArn: (env: Env) =>
    reader(env).required('STATE_MACHINE_ARN', 'the ARN of the audit-and-sync state machine'),
  /** The clusters the trigger may start runs for (comma-separated). */
  clusterIds: (env: Env): string[] =>
    reader(env).list('CLUSTER_IDS', 'the comma-separated cluster ids this deployment looks after'),
  /** Whether scheduled and scaling runs only plan (default true, the safe side). */
  dryRunDefault: (env: Env) => reader(env).boolean('DRY_RUN_DEFAULT', true),
};
