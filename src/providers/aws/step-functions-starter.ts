/**
 * Starting the Step Functions execution of a normalised run (src/workflow/triggers): at most
 * one execution per cluster. Used by the trigger Lambda, the runbook Function URL and
 * `hsm-sentinel run --remote`.
 *
 * With a RunLock (src/store/run-lock.ts), startRun takes the cluster's lock under the
 * execution name before StartExecution, so two different events arriving at once cannot
 * both start; the run's Alert step releases it. A duplicate of the same event is answered by
 * Step Functions with ExecutionAlreadyExists and reported as a duplicate.
 */
import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  ListExecutionsCommand,
  type ListExecutionsCommandOutput,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  ConfigurationError,
  type HsmSentinelError,
  InvalidInputError,
  TransportError,
} from '#core/errors.ts';
import type { RunLock } from '#store/run-lock.ts';
import type { RunContext } from '#workflow/contracts.ts';
import { isRunOf, type NormalisedRun, type TriggerNormalisation } from '#workflow/triggers/run-request.ts';

export type StartRunOutcome =
  | { started: true; executionName: string; executionArn: string; context: RunContext }
  | {
      started: false;
      reason: 'already running';
      executionName: string;
      runningExecutionArn: string;
      runningExecutionName: string;
    }
  | { started: false; reason: 'duplicate'; executionName: string; executionArn: string };

/**
 * A lock whose holder execution does not exist (yet) is taken over only once it is this old:
 * the holder may be between its acquire and its StartExecution (the trigger function's
 * timeout is 60 s).
 */
export const UNSTARTED_HOLDER_GRACE_MS = 5 * 60_000;

/**
 * Starts one run, unless an execution for the same cluster is running (then says which),
 * or this very event was started before (ExecutionAlreadyExists: a duplicate, not an error).
 * Input: `{context: RunContext}`.
 *
 * With `lock`, the cluster's run lock is acquired (runId = the execution name) after the
 * ListExecutions check and before StartExecution: held by another run → "already running"
 * naming the holder, unless DescribeExecution shows the holder is no longer RUNNING (or never
 * started, after UNSTARTED_HOLDER_GRACE_MS), in which case the lock is taken over. A failed
 * StartExecution or a duplicate releases the lock again.
 */
export async function startRun(
  client: SFNClient,
  stateMachineArn: string,
  normalised: NormalisedRun,
  now: Date,
  lock?: RunLock,
): Promise<StartRunOutcome> {
  const name = normalised.executionName;
  const running = await findRunning(client, stateMachineArn, normalised.clusterId);
  if (running) {
    return {
      started: false,
      reason: 'already running',
      executionName: name,
      runningExecutionArn: running.executionArn ?? '',
      runningExecutionName: running.name ?? '',
    };
  }
  if (lock) {
    const refused = await acquireLock(client, stateMachineArn, normalised, now, lock);
    if (refused) return refused;
  }
  const context: RunContext = {
    runId: name,
    clusterId: normalised.clusterId,
    provider: normalised.provider,
    policy: normalised.policy,
    startedAt: now.toISOString(),
    trigger: normalised.trigger,
  };
  try {
    const out = await client.send(
      new StartExecutionCommand({ stateMachineArn, name, input: JSON.stringify({ context }) }),
    );
    return { started: true, executionName: name, executionArn: out.executionArn ?? '', context };
  } catch (cause) {
    await lock?.release(normalised.clusterId, name).catch(() => {
      // The lease (or the stale takeover) frees it anyway; the start's own error matters more.
    });
    if (cause instanceof Error && cause.name === 'ExecutionAlreadyExists') {
      return {
        started: false,
        reason: 'duplicate',
        executionName: name,
        executionArn: executionArnOf(stateMachineArn, name),
      };
    }
    throw sfnFailure('StartExecution', stateMachineArn, cause);
  }
}

/** Takes the run lock; null when taken, else the outcome that refuses the start. */
async function acquireLock(
  client: SFNClient,
  stateMachineArn: string,
  normalised: NormalisedRun,
  now: Date,
  lock: RunLock,
): Promise<StartRunOutcome | null> {
  const { clusterId, executionName: name } = normalised;
  let attempt = await lock.acquire(clusterId, name, now);
  if (!attempt.acquired && attempt.heldBy !== name) {
    const holder = attempt.heldBy;
    if (await isStale(client, stateMachineArn, holder, attempt.acquiredAt, now)) {
      attempt = await lock.takeOver(clusterId, holder, name, now);
    }
  }
  if (attempt.acquired) return null;
  if (attempt.heldBy === name) {
    // The same event is being started by another delivery right now.
    return {
      started: false,
      reason: 'duplicate',
      executionName: name,
      executionArn: executionArnOf(stateMachineArn, name),
    };
  }
  return {
    started: false,
    reason: 'already running',
    executionName: name,
    runningExecutionArn: executionArnOf(stateMachineArn, attempt.heldBy),
    runningExecutionName: attempt.heldBy,
  };
}

/** Whether the lock's holder execution has ended (or, past the grace period, never started). */
async function isStale(
  client: SFNClient,
  stateMachineArn: string,
  holder: string,
  acquiredAt: string | undefined,
  now: Date,
): Promise<boolean> {
  try {
    const out = await client.send(
      new DescribeExecutionCommand({ executionArn: executionArnOf(stateMachineArn, holder) }),
    );
    return out.status !== 'RUNNING' && out.status !== 'PENDING_REDRIVE';
  } catch (cause) {
    if (cause instanceof Error && cause.name === 'ExecutionDoesNotExist') {
      const since = acquiredAt === undefined ? Number.NaN : now.getTime() - new Date(acquiredAt).getTime();
      // An unreadable acquiredAt counts as old: the lease bounds the wait anyway.
      return !(since < UNSTARTED_HOLDER_GRACE_MS);
    }
    throw sfnFailure('DescribeExecution', stateMachineArn, cause);
  }
}

/** startRun for every run of a normalisation, one after the other. */
export async function startRuns(
  client: SFNClient,
  stateMachineArn: string,
  normalisation: TriggerNormalisation,
  now: Date,
  lock?: RunLock,
): Promise<StartRunOutcome[]> {
  const outcomes: StartRunOutcome[] = [];
  for (const normalised of normalisation.runs) {
    outcomes.push(await startRun(client, stateMachineArn, normalised, now, lock));
  }
  return outcomes;
}

async function findRunning(
  client: SFNClient,
  stateMachineArn: string,
  clusterId: string,
): Promise<ExecutionListItem | null> {
  let nextToken: string | undefined;
  do {
    let page: ListExecutionsCommandOutput;
    try {
      page = await client.send(
        new ListExecutionsCommand({
          stateMachineArn,
          statusFilter: 'RUNNING',
          ...(nextToken === undefined ? {} : { nextToken }),
        }),
      );
    } catch (cause) {
      throw sfnFailure('ListExecutions', stateMachineArn, cause);
    }
    const mine = (page.executions ?? []).find((e) => e.name !== undefined && isRunOf(clusterId, e.name));
    if (mine) return mine;
    nextToken = page.nextToken;
  } while (nextToken);
  return null;
}

/** arn:aws:states:<region>:<account>:stateMachine:<sm> → …:execution:<sm>:<name>. */
export function executionArnOf(stateMachineArn: string, name: string): string {
  return `${stateMachineArn.replace(':stateMachine:', ':execution:')}:${name}`;
}

function sfnFailure(operation: string, stateMachineArn: string, cause: unknown): HsmSentinelError {
  const name = cause instanceof Error ? cause.name : 'Error';
  const options = { cause, context: { stateMachineArn, awsError: name } };
  if (
    ['StateMachineDoesNotExist', 'InvalidArn', 'AccessDeniedException', 'StateMachineDeleting'].includes(name)
  ) {
    return new ConfigurationError(
      `${operation} on ${stateMachineArn} failed (${name}): check STATE_MACHINE_ARN and that the role may call states:${operation}`,
      options,
    );
  }
  if (['InvalidName', 'InvalidExecutionInput'].includes(name)) {
    return new InvalidInputError(`${operation} on ${stateMachineArn} rejected the run (${name})`, options);
  }
  return new TransportError(`${operation} on ${stateMachineArn} failed (${name}): retry`, options);
}
