/**
 * What travels inside the Durable Functions app: the function names, the orchestration's
 * input and output, and the envelope every activity answers with.
 *
 * Activities never throw for a step's error: they answer `{ok: false, error: {name,
 * message}}`, so the orchestrator decides retries by the same error names the ASL Retry
 * blocks use (#workflow/retry-policy.ts), whatever the Durable host version does with
 * exception details. The orchestration itself fails (after its failure alert) when the run
 * failed.
 */
import { z } from 'zod';
import type { RunOutcome } from '#core/report.ts';
import type { RunContext } from '#workflow/contracts.ts';
import { runContextSchema } from '#workflow/schemas.ts';
import {
  ALERT,
  AUDIT,
  COLLECT_CLUSTER,
  COLLECT_NODE,
  MARK_UNREADABLE,
  PROTECT,
  RESOLVE,
  SYNC,
  VERIFY,
  WORKFLOW_STEPS,
} from '#workflow/steps/index.ts';

export const ORCHESTRATOR_NAME = 'hsmSentinelRun';
export const HTTP_START_NAME = 'hsmSentinelHttpStart';
export const TIMER_START_NAME = 'hsmSentinelSchedule';
/** `POST /api/<route>` starts a runbook run. */
export const HTTP_START_ROUTE = 'runs';

/** The orchestrator's table: one activity per workflow step (src/workflow/steps/index.ts). */
export const ACTIVITY_NAMES = {
  resolve: RESOLVE.activity,
  collectNode: COLLECT_NODE.activity,
  collectCluster: COLLECT_CLUSTER.activity,
  markUnreadable: MARK_UNREADABLE.activity,
  audit: AUDIT.activity,
  sync: SYNC.activity,
  verify: VERIFY.activity,
  protect: PROTECT.activity,
  alert: ALERT.activity,
} as const;
export type ActivityName = (typeof WORKFLOW_STEPS)[number]['activity'];

/** Every activity the app registers: exactly the workflow's steps. */
export const ALL_ACTIVITY_NAMES: readonly ActivityName[] = WORKFLOW_STEPS.map((step) => step.activity);

export interface ActivityError {
  name: string;
  message: string;
}

export type ActivityResult<T> = { ok: true; value: T } | { ok: false; error: ActivityError };

export interface OrchestrationInput {
  context: RunContext;
}

export interface OrchestrationOutput {
  runId: string;
  clusterId: string;
  outcome: RunOutcome;
  alertSent: boolean;
  reportRef: string;
  subject: string | null;
}

export const orchestrationInputSchema = z.object({ context: runContextSchema });
