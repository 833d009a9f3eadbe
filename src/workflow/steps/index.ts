/**
 * The workflow's steps, listed once. The Lambda handlers (functions/aws), the Azure
 * activities and orchestrator (functions/azure), the local ASL runner's bindings
 * (local-asl-runner.ts) and the CDK definition substitutions (infra/) are all derived from
 * this list, and test/statemachines checks that the ASL's Task states are exactly its tasks.
 *
 * A step validates its input with the same schema wherever it runs (no casts), then calls
 * one function that takes plain JSON and gives plain JSON.
 */
import type { Port, WorkflowDeps } from '../deps.ts';
import { withReadableFailure } from '../failure-cause.ts';
import {
  parseCollectClusterInput,
  parseCollectNodeInput,
  parseMarkUnreadableInput,
  parseRunState,
} from '../schemas.ts';
import { alertStep } from './alert.ts';
import { auditStep } from './audit.ts';
import { collectClusterStep } from './collect-cluster.ts';
import { collectNodeStep, markUnreadableStep } from './collect-node.ts';
import { protectStep } from './protect.ts';
import { resolveStep } from './resolve.ts';
import { syncStep } from './sync.ts';
import { verifyStep } from './verify.ts';

export interface WorkflowStep<O = unknown, N extends string = string> {
  /** The step's name: `Resolve`. */
  readonly name: N;
  /** The ASL Task states it runs (FailureAlert is the Alert step on the failure path). */
  readonly tasks: readonly string[];
  /** The Lambda handler file, `functions/aws/<handler>.ts`, and the CDK function's name. */
  readonly handler: string;
  /** The ASL substitution of its function's ARN: `${ResolveFunctionArn}`. */
  readonly substitution: string;
  /** The Azure Durable activity it is. */
  readonly activity: `hsmSentinel${N}`;
  /** What it touches besides the artifact store. */
  readonly ports: readonly Port[];
  /** Validated input → output, the same function everywhere. */
  invoke(input: unknown, deps: WorkflowDeps): Promise<O>;
}

function step<N extends string, I, O>(
  name: N,
  spec: {
    handler: string;
    tasks?: readonly string[];
    ports: readonly Port[];
    parse: (input: unknown, what: string) => I;
    run: (input: I, deps: WorkflowDeps) => Promise<O>;
  },
): WorkflowStep<O, N> {
  return {
    name,
    tasks: spec.tasks ?? [name],
    handler: spec.handler,
    substitution: `${name}FunctionArn`,
    activity: `hsmSentinel${name}`,
    ports: spec.ports,
    invoke: (input, deps) => spec.run(spec.parse(input, name), deps),
  };
}

export const RESOLVE = step('Resolve', {
  handler: 'resolve',
  ports: ['provider', 'metrics'],
  parse: parseRunState,
  run: resolveStep,
});
export const COLLECT_NODE = step('CollectNode', {
  handler: 'collect-node',
  ports: ['nodes'],
  parse: parseCollectNodeInput,
  run: collectNodeStep,
});
/** Cluster-wide tools: the whole cluster in one read; after its retries, every node marked unknown. */
export const COLLECT_CLUSTER = step('CollectCluster', {
  handler: 'collect-cluster',
  tasks: ['CollectCluster', 'MarkClusterUnreadable'],
  ports: ['nodes'],
  parse: parseCollectClusterInput,
  run: collectClusterStep,
});
export const MARK_UNREADABLE = step('MarkUnreadable', {
  handler: 'mark-unreadable',
  ports: [],
  parse: parseMarkUnreadableInput,
  run: markUnreadableStep,
});
export const AUDIT = step('Audit', { handler: 'audit', ports: [], parse: parseRunState, run: auditStep });
export const SYNC = step('Sync', {
  handler: 'sync',
  ports: ['provider', 'nodes'],
  parse: parseRunState,
  run: syncStep,
});
export const VERIFY = step('Verify', {
  handler: 'verify',
  ports: ['nodes'],
  parse: parseRunState,
  run: verifyStep,
});
export const PROTECT = step('Protect', {
  handler: 'protect',
  ports: ['backup'],
  parse: parseRunState,
  run: protectStep,
});
export const ALERT = step('Alert', {
  handler: 'alert',
  tasks: ['Alert', 'FailureAlert'],
  ports: ['alerts'],
  parse: (input, what) => withReadableFailure(parseRunState(input, what)),
  run: alertStep,
});

export const WORKFLOW_STEPS = [
  RESOLVE,
  COLLECT_NODE,
  COLLECT_CLUSTER,
  MARK_UNREADABLE,
  AUDIT,
  SYNC,
  VERIFY,
  PROTECT,
  ALERT,
] as const satisfies readonly WorkflowStep[];

export type StepName = (typeof WORKFLOW_STEPS)[number]['name'];

/** The step a Task state runs; undefined for a state no step runs. */
export function stepForTask(task: string): WorkflowStep | undefined {
  return WORKFLOW_STEPS.find((s: WorkflowStep) => s.tasks.includes(task));
}
