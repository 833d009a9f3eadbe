/**
 * The whole hsm-sentinel deployment on AWS, one stack (docs/CONTRACTS-aws.md): the data (a
 * KMS-encrypted alert topic, the report bucket, the state table), the node-access network, and
 * four constructs: the step functions (one per step of the workflow's list, their environment
 * and grants from the step's ports), the audit-and-sync state machine over the ASL file, the
 * triggers (schedule, CloudTrail CreateHsm/DeleteHsm, an IAM-authorised Function URL), and the
 * alarms and dashboard.
 *
 * Every role is the function's own and names the exact actions and resources it uses; the
 * few `Resource: '*'` left are actions AWS offers no resource-level permissions for, each
 * acknowledged for cdk-nag with its reason. Parameters: infra/config.ts.
 */
import { readFileSync } from 'node:fs';
import { CfnOutput, Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Repository } from 'aws-cdk-lib/aws-ecr';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { parseImageUri, type SentinelConfig } from './config.ts';
import { AlertTopic } from './constructs/alert-topic.ts';
import { AuditAndSyncMachine, stepSubstitutions } from './constructs/audit-and-sync-machine.ts';
import { NodeNetwork } from './constructs/node-network.ts';
import { ASL_FILE } from './constructs/paths.ts';
import { ReportBucket } from './constructs/report-bucket.ts';
import { METRICS_NAMESPACE, SentinelObservability } from './constructs/sentinel-observability.ts';
import { SentinelSteps } from './constructs/sentinel-steps.ts';
import { SentinelTriggers } from './constructs/sentinel-triggers.ts';

const SERVICE_NAME = 'hsm-sentinel';
/** Lambda's longest timeout. */
const LAMBDA_MAX_SECONDS = 900;

export interface HsmSentinelStackProps extends StackProps {
  config: SentinelConfig;
}

export class HsmSentinelStack extends Stack {
  readonly config: SentinelConfig;
  /** Every function, by handler name (the steps' and `trigger`, `runbook-url`). */
  readonly functions: Record<string, IFunction>;
  readonly stateMachine: StateMachine;
  readonly alertTopic: AlertTopic;
  readonly reports: ReportBucket;
  readonly stateTable: Table;
  readonly network: NodeNetwork;
  readonly steps: SentinelSteps;
  readonly triggers: SentinelTriggers;
  readonly observability: SentinelObservability;

  constructor(scope: Construct, id: string, props: HsmSentinelStackProps) {
    super(scope, id, props);
    const cfg = props.config;
    this.config = cfg;
    const logRetention = retentionAtLeast(cfg.logRetentionDays);
    const asl = readFileSync(ASL_FILE, 'utf8');
    const timeouts = taskTimeouts(asl);
    const commonEnvironment = {
      POWERTOOLS_SERVICE_NAME: SERVICE_NAME,
      POWERTOOLS_METRICS_NAMESPACE: METRICS_NAMESPACE,
      POWERTOOLS_LOG_LEVEL: 'INFO',
    };

    // ---- data ----
    this.alertTopic = new AlertTopic(this, 'Alerts', { emails: cfg.alertEmails });
    this.reports = new ReportBucket(this, 'Reports', { retentionDays: cfg.reportRetentionDays });
    // Alert memory (alert#), run locks (lock#) and refused credentials (refused#).
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

    // ---- the steps, the state machine, the triggers, the alarms ----
    this.steps = new SentinelSteps(this, 'Steps', {
      config: cfg,
      timeoutOf: (step) => timeouts.of(step.handler),
      logRetention,
      commonEnvironment,
      reports: this.reports,
      stateTable: this.stateTable,
      alertTopic: this.alertTopic,
      placement: this.network.placement,
      image: { repository, tagOrDigest: image.tagOrDigest },
    });
    this.stateMachine = new AuditAndSyncMachine(this, 'AuditAndSync', {
      asl,
      functionOf: (handler) => this.steps.of(handler).function,
      logRetention,
    }).stateMachine;
    this.triggers = new SentinelTriggers(this, 'Triggers', {
      config: cfg,
      stateMachine: this.stateMachine,
      stateTable: this.stateTable,
      commonEnvironment,
      logRetention,
    });
    this.observability = new SentinelObservability(this, 'Observability', {
      clusterIds: cfg.clusterIds,
      staleAfterHours: cfg.staleAfterHours,
      topic: this.alertTopic.topic,
      stateMachine: this.stateMachine,
    });

    this.functions = {
      ...Object.fromEntries([...this.steps.functions].map(([handler, fn]) => [handler, fn.function])),
      trigger: this.triggers.trigger,
      'runbook-url': this.triggers.runbook,
    };

    new CfnOutput(this, 'StateMachineArn', { value: this.stateMachine.stateMachineArn });
    new CfnOutput(this, 'RunbookFunctionUrl', { value: this.triggers.runbookUrl.url });
    new CfnOutput(this, 'ReportBucketName', { value: this.reports.bucket.bucketName });
    new CfnOutput(this, 'AlertTopicArn', { value: this.alertTopic.topic.topicArn });
    new CfnOutput(this, 'NodeAccessSecurityGroupId', { value: this.network.securityGroup.securityGroupId });
    new CfnOutput(this, 'DashboardName', { value: this.observability.dashboard.dashboardName });
  }
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
export function taskTimeouts(asl: string): { of(handler: string): Duration } {
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
      const entry = Object.entries(stepSubstitutions()).find(([, h]) => h === handler);
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
