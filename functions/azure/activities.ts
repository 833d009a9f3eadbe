/**
 * The activities: each one validates its input, calls ONE workflow step (the same function
 * a Lambda, the local ASL runner and the CLI call) and answers with an envelope
 * `{ok: true, value}` / `{ok: false, error: {name, message}}` (see contracts.ts).
 */
import type { InvocationContext } from '@azure/functions';
import type { StepLogger, WorkflowDeps } from '#workflow/deps.ts';
import { WORKFLOW_STEPS, type WorkflowStep } from '#workflow/steps/index.ts';
import type { ActivityName, ActivityResult } from './contracts.ts';

export type ActivityHandler = (
  input: unknown,
  context: InvocationContext,
) => Promise<ActivityResult<unknown>>;

/**
 * One handler per activity name. `getDeps` is called at each invocation and must return the
 * process-wide deps (built once); a failure to build them is answered as that step's error.
 */
export function createActivityHandlers(getDeps: () => WorkflowDeps): Record<ActivityName, ActivityHandler> {
  const handlerOf =
    (step: WorkflowStep): ActivityHandler =>
    async (input, context) => {
      try {
        const deps = { ...getDeps(), log: invocationLogger(context) };
        return { ok: true, value: await step.invoke(input, deps) };
      } catch (error) {
        const err = error instanceof Error ? error : new Error(String(error));
        context.error(`${step.activity} failed: ${err.name}: ${err.message}`);
        return { ok: false, error: { name: err.name, message: err.message } };
      }
    };
  // Keyed by exactly the steps' activity names (ActivityName is that union).
  return Object.fromEntries(WORKFLOW_STEPS.map((step) => [step.activity, handlerOf(step)])) as Record<
    ActivityName,
    ActivityHandler
  >;
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
