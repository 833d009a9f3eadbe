/**
 * The loop in-process: the same steps, in the same order, with the same retry and catch
 * rules as statemachines/audit-and-sync.asl.json. The CLI's audit/sync commands use it;
 * the state machine is the production orchestrator.
 */
import type { RunFailure } from '#core/report.ts';
import type { CollectedNode, RunContext, RunState } from './contracts.ts';
import type { WorkflowDeps } from './deps.ts';
import { COLLECT_RETRY, isRetryable, RESOLVE_RETRY, type RetryRule } from './retry-policy.ts';
import { alertStep } from './steps/alert.ts';
import { auditStep } from './steps/audit.ts';
import { collectNodeStep, markUnreadableStep } from './steps/collect-node.ts';
import { protectStep } from './steps/protect.ts';
import { resolveStep } from './steps/resolve.ts';
import { syncStep } from './steps/sync.ts';
import { verifyStep } from './steps/verify.ts';

export interface PipelineOptions {
  /** Called as each state starts: progress output. */
  onState?: (name: string) => void;
  /** How the runner waits between retries; tests pass a no-op. */
  sleep?: (ms: number) => Promise<void>;
}

export async function runPipeline(
  context: RunContext,
  deps: WorkflowDeps,
  options: PipelineOptions = {},
): Promise<RunState> {
  const onState = options.onState ?? (() => {});
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const state: RunState = { context };
  let step = 'Resolve';
  try {
    onState(step);
    state.cluster = await withRetry(RESOLVE_RETRY, () => resolveStep(state, deps), sleep);
    step = 'Collect';
    onState(step);
    const cluster = state.cluster;
    state.collected = await Promise.all(
      cluster.nodes.map((node) => collectWithCatch(context, cluster, node.nodeId, deps, sleep)),
    );
    step = 'Audit';
    onState(step);
    state.audit = await auditStep(state, deps);
    if (state.audit.writeAllowed) {
      step = 'Sync';
      onState(step);
      state.sync = await syncStep(state, deps);
      step = 'Verify';
      onState(step);
      state.verify = await verifyStep(state, deps);
    }
    step = 'Protect';
    onState(step);
    state.backup = await protectStep(state, deps);
  } catch (error) {
    state.failure = failureOf(step, error);
    deps.log.error('step failed', { step, error: state.failure.errorName, message: state.failure.message });
  }
  onState(state.failure ? 'FailureAlert' : 'Alert');
  state.alert = await alertStep(state, deps);
  return state;
}

async function collectWithCatch(
  context: RunContext,
  cluster: NonNullable<RunState['cluster']>,
  nodeId: string,
  deps: WorkflowDeps,
  sleep: (ms: number) => Promise<void>,
): Promise<CollectedNode> {
  try {
    return await withRetry(COLLECT_RETRY, () => collectNodeStep({ context, cluster, nodeId }, deps), sleep);
  } catch (error) {
    // Only a node we could not reach stays "unknown"; anything else (a missing password, a
    // node not in the cluster) is the run's failure, as the ASL's Map Catch does.
    if (!isRetryable(COLLECT_RETRY, error)) throw error;
    const err = error as Error;
    return markUnreadableStep({ context, nodeId, error: { Error: err.name, Cause: err.message } }, deps);
  }
}

async function withRetry<T>(
  rule: RetryRule,
  attempt: () => Promise<T>,
  sleep: (ms: number) => Promise<void>,
): Promise<T> {
  let interval = rule.intervalSeconds * 1000;
  for (let retries = 0; ; retries += 1) {
    try {
      return await attempt();
    } catch (error) {
      if (retries >= rule.maxAttempts || !isRetryable(rule, error)) throw error;
      await sleep(interval);
      interval *= rule.backoffRate;
    }
  }
}

function failureOf(step: string, error: unknown): RunFailure {
  if (error instanceof Error) return { step, errorName: error.name, message: error.message };
  return { step, errorName: 'Error', message: String(error) };
}
