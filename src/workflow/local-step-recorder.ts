/**
 * The steps of a local execution as the report's timeline (RunStep): one entry per state
 * entered (Pass and Choice states left out: they take no time and do no work), with its
 * times, retries and how it ended, built from the local runner's state events.
 */
import type { RunStep } from '#core/report.ts';
import type { LocalStateEvent } from './local-asl-runner.ts';

const NOT_STEPS = new Set(['Pass', 'Choice', 'Succeed', 'Fail']);

export class LocalStepRecorder {
  readonly #steps: RunStep[] = [];
  /** The open entry of each state (and Map item), by `state#index`. */
  readonly #open = new Map<string, RunStep>();

  record(event: LocalStateEvent): void {
    if (NOT_STEPS.has(event.stateType)) return;
    const key = `${event.state}#${event.index ?? ''}`;
    const at = new Date(event.timestamp).toISOString();
    if (event.kind === 'entered') {
      const step: RunStep = {
        name: event.state,
        ...(event.item === undefined ? {} : { item: event.item }),
        startedAt: at,
        endedAt: null,
        outcome: 'running',
      };
      this.#steps.push(step);
      this.#open.set(key, step);
      return;
    }
    const step = this.#open.get(key);
    if (!step) return;
    if (event.kind === 'retried') {
      // The failed attempt before it was not the end: the state runs again.
      step.retries = (step.retries ?? 0) + 1;
      step.outcome = 'running';
      step.endedAt = null;
      delete step.error;
      return;
    }
    step.endedAt = at;
    if (event.kind === 'exited') step.outcome = 'succeeded';
    else {
      step.outcome = event.kind === 'caught' ? 'caught' : 'failed';
      if (event.error !== undefined) step.error = event.error;
    }
    // A failure may still be retried or caught: the entry stays open until then.
    if (event.kind !== 'failed') this.#open.delete(key);
  }

  /** A copy of the steps so far (a state still running has endedAt null). */
  steps(): RunStep[] {
    return this.#steps.map((s) => ({ ...s }));
  }
}
