/**
 * The audit-and-sync state machine: the ASL file as it is (DefinitionBody.fromString), each
 * `${…FunctionArn}` substituted by the function of the step whose substitution it is (the
 * workflow's step list), its own log group without execution data, X-Ray, and a role that
 * may invoke exactly the step functions.
 */
import { Aws, Duration, Fn, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { WORKFLOW_STEPS, type WorkflowStep } from '#workflow/steps/index.ts';
import { acknowledge, XRAY_WILDCARD_REASON } from '../nag.ts';
import { ASL_FILE } from './paths.ts';

export interface AuditAndSyncMachineProps {
  asl: string;
  /** The function of each step, by handler name. */
  functionOf(handler: string): IFunction;
  logRetention: RetentionDays;
}

export class AuditAndSyncMachine extends Construct {
  readonly stateMachine: StateMachine;

  constructor(scope: Construct, id: string, props: AuditAndSyncMachineProps) {
    super(scope, id);
    const functions = (WORKFLOW_STEPS as readonly WorkflowStep[]).map((step) =>
      props.functionOf(step.handler),
    );
    const logs = new LogGroup(this, 'Logs', {
      // The vended-logs prefix keeps the Logs resource policy small; the stack id's UUID keeps
      // the name unique, so a retained group never blocks a redeployment.
      logGroupName: Fn.join('', [
        `/aws/vendedlogs/states/${Stack.of(this).stackName}-audit-and-sync-`,
        Fn.select(2, Fn.split('/', Aws.STACK_ID)),
      ]),
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.stateMachine = new StateMachine(this, 'StateMachine', {
      comment: 'hsm-sentinel audit-and-sync: one execution reconciles one HSM cluster',
      stateMachineType: StateMachineType.STANDARD,
      definitionBody: DefinitionBody.fromString(props.asl),
      definitionSubstitutions: substitutionsFor(
        props.asl,
        (handler) => props.functionOf(handler).functionArn,
      ),
      // Inventories travel as S3 references, and execution data stays out of the logs.
      logs: { destination: logs, level: LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
      timeout: Duration.hours(4),
    });
    // DefinitionBody.fromString grants nothing: invoke exactly the step functions.
    this.stateMachine.addToRolePolicy(
      new PolicyStatement({
        sid: 'InvokeStepFunctions',
        actions: ['lambda:InvokeFunction'],
        resources: functions.map((fn) => fn.functionArn),
      }),
    );
    acknowledge(
      this.stateMachine.role,
      'AwsSolutions-IAM5[Resource::*]',
      `Resource '*' only where AWS has no resource-level permissions: CloudWatch Logs vended log delivery (logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies, DescribeLogGroups) used by Step Functions logging; ${XRAY_WILDCARD_REASON} and X-Ray sampling`,
    );
  }
}

const PLACEHOLDER = /\$\{([A-Za-z0-9]+)\}/g;

/** `${ResolveFunctionArn}` → `resolve`: the step list's substitutions. */
export function stepSubstitutions(): Record<string, string> {
  return Object.fromEntries(
    (WORKFLOW_STEPS as readonly WorkflowStep[]).map((s) => [s.substitution, s.handler]),
  );
}

/**
 * The definitionSubstitutions of the ASL: each `${…}` it contains mapped to its step's function
 * ARN. A placeholder that is no step's, or a step the ASL never calls, fails the synth here
 * rather than the deployment.
 */
export function substitutionsFor(asl: string, arnOf: (handler: string) => string): Record<string, string> {
  const byName = stepSubstitutions();
  const used = new Set([...asl.matchAll(PLACEHOLDER)].map((m) => m[1] ?? ''));
  const known = Object.keys(byName);
  const unknown = [...used].filter((name) => !known.includes(name));
  const unused = known.filter((name) => !used.has(name));
  if (unknown.length > 0 || unused.length > 0) {
    throw new Error(
      `hsm-sentinel infra: ${ASL_FILE} and the step list (src/workflow/steps/index.ts) disagree: ` +
        `placeholders without a step: [${unknown.join(', ')}], steps never called: [${unused.join(', ')}]`,
    );
  }
  return Object.fromEntries(Object.entries(byName).map(([name, handler]) => [name, arnOf(handler)]));
}
