/**
 * Runs an orchestrator the way the Durable host does: durable-functions' own executor
 * (`createOrchestrator`, the wrapper `df.app.orchestration` registers) replays the
 * generator from a history; each episode's new actions (activities, Task.all fan-outs,
 * timers) are executed here and their results appended as TaskCompleted / TimerFired
 * events, until the orchestration returns or fails. This proves the orchestrator is
 * deterministic under replay and speaks the real `context.df` API.
 *
 * durable-functions does not export the executor or the history types from its index:
 * they are loaded from the package's files (lib/src/util/testingUtils.js).
 */
import { createRequire } from 'node:module';
import { DummyOrchestrationContext, type OrchestrationHandler } from 'durable-functions';
import type { ActivityName } from '../../../functions/azure/contracts.ts';
import type { ActivityResolver, DriveResult, LogLine } from './functions.ts';

const require = createRequire(import.meta.url);
const testing = require('durable-functions/lib/src/util/testingUtils.js') as {
  createOrchestrator(
    fn: OrchestrationHandler,
  ): (trigger: unknown, context: unknown) => Promise<OrchestratorState>;
  DurableOrchestrationInput: new (instanceId: string, history: unknown[], input: unknown) => unknown;
};

const EVENT = { ExecutionStarted: 0, TaskCompleted: 5, TimerFired: 11, OrchestratorStarted: 12 } as const;
const ACTION = { CallActivity: 0, CreateTimer: 5, WhenAll: 12 } as const;

interface Action {
  actionType: number;
  functionName?: string;
  input?: unknown;
  fireAt?: Date;
  compoundActions?: Action[];
}

interface OrchestratorState {
  isDone: boolean;
  actions: Action[][];
  output: unknown;
  error?: string;
  customStatus?: unknown;
}

/** Atomic actions in the order the executor numbers them (a Task.all's children in order). */
function flatten(actions: Action[]): Action[] {
  return actions.flatMap((a) => (a.actionType === ACTION.WhenAll ? flatten(a.compoundActions ?? []) : [a]));
}

export async function replayOrchestrator(
  orchestrator: OrchestrationHandler,
  input: unknown,
  resolve: ActivityResolver,
  options: { instanceId?: string; maxEpisodes?: number } = {},
): Promise<DriveResult & { episodes: number }> {
  const handler = testing.createOrchestrator(orchestrator);
  const logs: LogLine[] = [];
  const trace: string[] = [];
  const statuses: unknown[] = [];
  let now = new Date('2026-11-23T12:00:00.000Z');
  const event = (type: number, fields: Record<string, unknown> = {}) => ({
    EventType: type,
    EventId: -1,
    IsPlayed: false,
    IsProcessed: false,
    Timestamp: now,
    ...fields,
  });
  const history: unknown[] = [
    event(EVENT.OrchestratorStarted),
    event(EVENT.ExecutionStarted, { Name: 'hsmSentinelRun', Input: JSON.stringify(input) }),
  ];
  let done = 0;
  for (let episode = 1; episode <= (options.maxEpisodes ?? 200); episode += 1) {
    const context = new DummyOrchestrationContext('hsmSentinelRun', `episode-${episode}`, (level, ...args) =>
      logs.push({ level, text: args.map(String).join(' ') }),
    );
    let state: OrchestratorState;
    try {
      state = await handler(
        new testing.DurableOrchestrationInput(options.instanceId ?? 'hsm-sentinel-replay', history, input),
        context,
      );
    } catch (error) {
      // OrchestrationFailureError: "<…>\n\n$OutOfProcData$:<state JSON>"; the state's `error` is the message.
      const text = (error as Error).message;
      const [, data] = text.split('\n\n$OutOfProcData$:');
      const failed = data ? (JSON.parse(data) as OrchestratorState) : null;
      return {
        output: null,
        error: new Error(failed?.error ?? text),
        trace,
        statuses,
        logs,
        episodes: episode,
      };
    }
    if (state.customStatus !== undefined) statuses.push(state.customStatus);
    if (state.isDone) return { output: state.output, error: null, trace, statuses, logs, episodes: episode };
    const actions = flatten(state.actions.flat());
    const fresh = actions.slice(done);
    if (fresh.length === 0) throw new Error(`episode ${episode}: the orchestrator is waiting on nothing`);
    const completions = await Promise.all(
      fresh.map(async (action, index) => {
        const id = done + index;
        if (action.actionType === ACTION.CallActivity) {
          trace.push(action.functionName as string);
          const activityInput = typeof action.input === 'string' ? JSON.parse(action.input) : action.input;
          const result = await resolve(action.functionName as ActivityName, activityInput);
          return event(EVENT.TaskCompleted, { TaskScheduledId: id, Result: JSON.stringify(result) });
        }
        if (action.actionType === ACTION.CreateTimer) {
          const fireAt = new Date(action.fireAt as Date);
          trace.push(`timer:${fireAt.getTime() - now.getTime()}`);
          return event(EVENT.TimerFired, { TimerId: id, FireAt: fireAt.toISOString() });
        }
        throw new Error(`episode ${episode}: unexpected action type ${action.actionType}`);
      }),
    );
    done = actions.length;
    const timer = fresh.find((a) => a.actionType === ACTION.CreateTimer);
    if (timer) now = new Date(timer.fireAt as Date);
    history.push(event(EVENT.OrchestratorStarted), ...completions);
  }
  throw new Error('the orchestration did not finish within the episode limit');
}
