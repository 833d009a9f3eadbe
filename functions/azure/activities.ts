/**
 * The activities: each one validates its input, calls ONE workflow step (the same function
 * a Lambda, the local ASL runner and the CLI call) and answers with an envelope
 * `{ok: true, value}` / `{ok: false, error: {name, message}}` (see contracts.ts).
 */
import type { InvocationContext } from '@azure/functions';
import type { RunState } from '#workflow/contracts.ts';
import type { StepLogger, WorkflowDeps } from '#workflow/deps.ts';
import { parseCollectNodeInput, parseMarkUnreadableInput, parseRunState } from '#workflow/schemas.ts';
import { alertStep } from '#workflow/steps/alert.ts';
import { auditStep } from '#workflow/steps/audit.ts';
import { collectNodeStep, markUnreadableStep } from '#workflow/steps/collect-node.ts';
import { protectStep } from '#workflow/steps/protect.ts';
import { resolveStep } from '#workflow/steps/resolve.ts';
import { syncStep } from '#workflow/steps/sync.ts';
import { verifyStep } from '#workflow/steps/verify.ts';
import { ACTIVITY_NAMES, type ActivityName, type ActivityResult } from './contracts.ts';

export type ActivityHandler = (
  input: unknown,
  context: InvocationContext,
) => Promise<ActivityResult<unknown>>;

type Step = (input: unknown, deps: WorkflowDeps) => Promise<unknown>;

function onState(step: (state: RunState, deps: WorkflowDeps) => Promise<unknown>): Step {
  return (input, deps) => step(parseRunState(input, 'activity'), deps);
}

const STEPS: Record<ActivityName, Step> = {
  [ACTIVITY_NAMES.resolve]: onState(resolveStep),
  [ACTIVITY_NAMES.collectNode]: (input, deps) => collectNodeStep(parseCollectNodeInput(input), deps),
  [ACTIVITY_NAMES.markUnreadable]: (input, deps) => markUnreadableStep(parseMarkUnreadableInput(input), deps),
  [ACTIVITY_NAMES.audit]: onState(auditStep),
  [ACTIVITY_NAMES.sync]: onState(syncStep),
  [ACTIVITY_NAMES.verify]: onState(verifyStep),
  [ACTIVITY_NAMES.protect]: onState(protectStep),
  [ACTIVITY_NAMES.alert]: onState(alertStep),
};

/**
 * One handler per activity name. `getDeps` is called at each invocation and must return the
 * process-wide deps (built once); a failure to build them is answered as that step's error.
 */
export function createActivityHandlers(getDeps: () => WorkflowDeps): Record<ActivityName, ActivityHandler> {
  const handlers = {} as Record<ActivityName, ActivityHandler>;
  for (const [name, step] of Object.entries(STEPS) as [ActivityName, Step][]) {
    handlers[name] = async (input, context) => {
      try {
        const deps = { ...getDeps(), log: invocationLogger(context) };
        return { ok: true, value: await step(input, deps) };
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        context.error(`${name} failed: ${err.name}: ${err.message}`);
        return { ok: false, error: { name: err.name, message: err.message } };
      }
    };
  }
  return handlers;
}

/** Step log lines into the invocation's log (Application Insights), fields as JSON. */
export function invocationLogger(context: InvocationContext): StepLogger {
  const line = (message: string, fields?: Record<string, unknown>) =>
    fields === undefined ? message : `${message} ${JSON.stringify(fields)}`;
  return {
    info: (message, fields) => context.info(line(message, fields)),
    warn: (message, fields) => context.warn(line(message, fields)),
    error: (message, fields) => context.error(line(message, fields)),
  };
}
