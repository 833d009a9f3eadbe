/**
 * Runs the real state machine definition (statemachines/audit-and-sync.asl.json) in
 * process with aws-local-stepfunctions: every Task is bound, by state name, to the same
 * step function its Lambda calls, with the input the ASL hands it. `${…}` substitutions
 * become placeholder ARNs; nothing reaches AWS. Progress comes from the execution's event
 * log, and every state input/output is measured against the 256 KiB Step Functions cap.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { type RunOptions, StateMachine, type StateMachineDefinition } from 'aws-local-stepfunctions';
import { ConfigurationError } from '#core/errors.ts';
import type { RunContext, RunState } from './contracts.ts';
import type { WorkflowDeps } from './deps.ts';
import { LocalStepRecorder } from './local-step-recorder.ts';
import { stepForTask } from './steps/index.ts';

/** The definition `npm start`, the CDK stack and the tests all use. */
export const DEFAULT_DEFINITION_PATH = fileURLToPath(
  new URL('../../statemachines/audit-and-sync.asl.json', import.meta.url),
);

/** Step Functions rejects a state input or output above this many bytes. */
export const STATE_PAYLOAD_LIMIT_BYTES = 256 * 1024;

export interface LocalStateEvent {
  kind: 'entered' | 'exited' | 'failed' | 'retried' | 'caught';
  /** State name as in the definition (`CollectNode` for every Map item). */
  state: string;
  stateType: string;
  /** The Map item index, for states inside CollectNodes. */
  index?: number;
  /** The Map item's node id (the `nodeId` of its input), for states inside CollectNodes. */
  item?: string;
  /** When it happened (ms since the epoch), from the execution's event log. */
  timestamp: number;
  /** Size of the state's input (entered) or output (exited), in bytes of JSON. */
  bytes: number;
  /** failed / caught: the error name. */
  error?: string;
  /** failed: the error cause. */
  cause?: string;
  /** retried: which retry this is (1-based). */
  attempt?: number;
}

export interface LocalRunOptions {
  /** Defaults to the real statemachines/audit-and-sync.asl.json. */
  definitionPath?: string;
  input: { context: RunContext };
  deps: WorkflowDeps;
  /** Called for every state as it is entered, exited, failed, retried or caught. */
  onState?: (event: LocalStateEvent) => void;
  /** Wait between retries instead of the definition's IntervalSeconds (default 0). */
  retryIntervalMs?: number;
  /**
   * Wait in every Wait state this long instead of its Seconds (default: the definition's own
   * time, as the deployed state machine waits). Tests and the demo shorten it.
   */
  waitTimeMs?: number;
  /** Sees every Task's effective input before its step runs (tests check it with the Lambda schemas). */
  checkTaskInput?: (stateName: string, input: unknown) => void;
}

export interface LocalRunResult {
  status: 'succeeded' | 'failed';
  /** The run document: the output of Done, or the input of the state the run failed in. */
  state: RunState | null;
  /** The Fail state's Error/Cause (or the runtime error) when the run failed. */
  error: { name: string; cause: string } | null;
  /** Top-level states in the order they ran. */
  visited: string[];
  /** The largest state input or output seen (JSON bytes) and the state it was in. */
  largestPayload: { bytes: number; state: string };
  definitionPath: string;
  definitionSha256: string;
}

/**
 * Executes the definition locally and resolves when the execution ends (never rejects for a
 * failed run: `status` says so).
 *
 * @example
 * const result = await runStateMachineLocally({ input: { context }, deps, onState: (e) => console.log(e) });
 * if (result.status === 'failed') console.error(result.error);
 */
export async function runStateMachineLocally(options: LocalRunOptions): Promise<LocalRunResult> {
  const definitionPath = options.definitionPath ?? DEFAULT_DEFINITION_PATH;
  const raw = await readFile(definitionPath);
  const definitionSha256 = createHash('sha256').update(raw).digest('hex');
  const definition = JSON.parse(substitutePlaceholders(raw.toString('utf8'))) as StateMachineDefinition;

  let largest = { bytes: 0, state: '' };
  const measure = (state: string, value: unknown): number => {
    const bytes = jsonBytes(value);
    if (bytes > largest.bytes) largest = { bytes, state };
    return bytes;
  };

  // The report's timeline: the steps as they ran, read by the Alert step (deps.executionSteps).
  const recorder = new LocalStepRecorder();
  const deps: WorkflowDeps = { ...options.deps, executionSteps: () => recorder.steps() };

  const handlers: Record<string, (input: unknown) => Promise<unknown>> = {};
  const retryIntervalOverrides: Record<string, number> = {};
  for (const name of taskStateNames(definition)) {
    // Each Task runs its step exactly as its Lambda does: the same schema, the same function.
    const binding = stepForTask(name);
    if (!binding) {
      throw new ConfigurationError(
        `${definitionPath}: Task state '${name}' is not a step of src/workflow/steps`,
      );
    }
    retryIntervalOverrides[name] = options.retryIntervalMs ?? 0;
    handlers[name] = async (input) => {
      // The Lambda boundary: JSON in, JSON out.
      const payload = roundTrip(input);
      measure(name, payload);
      options.checkTaskInput?.(name, payload);
      const output = roundTrip(await binding.invoke(payload, deps));
      measure(name, output);
      return output;
    };
  }

  const waitTimeOverrides: Record<string, number> = {};
  if (options.waitTimeMs !== undefined) {
    for (const name of waitStateNames(definition)) waitTimeOverrides[name] = options.waitTimeMs;
  }

  const machine = new StateMachine(definition, { validationOptions: { checkPaths: true, checkArn: true } });
  const runOptions: RunOptions = {
    overrides: {
      taskResourceLocalHandlers: handlers as NonNullable<
        NonNullable<RunOptions['overrides']>['taskResourceLocalHandlers']
      >,
      retryIntervalOverrides,
      waitTimeOverrides,
    },
  };
  const execution = machine.run(roundTrip(options.input) as Parameters<StateMachine['run']>[0], runOptions);

  const visited: string[] = [];
  let lastTopLevelInput: unknown = null;
  const items = new Map<number, string>();
  const drained = (async () => {
    for await (const event of execution.eventLogs) {
      if (!('state' in event)) continue;
      const topLevel = event.index === undefined;
      if (event.type === 'StateEntered' && event.index !== undefined) {
        const nodeId = (event.state.input as { nodeId?: unknown } | null)?.nodeId;
        if (typeof nodeId === 'string') items.set(event.index, nodeId);
      }
      const base = { state: event.state.name, stateType: event.state.type, timestamp: event.timestamp };
      const item = event.index === undefined ? undefined : items.get(event.index);
      const where =
        event.index === undefined ? {} : { index: event.index, ...(item === undefined ? {} : { item }) };
      let report: LocalStateEvent;
      switch (event.type) {
        case 'StateEntered':
          if (topLevel) {
            visited.push(event.state.name);
            lastTopLevelInput = event.state.input;
          }
          report = {
            kind: 'entered',
            ...base,
            ...where,
            bytes: measure(event.state.name, event.state.input),
          };
          break;
        case 'StateExited':
          report = {
            kind: 'exited',
            ...base,
            ...where,
            bytes: measure(event.state.name, event.state.output),
          };
          break;
        case 'StateFailed':
          report = {
            kind: 'failed',
            ...base,
            ...where,
            bytes: 0,
            error: event.Error,
            cause: String(event.Cause),
          };
          break;
        case 'StateRetried':
          report = { kind: 'retried', ...base, ...where, bytes: 0, attempt: event.retry.attempt };
          break;
        default:
          report = { kind: 'caught', ...base, ...where, bytes: 0 };
          break;
      }
      recorder.record(report);
      options.onState?.(report);
    }
  })();

  let status: LocalRunResult['status'] = 'succeeded';
  let finalState: unknown = null;
  let error: LocalRunResult['error'] = null;
  try {
    finalState = await execution.result;
    measure('(execution output)', finalState);
  } catch (failure) {
    status = 'failed';
    const cause = failure instanceof Error && failure.cause instanceof Error ? failure.cause : failure;
    error =
      cause instanceof Error
        ? { name: cause.name, cause: cause.message }
        : { name: 'Error', cause: String(cause) };
  }
  await drained;
  if (status === 'failed') finalState = lastTopLevelInput;

  return {
    status,
    state: (finalState as RunState | null) ?? null,
    error,
    visited,
    largestPayload: largest,
    definitionPath,
    definitionSha256,
  };
}

/** `${ResolveFunctionArn}` → a placeholder Lambda ARN; the handlers are bound by state name. */
export function substitutePlaceholders(text: string): string {
  return text.replace(
    /\$\{([A-Za-z0-9]+)\}/g,
    (_, name: string) => `arn:aws:lambda:us-east-1:000000000000:function:hsm-sentinel-local-${name}`,
  );
}

/** Every Task state, including those inside Map and Parallel states. */
export function taskStateNames(definition: { States: Record<string, unknown> }): string[] {
  const names: string[] = [];
  for (const [name, state] of Object.entries(definition.States)) {
    const s = state as {
      Type?: string;
      ItemProcessor?: { States: Record<string, unknown> };
      Iterator?: { States: Record<string, unknown> };
      Branches?: { States: Record<string, unknown> }[];
    };
    if (s.Type === 'Task') names.push(name);
    const nested = [s.ItemProcessor, s.Iterator, ...(s.Branches ?? [])].filter((d) => d !== undefined);
    for (const inner of nested) names.push(...taskStateNames(inner));
  }
  return names;
}

/** The top-level Wait states (none is nested in this definition). */
export function waitStateNames(definition: { States: Record<string, unknown> }): string[] {
  return Object.entries(definition.States)
    .filter(([, state]) => (state as { Type?: string }).Type === 'Wait')
    .map(([name]) => name);
}

function jsonBytes(value: unknown): number {
  return value === undefined ? 0 : Buffer.byteLength(JSON.stringify(value), 'utf8');
}

function roundTrip(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}
