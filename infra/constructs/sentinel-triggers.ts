/**
 * What starts runs: the trigger function (EventBridge schedule and CloudTrail CreateHsm /
 * DeleteHsm of a configured cluster) and the runbook Function URL (AWS_IAM), both starting the
 * state machine through the cluster's run lock in the state table.
 */
import { ArnFormat, Duration, Stack } from 'aws-cdk-lib';
import type { Table } from 'aws-cdk-lib/aws-dynamodb';
import { Rule, Schedule } from 'aws-cdk-lib/aws-events';
import { LambdaFunction } from 'aws-cdk-lib/aws-events-targets';
import { type FunctionUrl, FunctionUrlAuthType, type IFunction } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { CfnStateMachine, StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { SCALING_EVENT_NAMES } from '#workflow/triggers/cloudtrail-scaling.ts';
import type { SentinelConfig } from '../config.ts';
import { acknowledge } from '../nag.ts';
import { BundledFunction } from './bundled-function.ts';
import { allow, onItemKeys } from './grant.ts';
import { STATE_TABLE_KEYS } from './sentinel-steps.ts';

export interface SentinelTriggersProps {
  config: SentinelConfig;
  stateMachine: StateMachine;
  stateTable: Table;
  commonEnvironment: Record<string, string>;
  logRetention: RetentionDays;
}

export class SentinelTriggers extends Construct {
  readonly trigger: IFunction;
  readonly runbook: IFunction;
  readonly runbookUrl: FunctionUrl;

  constructor(scope: Construct, id: string, props: SentinelTriggersProps) {
    super(scope, id);
    const cfg = props.config;
    const stack = Stack.of(this);
    const machine = props.stateMachine;
    const executions = stack.formatArn({
      service: 'states',
      resource: 'execution',
      resourceName: `${machine.stateMachineName}:*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    const executionsFinding = `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:states:<AWS::Region>:<AWS::AccountId>:execution:<${stack.getLogicalId(machine.node.defaultChild as CfnStateMachine)}.Name>:*]`;
    const environment = {
      ...props.commonEnvironment,
      STATE_MACHINE_ARN: machine.stateMachineArn,
      CLUSTER_IDS: cfg.clusterIds.join(','),
      DRY_RUN_DEFAULT: String(cfg.dryRunDefault),
      STATE_TABLE: props.stateTable.tableName,
    };
    const starter = (handlerName: 'trigger' | 'runbook-url', description: string, seconds: number) => {
      const fn = new BundledFunction(this, handlerName === 'trigger' ? 'Trigger' : 'RunbookUrl', {
        handlerName,
        description,
        timeout: Duration.seconds(seconds),
        memorySize: 256,
        environment,
        logRetention: props.logRetention,
        wildcardResourceReasons: [],
      });
      allow(
        fn.role,
        'StartRuns',
        ['states:StartExecution', 'states:ListExecutions'],
        [machine.stateMachineArn],
      );
      // Is the holder of a cluster's run lock still running? (stale lock takeover)
      allow(fn.role, 'DescribeRuns', ['states:DescribeExecution'], [executions]);
      acknowledge(
        fn.role,
        executionsFinding,
        'Execution names are made per triggering event (<clusterId>-<kind>-<token>) and unknown at deploy time; DescribeExecution is limited to executions of the one state machine',
      );
      allow(
        fn.role,
        'TakeRunLock',
        ['dynamodb:GetItem', 'dynamodb:PutItem'],
        [props.stateTable.tableArn],
        onItemKeys(STATE_TABLE_KEYS.runLock),
      );
      return fn.function;
    };
    this.trigger = starter(
      'trigger',
      'hsm-sentinel trigger: schedule and CreateHsm/DeleteHsm events start one run per cluster',
      60,
    );
    this.runbook = starter(
      'runbook-url',
      'hsm-sentinel runbook entry (Function URL, AWS_IAM): starts a run on request',
      30,
    );
    this.runbookUrl = this.runbook.addFunctionUrl({ authType: FunctionUrlAuthType.AWS_IAM });

    const target = () =>
      new LambdaFunction(this.trigger, { retryAttempts: 2, maxEventAge: Duration.hours(1) });
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
          eventName: [...SCALING_EVENT_NAMES],
          requestParameters: { clusterId: cfg.clusterIds },
        },
      },
      targets: [target()],
    });
  }
}
