/**
 * The Lambda functions of the state machine's steps, one per step of the workflow's list
 * (src/workflow/steps/index.ts). What each one needs comes from the ports its step declares:
 * - every step: the report bucket (REPORT_BUCKET) and, by what it does with artifacts, S3
 *   under `runs/` only;
 * - `provider`: DescribeClusters (and the operator's config parameter, when one is set);
 * - `metrics`: CloudWatch GetMetricData (the per-HSM AWS/CloudHSM counts);
 * - `nodes`: the node-access container image in the cluster's VPC, the CO secret (and the SDK 5
 *   crypto users' secrets), the tool settings, and the refused-credential memory (`refused#`
 *   items of the state table);
 * - `backup`: DescribeBackups, ModifyBackupAttributes (+ CopyBackupToRegion);
 * - `alerts`: the topic and its key, the alert memory (`alert#` items) and the release of the
 *   run lock (`lock#` items).
 */
import { Aws, type Duration, Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import type { IRepository } from 'aws-cdk-lib/aws-ecr';
import type { Role } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { type StepName, WORKFLOW_STEPS, type WorkflowStep } from '#workflow/steps/index.ts';
import type { SentinelConfig } from '../config.ts';
import { acknowledge } from '../nag.ts';
import type { AlertTopic } from './alert-topic.ts';
import { BundledFunction } from './bundled-function.ts';
import type { VpcPlacement } from './execution-identity.ts';
import { allow, onItemKeys } from './grant.ts';
import { NodeAccessFunction } from './node-access-function.ts';
import { type ReportBucket, RUNS_PREFIX } from './report-bucket.ts';

/** Partition keys of the state table's items, by the port that reads or writes them. */
export const STATE_TABLE_KEYS = {
  runLock: 'lock#*',
  alertMemory: 'alert#*',
  refusedCredentials: 'refused#*',
} as const;

/** What only the deployment says of a step: its description, memory, and what it does with artifacts. */
interface StepProfile {
  description: string;
  memorySize: number;
  artifacts: 'none' | 'write' | 'read-write';
}

const STEP_PROFILES: Readonly<Record<StepName, StepProfile>> = {
  Resolve: {
    description: 'hsm-sentinel Resolve: the authoritative node list (DescribeClusters)',
    memorySize: 512,
    artifacts: 'none',
  },
  CollectNode: {
    description: "hsm-sentinel CollectNode: one node's inventory through the cluster's tool",
    memorySize: 1024,
    artifacts: 'write',
  },
  CollectCluster: {
    description:
      'hsm-sentinel CollectCluster: the whole cluster at once through a cluster-wide tool (SDK 5 cloudhsm-cli)',
    // 28 HSMs x 16,666 keys: the key pages parsed and joined, the listing written once.
    memorySize: 2048,
    artifacts: 'write',
  },
  MarkUnreadable: {
    description: 'hsm-sentinel MarkUnreadable: records a node as unknown, never empty',
    memorySize: 256,
    artifacts: 'write',
  },
  Audit: {
    description: 'hsm-sentinel Audit: presence matrix, findings and the additive plan',
    memorySize: 1024,
    artifacts: 'read-write',
  },
  Sync: {
    description: 'hsm-sentinel Sync: re-checks membership, runs the additive plan',
    memorySize: 1024,
    artifacts: 'read-write',
  },
  Verify: {
    description: 'hsm-sentinel Verify: reads every node again',
    memorySize: 1024,
    artifacts: 'read-write',
  },
  Protect: {
    description: 'hsm-sentinel Protect: keeps (and copies) the backup covering the verified state',
    memorySize: 256,
    artifacts: 'none',
  },
  Alert: {
    description: 'hsm-sentinel Alert: report, one deduplicated SNS alert, run metrics',
    memorySize: 512,
    artifacts: 'read-write',
  },
};

export interface SentinelStepsProps {
  config: SentinelConfig;
  /** The function timeout of a step, from its Task's TimeoutSeconds in the ASL. */
  timeoutOf(step: WorkflowStep): Duration;
  logRetention: RetentionDays;
  commonEnvironment: Record<string, string>;
  reports: ReportBucket;
  stateTable: Table;
  alertTopic: AlertTopic;
  placement: VpcPlacement;
  image: { repository: IRepository; tagOrDigest: string };
}

/** A step's function and its role. */
export interface StepFunction {
  step: WorkflowStep;
  function: IFunction;
  role: Role;
}

const DESCRIBE_CLUSTERS_REASON = 'cloudhsm:DescribeClusters (a list action: no resource-level permissions)';
const DESCRIBE_BACKUPS_REASON = 'cloudhsm:DescribeBackups (a list action: no resource-level permissions)';
const GET_METRIC_DATA_REASON =
  'cloudwatch:GetMetricData (the AWS/CloudHSM per-HSM counts; CloudWatch offers no resource-level permissions for it)';
/** Where the node-access image links the SDK 5 CLI's default config path (infra/node-access-image/Dockerfile). */
export const CLOUDHSM_CLI_CONFIG_LINK_TARGET = '/tmp/hsm-sentinel/cloudhsm-cli.cfg';

export class SentinelSteps extends Construct {
  /** By handler name (`collect-node`), in the order of the step list. */
  readonly functions: ReadonlyMap<string, StepFunction>;

  constructor(scope: Construct, id: string, props: SentinelStepsProps) {
    super(scope, id);
    const built = new Map<string, StepFunction>();
    for (const step of WORKFLOW_STEPS as readonly WorkflowStep[])
      built.set(step.handler, this.#function(step, props));
    this.functions = built;
    for (const fn of built.values()) this.#grant(fn, props);
  }

  /** The function of a step, by handler name. */
  of(handler: string): StepFunction {
    const fn = this.functions.get(handler);
    if (!fn) throw new Error(`hsm-sentinel infra: no step function '${handler}'`);
    return fn;
  }

  #function(step: WorkflowStep, props: SentinelStepsProps): StepFunction {
    const cfg = props.config;
    const profile = STEP_PROFILES[step.name as StepName];
    const uses = (port: WorkflowStep['ports'][number]) => step.ports.includes(port);
    const environment: Record<string, string> = {
      ...props.commonEnvironment,
      REPORT_BUCKET: props.reports.bucket.bucketName,
      ...(uses('provider') && cfg.operatorConfigSsmParameter
        ? { OPERATOR_CONFIG_SSM: cfg.operatorConfigSsmParameter }
        : {}),
      ...(uses('nodes')
        ? {
            CO_SECRET_ARN: cfg.coSecretArn,
            STATE_TABLE: props.stateTable.tableName,
            // The tools' own settings (src/drivers/*: each module reads its variables).
            MGMT_UTIL_PATH: cfg.mgmtUtilPath,
            KEY_DETAILS: String(cfg.keyDetails),
            CLOUDHSM_CLI_PATH: cfg.cloudHsmCliPath,
            CLOUDHSM_CLI_CRYPTO_USERS: cfg.cryptoUsers.join(','),
            CLOUDHSM_CLI_USER_SECRETS: JSON.stringify(cfg.cryptoUserSecrets),
            // The image links /opt/cloudhsm/etc/cloudhsm-cli.cfg here (a CLI that ignores --config).
            CLOUDHSM_CLI_CONFIG_COPY: CLOUDHSM_CLI_CONFIG_LINK_TARGET,
          }
        : {}),
      ...(uses('backup') && cfg.recoveryRegion ? { RECOVERY_REGION: cfg.recoveryRegion } : {}),
      ...(uses('alerts')
        ? {
            ALERT_TOPIC_ARN: props.alertTopic.topic.topicArn,
            STATE_TABLE: props.stateTable.tableName,
            ALERT_WINDOW_HOURS: String(cfg.alertWindowHours),
          }
        : {}),
    };
    const wildcardResourceReasons = [
      ...(uses('provider') ? [DESCRIBE_CLUSTERS_REASON] : []),
      ...(uses('metrics') ? [GET_METRIC_DATA_REASON] : []),
      ...(uses('backup') ? [DESCRIBE_BACKUPS_REASON] : []),
    ];
    const common = {
      handlerName: step.handler,
      description: profile.description,
      timeout: props.timeoutOf(step),
      memorySize: profile.memorySize,
      environment,
      logRetention: props.logRetention,
      wildcardResourceReasons,
    };
    const id = pascal(step.handler);
    const made = uses('nodes')
      ? new NodeAccessFunction(this, id, {
          ...common,
          image: { ...props.image, architecture: cfg.nodeAccessImageArchitecture },
          placement: props.placement,
        })
      : new BundledFunction(this, id, common);
    return { step, function: made.function, role: made.role };
  }

  #grant(fn: StepFunction, props: SentinelStepsProps): void {
    const { step, role } = fn;
    const cfg = props.config;
    const table = props.stateTable.tableArn;
    const profile = STEP_PROFILES[step.name as StepName];

    if (profile.artifacts !== 'none') {
      const bucket = props.reports.bucket;
      allow(
        role,
        'RunArtifacts',
        profile.artifacts === 'write' ? ['s3:PutObject'] : ['s3:GetObject', 's3:PutObject'],
        [`${bucket.bucketArn}/${RUNS_PREFIX}*`],
      );
      acknowledge(
        role,
        `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(bucket.node.defaultChild as CfnBucket)}.Arn>/${RUNS_PREFIX}*]`,
        `Run artifacts are objects under ${RUNS_PREFIX}<runId>/ whose keys are made per run; access is limited to that prefix of the one report bucket`,
      );
    }
    if (step.ports.includes('provider')) {
      allow(role, 'DescribeClusters', ['cloudhsm:DescribeClusters'], ['*']);
      if (cfg.operatorConfigSsmParameter) {
        const name = cfg.operatorConfigSsmParameter.replace(/^\//, '');
        allow(
          role,
          'ReadOperatorConfig',
          ['ssm:GetParameter'],
          [`arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter/${name}`],
        );
      }
    }
    if (step.ports.includes('metrics')) {
      allow(role, 'ReadHsmMetrics', ['cloudwatch:GetMetricData'], ['*']);
    }
    if (step.ports.includes('nodes')) {
      allow(role, 'ReadCoCredentials', ['secretsmanager:GetSecretValue'], [cfg.coSecretArn]);
      const userSecrets = [...new Set(Object.values(cfg.cryptoUserSecrets))];
      if (userSecrets.length > 0) {
        // SDK 5: the crypto users' (and re-created users') own secrets, named one by one.
        allow(role, 'ReadCryptoUserSecrets', ['secretsmanager:GetSecretValue'], userSecrets);
      }
      if (cfg.coSecretKmsKeyArn) {
        allow(role, 'DecryptCoCredentials', ['kms:Decrypt'], [cfg.coSecretKmsKeyArn], {
          StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` },
        });
      }
      // The lockout guard's memory: a refused secret version is never sent again.
      allow(
        role,
        'RefusedCredentialMemory',
        ['dynamodb:GetItem', 'dynamodb:PutItem'],
        [table],
        onItemKeys(STATE_TABLE_KEYS.refusedCredentials),
      );
    }
    if (step.ports.includes('backup')) {
      allow(role, 'DescribeBackups', ['cloudhsm:DescribeBackups'], ['*']);
      allow(
        role,
        'KeepAndCopyBackups',
        ['cloudhsm:ModifyBackupAttributes', ...(cfg.recoveryRegion ? ['cloudhsm:CopyBackupToRegion'] : [])],
        [`arn:${Aws.PARTITION}:cloudhsm:${Aws.REGION}:${Aws.ACCOUNT_ID}:backup/*`],
      );
      acknowledge(
        role,
        'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudhsm:<AWS::Region>:<AWS::AccountId>:backup/*]',
        'Backups are created by AWS (at least daily and on HSM changes) with ids unknown at deploy time; backup ARNs do not name their cluster, so the account and region are the narrowest scope',
      );
    }
    if (step.ports.includes('alerts')) {
      allow(role, 'PublishAlerts', ['sns:Publish'], [props.alertTopic.topic.topicArn]);
      allow(role, 'UseAlertTopicKey', ['kms:GenerateDataKey', 'kms:Decrypt'], [props.alertTopic.key.keyArn]);
      allow(
        role,
        'AlertDedupMemory',
        ['dynamodb:GetItem', 'dynamodb:PutItem'],
        [table],
        onItemKeys(STATE_TABLE_KEYS.alertMemory),
      );
      // The run ends in Alert (or FailureAlert): it releases the cluster's run lock.
      allow(role, 'ReleaseRunLock', ['dynamodb:DeleteItem'], [table], onItemKeys(STATE_TABLE_KEYS.runLock));
    }
  }
}

/** `collect-node` → `CollectNode` (construct ids). */
export function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}
