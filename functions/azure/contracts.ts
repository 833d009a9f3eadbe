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

export const ORCHESTRATOR_NAME = 'hsmSentinelRun';
export const HTTP_START_NAME = 'hsmSentinelHttpStart';
export const TIMER_START_NAME = 'hsmSentinelSchedule';
/** `POST /api/<route>` starts a runbook run. */
export const HTTP_START_ROUTE = 'runs';

export const ACTIVITY_NAMES = {
  resolve: 'hsmSentinelResolve',
  collectNode: 'hsmSentinelCollectNode',
  markUnreadable: 'hsmSentinelMarkUnreadable',
  audit: 'hsmSentinelAudit',
  sync: 'hsmSentinelSync',
  verify: 'hsmSentinelVerify',
  protect: 'hsmSentinelProtect',
  alert: 'hsmSentinelAlert',
} as const;
export type ActivityName = (typeof ACTIVITY_NAMES)[keyof typeof ACTIVITY_NAMES];

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

/** The runbook request body of `POST /api/runs`. */
export const httpStartBodySchema = z.strictObject({
  clusterId: z.string().min(1, 'clusterId is required'),
  dryRun: z.boolean().optional(),
  policy: z.record(z.string(), z.unknown()).optional(),
});
export type HttpStartBody = z.infer<typeof httpStartBodySchema>;

/** zod issues as one line: `policy: expected object; dryRun: expected boolean`. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => `${issue.path.length > 0 ? issue.path.join('.') : 'body'}: ${issue.message}`)
    .join('; ');
}
