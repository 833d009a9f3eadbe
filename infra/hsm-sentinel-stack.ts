/**
 * The whole hsm-sentinel deployment on AWS, one stack (issue 4, docs/CONTRACTS-aws.md):
 * the audit-and-sync state machine from statemachines/audit-and-sync.asl.json, its ten
 * Lambda functions (three of them in the cluster's VPC from the node-access image), the
 * triggers (schedule, CloudTrail CreateHsm/DeleteHsm, an IAM-authorised Function URL),
 * the data (KMS-encrypted alert topic, report bucket, state table), alarms and a dashboard.
 *
 * Every role is the function's own and names the exact actions and resources it uses; the
 * few `Resource: '*'` left are actions AWS offers no resource-level permissions for, each
 * acknowledged for cdk-nag with its reason. Parameters: infra/config.ts.
 */
import { readFileSync } from 'node:fs';
import { ArnFormat, Aws, CfnOutput, Duration, Fn, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Repository } from 'aws-cdk-lib/aws-ecr';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { PolicyStatement, type Role } from 'aws-cdk-lib/aws-iam';
import { FunctionUrlAuthType, type IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { CfnBucket } from 'aws-cdk-lib/aws-s3';
import {
  type CfnStateMachine,
  DefinitionBody,
  LogLevel,
  StateMachine,
  StateMachineType,
} from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { parseImageUri, type SentinelConfig } from './config.ts';
import { AlertTopic } from './constructs/alert-topic.ts';
import { BundledFunction } from './constructs/bundled-function.ts';
import { NodeAccessFunction } from './constructs/node-access-function.ts';
import { NodeNetwork } from './constructs/node-network.ts';
import { ASL_FILE } from './constructs/paths.ts';
import { ReportBucket, RUNS_PREFIX } from './constructs/report-bucket.ts';
import { METRICS_NAMESPACE, SentinelObservability } from './constructs/sentinel-observability.ts';
import { acknowledge, XRAY_WILDCARD_REASON } from './nag.ts';

/** The Task functions of the state machine, by the name of their ASL substitution. */
export const STEP_SUBSTITUTIONS = {
  ResolveFunctionArn: 'resolve',
  CollectNodeFunctionArn: 'collect-node',
  MarkUnreadableFunctionArn: 'mark-unreadable',
  AuditFunctionArn: 'audit',
  SyncFunctionArn: 'sync',
  VerifyFunctionArn: 'verify',
  ProtectFunctionArn: 'protect',
  AlertFunctionArn: 'alert',
} as const;
export type StepSubstitution = keyof typeof STEP_SUBSTITUTIONS;
export type StepHandlerName = (typeof STEP_SUBSTITUTIONS)[StepSubstitution];
export type HandlerName = StepHandlerName | 'trigger' | 'runbook-url';

const SERVICE_NAME = 'hsm-sentinel';
/** Partition keys of the run locks in the state table (src/store/dynamodb-run-lock.ts). */
export const RUN_LOCK_KEYS = 'lock#*';
/** Lambda's longest timeout. */
const LAMBDA_MAX_SECONDS = 900;

export interface HsmSentinelStackProps extends StackProps {
  config: SentinelConfig;
}

export class HsmSentinelStack extends Stack {
  readonly config: SentinelConfig;
  readonly functions: Record<HandlerName, IFunction>;
  readonly stateMachine: StateMachine;
  readonly alertTopic: AlertTopic;
  readonly reports: ReportBucket;
  readonly stateTable: Table;
  readonly network: NodeNetwork;
  readonly observability: SentinelObservability;

  constructor(scope: Construct, id: string, props: HsmSentinelStackProps) {
    super(scope, id, props);
    const cfg = props.config;
    this.config = cfg;
    const logRetention = retentionAtLeast(cfg.logRetentionDays);
    const asl = readFileSync(ASL_FILE, 'utf8');
    const timeouts = taskTimeouts(asl);

    // ---- data ----
    this.alertTopic = new AlertTopic(this, 'Alerts', { emails: cfg.alertEmails });
    this.reports = new ReportBucket(this, 'Reports', { retentionDays: cfg.reportRetentionDays });
    this.stateTable = new Table(this, 'StateTable', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiresAt',
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    // ---- network and image of the node-access functions ----
    this.network = new NodeNetwork(this, 'Network', {
      vpcId: cfg.vpcId,
      subnetIds: cfg.subnetIds,
      availabilityZones: cfg.availabilityZones,
      hsmSecurityGroupId: cfg.hsmSecurityGroupId,
      manageHsmIngress: cfg.manageHsmIngress,
      createVpcEndpoints: cfg.createVpcEndpoints,
      vpcCidrBlock: cfg.vpcCidrBlock,
    });
    const image = parseImageUri(cfg.nodeAccessImageUri);
    const repository = Repository.fromRepositoryAttributes(this, 'NodeAccessRepository', {
      repositoryArn: `arn:${partitionOf(image.region)}:ecr:${image.region}:${image.account}:repository/${image.repositoryName}`,
      repositoryName: image.repositoryName,
    });

    // ---- environment (docs/CONTRACTS-aws.md) ----
    const common = {
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };
    const withReports = { ...common, REPORT_BUCKET: this.reports.bucket.bucketName };
    const nodeAccessEnv = (keyDetails: boolean) => ({
      ...withReports,
      CO_SECRET_ARN: cfg.coSecretArn,
      MGMT_UTIL_DIALECT: 'aws',
      MGMT_UTIL_PATH: cfg.mgmtUtilPath,
      ...(keyDetails ? { KEY_DETAILS: String(cfg.keyDetails) } : {}),
    });

    const bundled = (
      handlerName: HandlerName,
      description: string,
      timeout: Duration,
      memorySize: number,
      environment: Record<string, string>,
      wildcardResourceReasons: string[] = [],
    ) =>
      new BundledFunction(this, pascal(handlerName), {
        handlerName,
        description,
        timeout,
        memorySize,
        environment,
        logRetention,
        wildcardResourceReasons,
      });
    const nodeAccess = (
      handlerName: StepHandlerName,
      description: string,
      memorySize: number,
      environment: Record<string, string>,
      wildcardResourceReasons: string[] = [],
    ) =>
      new NodeAccessFunction(this, pascal(handlerName), {
        handlerName,
        description,
        image: { repository, tagOrDigest: image.tagOrDigest, architecture: cfg.nodeAccessImageArchitecture },
        placement: this.network.placement,
        timeout: timeouts.of(handlerName),
        memorySize,
        environment,
        logRetention,
        wildcardResourceReasons,
      });

    const DESCRIBE_CLUSTERS_REASON =
      'cloudhsm:DescribeClusters (a list action: no resource-level permissions)';
    const resolve = bundled(
      'resolve',
      'hsm-sentinel Resolve: the authoritative node list (DescribeClusters)',
      timeouts.of('resolve'),
      512,
      {
        ...withReports,
        ...(cfg.operatorConfigSsmParameter ? { OPERATOR_CONFIG_SSM: cfg.operatorConfigSsmParameter } : {}),
      },
      [DESCRIBE_CLUSTERS_REASON],
    );
    const collectNode = nodeAccess(
      'collect-node',
      'hsm-sentinel CollectNode: one node inventory via cloudhsm_mgmt_util',
      1024,
      nodeAccessEnv(true),
    );
    const markUnreadable = bundled(
      'mark-unreadable',
      'hsm-sentinel MarkUnreadable: records a node as unknown, never empty',
      timeouts.of('mark-unreadable'),
      256,
      withReports,
    );
    const audit = bundled(
      'audit',
      'hsm-sentinel Audit: presence matrix, findings and the additive plan',
      timeouts.of('audit'),
      1024,
      withReports,
    );
    const sync = nodeAccess(
      'sync',
      'hsm-sentinel Sync: re-checks membership, runs the additive plan',
      1024,
      nodeAccessEnv(false),
      [DESCRIBE_CLUSTERS_REASON],
    );
    const verify = nodeAccess(
      'verify',
      'hsm-sentinel Verify: reads every node again',
      1024,
      nodeAccessEnv(true),
    );
    const protect = bundled(
      'protect',
      'hsm-sentinel Protect: keeps (and copies) the backup covering the verified state',
      timeouts.of('protect'),
      256,
      { ...withReports, ...(cfg.recoveryRegion ? { RECOVERY_REGION: cfg.recoveryRegion } : {}) },
      ['cloudhsm:DescribeBackups (a list action: no resource-level permissions)'],
    );
    const alert = bundled(
      'alert',
      'hsm-sentinel Alert: report, one deduplicated SNS alert, run metrics',
      timeouts.of('alert'),
      512,
      {
        ...withReports,
        ALERT_TOPIC_ARN: this.alertTopic.topic.topicArn,
        STATE_TABLE: this.stateTable.tableName,
        ALERT_WINDOW_HOURS: String(cfg.alertWindowHours),
      },
    );

    // ---- permissions of the step functions ----
    const runObjects = `${this.reports.bucket.bucketArn}/${RUNS_PREFIX}*`;
    const runObjectsFinding = `AwsSolutions-IAM5[Resource::<${this.getLogicalId(this.reports.bucket.node.defaultChild as CfnBucket)}.Arn>/${RUNS_PREFIX}*]`;
    const s3Access = (fn: { role: Role }, actions: string[]) => {
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({ sid: 'RunArtifacts', actions, resources: [runObjects] }),
      );
      acknowledge(
        fn.role,
        runObjectsFinding,
        `Run artifacts are objects under ${RUNS_PREFIX}<runId>/ whose keys are made per run; access is limited to that prefix of the one report bucket`,
      );
    };
    s3Access(collectNode, ['s3:PutObject']);
    s3Access(markUnreadable, ['s3:PutObject']);
    s3Access(audit, ['s3:GetObject', 's3:PutObject']);
    s3Access(sync, ['s3:GetObject', 's3:PutObject']);
    s3Access(verify, ['s3:GetObject', 's3:PutObject']);
    s3Access(alert, ['s3:GetObject', 's3:PutObject']);

    const describeClusters = new PolicyStatement({
      sid: 'DescribeClusters',
      actions: ['cloudhsm:DescribeClusters'],
      resources: ['*'],
    });
    resolve.role.addToPrincipalPolicy(describeClusters);
    sync.role.addToPrincipalPolicy(describeClusters);
    if (cfg.operatorConfigSsmParameter) {
      const name = cfg.operatorConfigSsmParameter.replace(/^\//, '');
      resolve.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'ReadOperatorConfig',
          actions: ['ssm:GetParameter'],
          resources: [`arn:${Aws.PARTITION}:ssm:${Aws.REGION}:${Aws.ACCOUNT_ID}:parameter/${name}`],
        }),
      );
    }

    for (const fn of [collectNode, sync, verify]) {
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'ReadCoCredentials',
          actions: ['secretsmanager:GetSecretValue'],
          resources: [cfg.coSecretArn],
        }),
      );
      if (cfg.coSecretKmsKeyArn) {
        fn.role.addToPrincipalPolicy(
          new PolicyStatement({
            sid: 'DecryptCoCredentials',
            actions: ['kms:Decrypt'],
            resources: [cfg.coSecretKmsKeyArn],
            conditions: { StringEquals: { 'kms:ViaService': `secretsmanager.${Aws.REGION}.amazonaws.com` } },
          }),
        );
      }
    }

    protect.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'DescribeBackups',
        actions: ['cloudhsm:DescribeBackups'],
        resources: ['*'],
      }),
    );
    protect.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'KeepAndCopyBackups',
        actions: [
          'cloudhsm:ModifyBackupAttributes',
          ...(cfg.recoveryRegion ? ['cloudhsm:CopyBackupToRegion'] : []),
        ],
        resources: [`arn:${Aws.PARTITION}:cloudhsm:${Aws.REGION}:${Aws.ACCOUNT_ID}:backup/*`],
      }),
    );
    acknowledge(
      protect.role,
      'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudhsm:<AWS::Region>:<AWS::AccountId>:backup/*]',
      'Backups are created by AWS (at least daily and on HSM changes) with ids unknown at deploy time; backup ARNs do not name their cluster, so the account and region are the narrowest scope',
    );

    alert.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'PublishAlerts',
        actions: ['sns:Publish'],
        resources: [this.alertTopic.topic.topicArn],
      }),
    );
    alert.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'UseAlertTopicKey',
        actions: ['kms:GenerateDataKey', 'kms:Decrypt'],
        resources: [this.alertTopic.key.keyArn],
      }),
    );
    alert.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'AlertDedupMemory',
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
        resources: [this.stateTable.tableArn],
      }),
    );
    // The run ends in Alert (or FailureAlert): it releases the cluster's run lock.
    alert.role.addToPrincipalPolicy(
      new PolicyStatement({
        sid: 'ReleaseRunLock',
        actions: ['dynamodb:DeleteItem'],
        resources: [this.stateTable.tableArn],
        conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [RUN_LOCK_KEYS] } },
      }),
    );

    // ---- the state machine ----
    const steps: Record<StepHandlerName, IFunction> = {
      resolve: resolve.function,
      'collect-node': collectNode.function,
      'mark-unreadable': markUnreadable.function,
      audit: audit.function,
      sync: sync.function,
      verify: verify.function,
      protect: protect.function,
      alert: alert.function,
    };
    const definitionSubstitutions = substitutionsFor(asl, steps);
    const stateMachineLogs = new LogGroup(this, 'StateMachineLogs', {
      // The vended-logs prefix keeps the Logs resource policy small; the stack id's UUID keeps
      // the name unique, so a retained group never blocks a redeployment.
      logGroupName: Fn.join('', [
        `/aws/vendedlogs/states/${this.stackName}-audit-and-sync-`,
        Fn.select(2, Fn.split('/', Aws.STACK_ID)),
      ]),
      retention: logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new StateMachine(this, 'AuditAndSync', {
      comment: 'hsm-sentinel audit-and-sync: one execution reconciles one HSM cluster',
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(asl),
      definitionSubstitutions,
      // Inventories travel as S3 references, and execution data stays out of the logs.
      logs: { destination: stateMachineLogs, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      timeout: Duration.hours(4),
    });
    // DefinitionBody.fromString grants nothing: invoke exactly the eight step functions.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        sid: 'InvokeStepFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: Object.values(steps).map((fn) => fn.functionArn),
      }),
    );
    acknowledge(
      this.stateMachine.role,
      'AwsSolutions-IAM5[Resource::*]',
      `Resource '*' only where AWS has no resource-level permissions: CloudWatch Logs vended log delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) used by Step Functions logging; ${XRAY_WILDCARD_REASON} and X-Ray sampling`,
    );

    // ---- triggers ----
    const executions = this.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${this.stateMachine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const executionsFinding = `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${this.getLogicalId(this.stateMachine.node.defaultChild as CfnStateMachine)}.Name>:*]`;
    const triggerEnv = {
      ...common,
      STATE_MACHINE_ARN: this.stateMachine.stateMachineArn,
      CLUSTER_IDS: cfg.clusterIds.join(','),
      DRY_RUN_DEFAULT: String(cfg.dryRunDefault),
      STATE_TABLE: this.stateTable.tableName,
    };
    const trigger = bundled(
      'trigger',
      'hsm-sentinel trigger: schedule and CreateHsm/DeleteHsm events start one run per cluster',
      Duration.seconds(60),
      256,
      triggerEnv,
    );
    const runbook = bundled(
      'runbook-url',
      'hsm-sentinel runbook entry (Function URL, AWS_IAM): starts a run on request',
      Duration.seconds(30),
      256,
      triggerEnv,
    );
    for (const fn of [trigger, runbook]) {
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'StartRuns',
          actions: ['states:StartExecution', 'states:ListExecutions'],
          resources: [this.stateMachine.stateMachineArn],
        }),
      );
      // Is the holder of a cluster's run lock still running? (stale lock takeover)
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'DescribeRuns',
          actions: ['states:DescribeExecution'],
          resources: [executions],
        }),
      );
      acknowledge(
        fn.role,
        executionsFinding,
        'Execution names are made per triggering event (<clusterId>-<kind>-<token>) and unknown at deploy time; DescribeExecution is limited to executions of the one state machine',
      );
      fn.role.addToPrincipalPolicy(
        new PolicyStatement({
          sid: 'TakeRunLock',
          actions: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          resources: [this.stateTable.tableArn],
          conditions: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [RUN_LOCK_KEYS] } },
        }),
      );
    }
    const runbookUrl = runbook.function.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });

    const target = () =>
      new LambdaFunction(trigger.function, { retryAttempts: 2, maxEventAge: Duration.hours(1) });
    new Rule(this, 'ScheduleRule', {
      description: 'hsm-sentinel: periodic full resync of every configured cluster',
      schedule: Schedule.expression(cfg.schedule),
      targets: [target()],
    });
    new Rule(this, 'ScalingRule', {
      description: 'hsm-sentinel: an HSM was added to or removed from a configured cluster (CloudTrail)',
      eventPattern: {
        source: ['aws.cloudhsm'],
        detailType: ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cloudhsm.amazonaws.com'],
          eventName: ['CreateHsm', 'DeleteHsm'],
          requestParameters: { clusterId: cfg.clusterIds },
        },
      },
      targets: [target()],
    });

    // ---- observability ----
    this.observability = new SentinelObservability(this, 'Observability', {
      clusterIds: cfg.clusterIds,
      staleAfterHours: cfg.staleAfterHours,
      topic: this.alertTopic.topic,
      stateMachine: this.stateMachine,
    });

    this.functions = { ...steps, trigger: trigger.function, 'runbook-url': runbook.function };

    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'RunbookFunctionUrl', { value: runbookUrl.url });
    new CfnOutput(this, 'ReportBucketName', { value: this.reports.bucket.bucketName });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alertTopic.topic.topicArn });
    new CfnOutput(this, 'NodeAccessSecurityGroupId', { value: this.network.securityGroup.securityGroupId });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName });
  }
}

/** `collect-node` → `CollectNode` (construct ids). */
function pascal(name: string): string {
  return name
    .split('-')
    .map((part) => part.charAt(0).toUpperCase() + part.slice(1))
    .join('');
}

function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}

/** CloudWatch Logs only takes some retention lengths: the shortest one that keeps `days`. */
export function retentionAtLeast(days: number): RetentionDays {
  const allowed = Object.values(RetentionDays)
    .filter((v): v is number => typeof v === 'number' && v > 0)
    .sort((a, b) => a - b);
  const chosen = allowed.find((v) => v >= days) ?? allowed[allowed.length - 1];
  return chosen as RetentionDays;
}

const PLACEHOLDER = /\$\{([A-Za-z0-9]+)\}/g;

/**
 * The definitionSubstitutions of the ASL: each `${…}` it contains mapped to its function's
 * ARN. A placeholder without a function, or a function the ASL never calls, fails the synth
 * here rather than the deployment.
 */
export function substitutionsFor(
  asl: string,
  steps: Record<StepHandlerName, IFunction>,
): Record<string, string> {
  const used = new Set([...asl.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''));
  const known = Object.keys(STEP_SUBSTITUTIONS);
  const unknown = [...used].filter((name) => !known.includes(name));
  const unused = known.filter((name) => !used.has(name));
  if (unknown.length > 0 || unused.length > 0) {
    throw new Error(
      `hsm-sentinel infra: ${ASL_FILE} and docs/CONTRACTS-aws.md disagree: ` +
        `placeholders without a function: [${unknown.join(', ')}], functions never called: [${unused.join(', ')}]`,
    );
  }
  return Object.fromEntries(
    Object.entries(STEP_SUBSTITUTIONS).map(([name, handler]) => [name, steps[handler].functionArn]),
  );
}

interface AslState {
  Type?: string;
  Resource?: string;
  TimeoutSeconds?: number;
  ItemProcessor?: { States?: Record<string, AslState> };
  Iterator?: { States?: Record<string, AslState> };
}

/**
 * Each step function's timeout, from the ASL: the shortest `TimeoutSeconds` of the Task
 * states calling it (so the function never outlives its state), at most Lambda's 900 s.
 */
export function taskTimeouts(asl: string): { of(handler: StepHandlerName): Duration } {
  const definition = JSON.parse(asl) as { States?: Record<string, AslState> };
  const seconds = new Map<string, number>();
  const visit = (states: Record<string, AslState> | undefined) => {
    for (const state of Object.values(states ?? {})) {
      const placeholder = state.Resource ? /^\$\{([A-Za-z0-9]+)\}$/.exec(state.Resource)?.[1] : undefined;
      if (placeholder && state.TimeoutSeconds !== undefined) {
        seconds.set(placeholder, Math.min(seconds.get(placeholder) ?? Infinity, state.TimeoutSeconds));
      }
      visit(state.ItemProcessor?.States);
      visit(state.Iterator?.States);
    }
  };
  visit(definition.States);
  return {
    of(handler) {
      const entry = Object.entries(STEP_SUBSTITUTIONS).find(([, h]) => h === handler);
      const value = entry ? seconds.get(entry[0]) : undefined;
      if (value === undefined) {
        throw new Error(
          `hsm-sentinel infra: no Task in ${ASL_FILE} with TimeoutSeconds calls the ${handler} function`,
        );
      }
      return Duration.seconds(Math.min(value, LAMBDA_MAX_SECONDS));
    },
  };
}
