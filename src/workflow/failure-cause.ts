/**
 * A Catch puts the failed step's error into the state as `{Error, Cause}`. Deployed, the
 * Cause of a Lambda error is the runtime's JSON (`{"errorType","errorMessage","trace"}`);
 * in the local runner it is the plain message. Both become one readable line here, so the
 * report and the alert never carry a stack trace.
 */
import type { RunState } from './contracts.ts';

const MAX_MESSAGE = 1000;

/** The human part of a Step Functions error Cause. */
export function readableCause(cause: unknown): string {
  if (typeof cause !== 'string' || cause.length === 0) return 'no detail';
  try {
    const parsed = JSON.parse(cause) as { errorMessage?: unknown };
    if (parsed && typeof parsed.errorMessage === 'string') return parsed.errorMessage.slice(0, MAX_MESSAGE);
  } catch {
    // Not JSON: already a plain message.
  }
  return cause.slice(0, MAX_MESSAGE);
}

/** The state with `failure.message` made readable; unchanged when the run has not failed. */
export function withReadableFailure(state: RunState): RunState {
  if (!state.failure) return state;
  return { ...state, failure: { ...state.failure, message: readableCause(state.failure.message) } };
}
