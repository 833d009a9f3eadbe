/**
 * The run as a Durable Functions orchestration: the same steps, order, retry and catch rules
 * as statemachines/audit-and-sync.asl.json, each step an activity that calls the same
 * workflow step function: Collect per node or, for a cluster-wide tool, the whole cluster at
 * once (Azure's own tool is per node today; the branch is there so the list of steps is the
 * same everywhere), and the bounded wait-and-read-again of SERVICE_SYNC_RECHECK.
 *
 * The logic is a plain generator over a small port (call an activity, wait for several,
 * wait a while), so a test drives it without the Durable runtime; `durableOrchestrator`
 * binds the port to `context.df`. Deterministic, as an orchestrator must be: no clock, no
 * randomness, no I/O here: retries wait on durable timers.
 */
import type { OrchestrationContext, OrchestrationHandler, Task } from 'durable-functions';
import { InvalidInputError } from '#core/errors.ts';
import type { ResolvedCluster } from '#core/model.ts';
import type { BackupStatus, RunFailure } from '#core/report.ts';
import type {
  AlertOutput,
  AuditOutput,
  CollectClusterInput,
  CollectedNode,
  CollectNodeInput,
  MarkUnreadableInput,
  RunContext,
  RunState,
  SyncOutput,
  VerifyOutput,
} from '#workflow/contracts.ts';
import {
  COLLECT_RETRY,
  isRetryable,
  RESOLVE_RETRY,
  type RetryRule,
  SERVICE_SYNC_RECHECK,
} from '#workflow/retry-policy.ts';
import { describeIssues } from '#workflow/zod-issues.ts';
import {
  ACTIVITY_NAMES,
  type ActivityError,
  type ActivityName,
  type ActivityResult,
  type OrchestrationInput,
  type OrchestrationOutput,
  orchestrationInputSchema,
} from './contracts.ts';

/** What the orchestration needs from its runtime. `T` is the runtime's task type. */
export interface OrchestrationPort<T> {
  activity(name: ActivityName, input: unknown): T;
  /** Completes with the array of results, in order. */
  all(tasks: T[]): T;
  /** Completes after `ms` (a durable timer). */
  timer(ms: number): T;
  setStatus(status: { step: string; runId: string }): void;
  log(message: string): void;
}

type Run<T, R> = Generator<T, R, unknown>;

/** A step's error, carried to the Catch with its name (the ASL error name). */
class StepFailed extends Error {
  readonly error: ActivityError;
  constructor(error: ActivityError) {
    super(error.message);
    this.name = error.name;
    this.error = error;
  }
}

/**
 * One run of one cluster. Returns the summary when the run finished (clean, repaired or
 * attention); throws after the failure alert when a step failed, so the instance shows
 * Failed; throws when the alert itself could not be delivered.
 */
export function* runOrchestration<T>(
  input: OrchestrationInput,
  port: OrchestrationPort<T>,
): Run<T, OrchestrationOutput> {
  const { context } = input;
  const state: RunState = { context };
  let step = 'Resolve';
  try {
    // Resolve → Collect → Audit, again after a wait while the tool's own service is still
    // copying objects (the ASL's RecheckDue? / WaitForServiceSync), at most the policy's serviceSyncRechecks times.
    for (;;) {
      step = 'Resolve';
      port.setStatus({ step, runId: context.runId });
      state.cluster = yield* callWithRetry<T, ResolvedCluster>(
        port,
        RESOLVE_RETRY,
        ACTIVITY_NAMES.resolve,
        state,
      );
      step = 'Collect';
      port.setStatus({ step, runId: context.runId });
      state.collected =
        state.cluster.addressing === 'cluster-wide'
          ? yield* collectCluster(port, context, state.cluster)
          : yield* collectNodes(port, context, state.cluster);
      step = 'Audit';
      port.setStatus({ step, runId: context.runId });
      state.audit = yield* callOnce<T, AuditOutput>(port, ACTIVITY_NAMES.audit, state);
      if (state.audit.recheck?.due !== true) break;
      port.log(
        `audit: ${state.audit.recheck.pending} object(s) still being copied by the service; reading again`,
      );
      yield port.timer(SERVICE_SYNC_RECHECK.waitSeconds * 1000);
    }
    if (state.audit.writeAllowed) {
      step = 'Sync';
      port.setStatus({ step, runId: context.runId });
      state.sync = yield* callOnce<T, SyncOutput>(port, ACTIVITY_NAMES.sync, state);
      step = 'Verify';
      port.setStatus({ step, runId: context.runId });
      state.verify = yield* callOnce<T, VerifyOutput>(port, ACTIVITY_NAMES.verify, state);
    }
    step = 'Protect';
    port.setStatus({ step, runId: context.runId });
    state.backup = yield* callOnce<T, BackupStatus>(port, ACTIVITY_NAMES.protect, state);
  } catch (error) {
    state.failure = failureOf(step, error);
    port.log(`run ${context.runId}: ${step} failed (${state.failure.errorName}): ${state.failure.message}`);
  }
  const alertStep = state.failure ? 'FailureAlert' : 'Alert';
  port.setStatus({ step: alertStep, runId: context.runId });
  const alert = yield* call<T, AlertOutput>(port, ACTIVITY_NAMES.alert, state);
  if (!alert.ok) {
    throw new StepFailed({
      name: alert.error.name,
      message: `run ${context.runId} of ${context.clusterId}: ${alertStep} could not be delivered: ${alert.error.message}${
        state.failure ? ` (the run had failed in ${state.failure.step}: ${state.failure.message})` : ''
      }`,
    });
  }
  state.alert = alert.value;
  if (state.failure) {
    throw new StepFailed({
      name: state.failure.errorName,
      message: `run ${context.runId} of ${context.clusterId} failed in ${state.failure.step}: ${state.failure.message} (failure alert ${
        alert.value.alertSent ? 'sent' : `not sent: ${alert.value.alertReason}`
      }; report ${alert.value.reportRef})`,
    });
  }
  return {
    runId: context.runId,
    clusterId: context.clusterId,
    outcome: alert.value.outcome,
    alertSent: alert.value.alertSent,
    reportRef: alert.value.reportRef,
    subject: alert.value.subject,
  };
}

/**
 * Collect (a Map with one item per node): every node in parallel; a node whose read failed
 * with a retryable error (TransportError, CommandTimeoutError; never CredentialsRejectedError)
 * is read again after a durable wait, the others are not re-read; after the last attempt the
 * node is marked unreadable: unknown, never empty. Any other error fails the step at once,
 * as the ASL's CollectNode Catch (TransportError / CommandTimeoutError only) lets it fail the
 * Map: the run then sends its failure alert.
 */
function* collectNodes<T>(
  port: OrchestrationPort<T>,
  context: RunContext,
  cluster: ResolvedCluster,
): Run<T, CollectedNode[]> {
  const collected = new Map<string, CollectedNode>();
  const unreadable = new Map<string, ActivityError>();
  let pending = cluster.nodes.map((node) => node.nodeId);
  let interval = COLLECT_RETRY.intervalSeconds * 1000;
  for (let retries = 0; pending.length > 0; retries += 1) {
    const results = yield* callAll<T, CollectedNode>(
      port,
      ACTIVITY_NAMES.collectNode,
      pending.map((nodeId): CollectNodeInput => ({ context, cluster, nodeId })),
    );
    const again: string[] = [];
    for (const [index, result] of results.entries()) {
      const nodeId = pending[index] as string;
      if (result.ok) collected.set(nodeId, result.value);
      else if (!retryable(COLLECT_RETRY, result.error)) throw new StepFailed(result.error);
      else if (retries < COLLECT_RETRY.maxAttempts) again.push(nodeId);
      else unreadable.set(nodeId, result.error);
    }
    pending = again;
    if (pending.length > 0) {
      port.log(`collect: retrying ${pending.join(', ')} in ${interval} ms`);
      yield port.timer(interval);
      interval *= COLLECT_RETRY.backoffRate;
    }
  }
  if (unreadable.size > 0) {
    const marks = [...unreadable].map(
      ([nodeId, error]): MarkUnreadableInput => ({
        context,
        nodeId,
        error: { Error: error.name, Cause: error.message },
      }),
    );
    const results = yield* callAll<T, CollectedNode>(port, ACTIVITY_NAMES.markUnreadable, marks);
    for (const [index, result] of results.entries()) {
      if (!result.ok) throw new StepFailed(result.error);
      collected.set(marks[index]?.nodeId as string, result.value);
    }
  }
  return cluster.nodes.map((node) => collected.get(node.nodeId) as CollectedNode);
}

/**
 * Collect for a cluster-wide tool (the ASL's CollectCluster): one read of the whole cluster,
 * retried like a node while it fails with a retryable error (which it throws only when
 * nothing was read and no login was sent); after the last attempt every node is marked
 * unreadable (MarkClusterUnreadable: the same activity, with the error).
 */
function* collectCluster<T>(
  port: OrchestrationPort<T>,
  context: RunContext,
  cluster: ResolvedCluster,
): Run<T, CollectedNode[]> {
  const input: CollectClusterInput = { context, cluster };
  try {
    return yield* callWithRetry<T, CollectedNode[]>(
      port,
      COLLECT_RETRY,
      ACTIVITY_NAMES.collectCluster,
      input,
    );
  } catch (failure) {
    // Retries used up on a retryable error: mark every node unreadable. Anything else fails the run.
    if (!(failure instanceof StepFailed) || !retryable(COLLECT_RETRY, failure.error)) throw failure;
    const error = { Error: failure.error.name, Cause: failure.error.message };
    return yield* callOnce<T, CollectedNode[]>(port, ACTIVITY_NAMES.collectCluster, { ...input, error });
  }
}

function* callWithRetry<T, R>(
  port: OrchestrationPort<T>,
  rule: RetryRule,
  name: ActivityName,
  input: unknown,
): Run<T, R> {
  let interval = rule.intervalSeconds * 1000;
  for (let retries = 0; ; retries += 1) {
    const result = yield* call<T, R>(port, name, input);
    if (result.ok) return result.value;
    if (retries >= rule.maxAttempts || !retryable(rule, result.error)) throw new StepFailed(result.error);
    port.log(`${name}: ${result.error.name}: ${result.error.message}; retrying in ${interval} ms`);
    yield port.timer(interval);
    interval *= rule.backoffRate;
  }
}

function* callOnce<T, R>(port: OrchestrationPort<T>, name: ActivityName, input: unknown): Run<T, R> {
  const result = yield* call<T, R>(port, name, input);
  if (!result.ok) throw new StepFailed(result.error);
  return result.value;
}

function* call<T, R>(
  port: OrchestrationPort<T>,
  name: ActivityName,
  input: unknown,
): Run<T, ActivityResult<R>> {
  try {
    return asResult<R>(yield port.activity(name, input), name);
  } catch (error) {
    // The activity crashed outside its envelope (host timeout, worker restart).
    return { ok: false, error: activityErrorOf(error) };
  }
}

function* callAll<T, R>(
  port: OrchestrationPort<T>,
  name: ActivityName,
  inputs: unknown[],
): Run<T, ActivityResult<R>[]> {
  try {
    const results = yield port.all(inputs.map((input) => port.activity(name, input)));
    if (!Array.isArray(results) || results.length !== inputs.length) {
      throw new InvalidInputError(`${name}: expected ${inputs.length} results from the fan-out`);
    }
    return results.map((result) => asResult<R>(result, name));
  } catch (error) {
    const failed: ActivityResult<R> = { ok: false, error: activityErrorOf(error) };
    return inputs.map(() => failed);
  }
}

function asResult<R>(value: unknown, name: ActivityName): ActivityResult<R> {
  if (typeof value === 'object' && value !== null && 'ok' in value) return value as ActivityResult<R>;
  return {
    ok: false,
    error: { name: 'InvalidInputError', message: `${name} answered without an {ok, value|error} envelope` },
  };
}

function retryable(rule: RetryRule, error: ActivityError): boolean {
  return isRetryable(rule, new StepFailed(error));
}

/** A Durable TaskFailedError carries failureDetails.errorType; anything else its own name. */
function activityErrorOf(error: unknown): ActivityError {
  if (error instanceof Error) {
    const details = (error as { failureDetails?: { errorType?: unknown; errorMessage?: unknown } })
      .failureDetails;
    const name = typeof details?.errorType === 'string' ? details.errorType : error.name;
    const message = typeof details?.errorMessage === 'string' ? details.errorMessage : error.message;
    return { name, message };
  }
  return { name: 'Error', message: String(error) };
}

function failureOf(step: string, error: unknown): RunFailure {
  const { name, message } = activityErrorOf(error);
  return { step, errorName: name, message };
}

/** Checks the orchestration input; a bad one fails the instance at once with the reason. */
export function parseOrchestrationInput(value: unknown): OrchestrationInput {
  const parsed = orchestrationInputSchema.safeParse(value);
  if (!parsed.success) {
    throw new InvalidInputError(`orchestration input is malformed: ${describeIssues(parsed.error)}`);
  }
  return parsed.data as OrchestrationInput;
}

/** The Durable Functions orchestrator: `runOrchestration` over `context.df`. */
export function durableOrchestrator(): OrchestrationHandler {
  return function* orchestrate(context: OrchestrationContext): Generator<Task, OrchestrationOutput, unknown> {
    const input = parseOrchestrationInput(context.df.getInput());
    const port: OrchestrationPort<Task> = {
      activity: (name, activityInput) => context.df.callActivity(name, activityInput),
      all: (tasks) => context.df.Task.all(tasks),
      timer: (ms) => context.df.createTimer(new Date(context.df.currentUtcDateTime.getTime() + ms)),
      setStatus: (status) => context.df.setCustomStatus(status),
      log: (message) => {
        if (!context.df.isReplaying) context.log(message);
      },
    };
    return yield* runOrchestration(input, port);
  };
}
