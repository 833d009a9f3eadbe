/**
 * Triggers: every way a run can be asked for, normalised to one shape, and the start of the
 * Step Functions execution. Used by the trigger Lambda, the runbook Function URL and
 * `hsm-sentinel run --remote`.
 *
 * Three kinds of event are accepted:
 * - an EventBridge scheduled rule's event (`source: aws.events`, `detail-type: Scheduled
 *   Event`): one run per configured cluster;
 * - a CloudTrail `CreateHsm` / `DeleteHsm` call delivered by EventBridge (`source:
 *   aws.cloudhsm`, `detail-type: AWS API Call via CloudTrail`): one run for that cluster;
 *   failed calls (`errorCode`), other calls and clusters not configured are ignored, not
 *   errors. The run's Resolve step waits (ClusterNotStableError retries) until the new node
 *   set is ACTIVE;
 * - a runbook request `{clusterId, dryRun?, policy?, requestedBy?, requestId?}`.
 *
 * Execution names are `<clusterId>-<kind>-<12 hex of sha256(event id | schedule time |
 * request id)>`: the same event delivered twice gets the same name, and Step Functions
 * answers the second start with ExecutionAlreadyExists, reported as a duplicate.
 *
 * At most one execution per cluster: with a RunLock (src/workflow/run-lock.ts), startRun
 * takes the cluster's lock under the execution name before StartExecution, so two different
 * events arriving at once cannot both start; the run's Alert step releases it.
 */
import { createHash } from 'node:crypto';
import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  ListExecutionsCommand,
  type ListExecutionsCommandOutput,
  type SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { z } from 'zod';
import {
  ConfigurationError,
  type HsmSentinelError,
  InvalidInputError,
  TransportError,
} from '#core/errors.ts';
import type { Dialect, Policy, ProviderName } from '#core/model.ts';
import { resolvePolicy } from '#core/policy.ts';
import { type RunContext, TRIGGER_KINDS, type TriggerInfo, type TriggerKind } from './contracts.ts';
import type { RunLock } from './run-lock.ts';

export interface TriggerDefaults {
  /** The clusters this deployment looks after. */
  clusterIds: readonly string[];
  provider: ProviderName;
  dialect: Dialect;
  /** The deployment's policy; a runbook request may override fields of it. */
  policy: Policy;
}

/** One run to start. */
export interface NormalisedRun {
  clusterId: string;
  provider: ProviderName;
  dialect: Dialect;
  trigger: TriggerInfo;
  /** Validated overrides the request asked for (empty for schedule and scaling events). */
  policyOverrides: Partial<Policy>;
  /** defaults.policy with the overrides applied. */
  policy: Policy;
  /** 12 hex digits identifying the event: the same event gives the same token. */
  dedupToken: string;
  executionName: string;
}

export interface TriggerNormalisation {
  kind: TriggerKind;
  runs: NormalisedRun[];
  /** Why (part of) the event starts nothing, e.g. a cluster that is not configured. */
  ignored: string[];
}

export const SCHEDULE_DETAIL_TYPE = 'Scheduled Event';
export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const SCALING_EVENT_NAMES = ['CreateHsm', 'DeleteHsm'] as const;

const EXECUTION_NAME_MAX = 80;
const TOKEN_LENGTH = 12;

const scheduledEventSchema = z.object({
  source: z.literal('aws.events'),
  'detail-type': z.literal(SCHEDULE_DETAIL_TYPE),
  id: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  resources: z.array(z.string()),
});

const cloudTrailEnvelopeSchema = z.object({
  source: z.literal('aws.cloudhsm'),
  'detail-type': z.literal(CLOUDTRAIL_DETAIL_TYPE),
  id: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  detail: z.object({
    eventSource: z.literal('cloudhsm.amazonaws.com'),
    eventName: z.string().min(1),
    eventID: z.string().min(1),
    errorCode: z.string().optional(),
    errorMessage: z.string().optional(),
    userIdentity: z.object({ arn: z.string().optional(), type: z.string().optional() }).optional(),
    requestParameters: z.unknown().optional(),
    responseElements: z.unknown().optional(),
  }),
});

const scalingCallSchema = z.object({
  requestParameters: z.object({
    clusterId: z.string().min(1),
    hsmId: z.string().optional(),
    eniIp: z.string().optional(),
  }),
  responseElements: z
    .object({
      hsm: z.object({ hsmId: z.string().min(1), state: z.string().optional() }).optional(),
      hsmId: z.string().optional(),
    })
    .nullable()
    .optional(),
});

const runbookRequestSchema = z.strictObject({
  clusterId: z
    .string()
    .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'expected a cluster id such as cluster-abc…'),
  dryRun: z.boolean().optional(),
  policy: z.record(z.string(), z.unknown()).optional(),
  requestedBy: z.string().min(1).max(200).optional(),
  requestId: z.string().min(1).max(200).optional(),
});

export type RunbookRequest = z.infer<typeof runbookRequestSchema>;

/**
 * Turns an event into the runs it asks for. Throws InvalidInputError, naming the field and
 * where it is, for a malformed event; returns `ignored` reasons for well-formed events that
 * ask for nothing. `invocationId` (e.g. the Lambda request id) identifies a runbook request
 * that carries no `requestId` of its own.
 *
 * @example
 * normaliseTrigger({ clusterId: 'cluster-igklspoyj5v', dryRun: true, requestId: 'r1' }, defaults)
 * // → { kind: 'runbook', runs: [{ executionName: 'cluster-igklspoyj5v-runbook-…', … }], ignored: [] }
 */
export function normaliseTrigger(
  event: unknown,
  defaults: TriggerDefaults,
  invocationId?: string,
): TriggerNormalisation {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidInputError(
      `trigger event: expected a JSON object (an EventBridge event or a runbook request), got ${describe(event)}`,
    );
  }
  const record = event as Record<string, unknown>;
  if ('source' in record || 'detail-type' in record) {
    if (record.source === 'aws.events') return fromSchedule(record, defaults);
    if (record.source === 'aws.cloudhsm') return fromCloudTrail(record, defaults);
    throw new InvalidInputError(
      `EventBridge event: source '${String(record.source)}' with detail-type '${String(record['detail-type'])}' ` +
        `is neither a '${SCHEDULE_DETAIL_TYPE}' (aws.events) nor a CloudHSM '${CLOUDTRAIL_DETAIL_TYPE}' (aws.cloudhsm): fix the rule's event pattern`,
    );
  }
  return fromRunbook(record, defaults, invocationId);
}

function fromSchedule(event: unknown, defaults: TriggerDefaults): TriggerNormalisation {
  const parsed = validate(scheduledEventSchema, event, 'scheduled event');
  const rule = parsed.resources[0]?.split('/').pop() ?? 'schedule';
  const runs = defaults.clusterIds.map((clusterId) =>
    run(defaults, clusterId, 'schedule', `rule ${rule} at ${parsed.time}`, parsed.time, {}),
  );
  return {
    kind: 'schedule',
    runs,
    ignored: runs.length === 0 ? ['no clusters are configured: nothing to run on a schedule'] : [],
  };
}

function fromCloudTrail(event: unknown, defaults: TriggerDefaults): TriggerNormalisation {
  const parsed = validate(cloudTrailEnvelopeSchema, event, 'CloudTrail event');
  const detail = parsed.detail;
  const ignore = (reason: string): TriggerNormalisation => ({ kind: 'scaling', runs: [], ignored: [reason] });
  if (!(SCALING_EVENT_NAMES as readonly string[]).includes(detail.eventName)) {
    return ignore(
      `${detail.eventName} (CloudTrail event ${detail.eventID}) does not change a cluster's HSMs`,
    );
  }
  if (detail.errorCode !== undefined) {
    return ignore(
      `${detail.eventName} (CloudTrail event ${detail.eventID}) failed with ${detail.errorCode}: the cluster did not change`,
    );
  }
  const call = validate(scalingCallSchema, detail, 'CloudTrail event', 'detail');
  const clusterId = call.requestParameters.clusterId;
  if (!defaults.clusterIds.includes(clusterId)) {
    return ignore(`${detail.eventName} on cluster ${clusterId}, which this deployment does not look after`);
  }
  const hsmId =
    call.responseElements?.hsm?.hsmId ??
    call.responseElements?.hsmId ??
    call.requestParameters.hsmId ??
    call.requestParameters.eniIp;
  const who = detail.userIdentity?.arn ?? 'an unknown caller';
  const what = `${detail.eventName}${hsmId ? ` ${hsmId}` : ''} by ${who} (CloudTrail event ${detail.eventID})`;
  return {
    kind: 'scaling',
    runs: [run(defaults, clusterId, 'scaling', what, detail.eventID, {})],
    ignored: [],
  };
}

function fromRunbook(event: unknown, defaults: TriggerDefaults, invocationId?: string): TriggerNormalisation {
  const request = validate(runbookRequestSchema, event, 'runbook request');
  if (!defaults.clusterIds.includes(request.clusterId)) {
    throw new InvalidInputError(
      `runbook request: clusterId '${request.clusterId}' is not a cluster this deployment looks after ` +
        `(${defaults.clusterIds.join(', ') || 'none configured'})`,
    );
  }
  const requestId = request.requestId ?? invocationId;
  if (!requestId) {
    throw new InvalidInputError(
      'runbook request: requestId is missing (give one so a retried request is not run twice)',
    );
  }
  const overrides: Record<string, unknown> = { ...(request.policy ?? {}) };
  if (request.dryRun !== undefined) overrides.dryRun = request.dryRun;
  let policyOverrides: Partial<Policy>;
  try {
    // Validates every field by name; the result is the overrides alone.
    resolvePolicy(overrides, defaults.policy);
    policyOverrides = overrides as Partial<Policy>;
  } catch (cause) {
    if (cause instanceof InvalidInputError) {
      throw new InvalidInputError(`runbook request: ${cause.message}`, { cause });
    }
    throw cause;
  }
  const who = request.requestedBy ?? 'an unnamed operator';
  return {
    kind: 'runbook',
    runs: [
      run(
        defaults,
        request.clusterId,
        'runbook',
        `requested by ${who} (request ${requestId})`,
        requestId,
        policyOverrides,
      ),
    ],
    ignored: [],
  };
}

function run(
  defaults: TriggerDefaults,
  clusterId: string,
  kind: TriggerKind,
  detail: string,
  source: string,
  policyOverrides: Partial<Policy>,
): NormalisedRun {
  const dedupToken = createHash('sha256').update(source).digest('hex').slice(0, TOKEN_LENGTH);
  return {
    clusterId,
    provider: defaults.provider,
    dialect: defaults.dialect,
    trigger: { kind, detail },
    policyOverrides,
    policy: resolvePolicy(policyOverrides, defaults.policy),
    dedupToken,
    executionName: executionName(clusterId, kind, dedupToken),
  };
}

/** `<clusterId>-<kind>-<token>`, in Step Functions' alphabet and length. */
export function executionName(clusterId: string, kind: TriggerKind, dedupToken: string): string {
  const tail = `-${kind}-${dedupToken}`;
  return `${namePart(clusterId).slice(0, EXECUTION_NAME_MAX - tail.length)}${tail}`;
}

/** Whether an execution name is one of ours for this cluster (any kind, any token). */
export function isRunOf(clusterId: string, name: string): boolean {
  const token = name.slice(-TOKEN_LENGTH);
  if (!/^[0-9a-f]+$/.test(token)) return false;
  return TRIGGER_KINDS.some((kind) => name === executionName(clusterId, kind, token));
}

function namePart(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}

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
    dialect: normalised.dialect,
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

function validate<T>(schema: z.ZodType<T>, value: unknown, what: string, at = ''): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => {
    const path = [at, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    return `${path || '(top level)'}: ${issue.message}`;
  });
  throw new InvalidInputError(`${what} is malformed: ${problems.join('; ')}; nothing was started`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
