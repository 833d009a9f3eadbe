/**
 * The schedule (NCRONTAB from HSM_SENTINEL_SCHEDULE, default every 6 hours): one orchestration
 * per configured cluster, unless that cluster's run is still going (then it is logged and
 * left alone). One cluster that cannot be started does not stop the others; the invocation
 * fails afterwards so the failure shows in monitoring.
 */
import type { InvocationContext, Timer, TimerHandler } from '@azure/functions';
import { TransportError } from '#core/errors.ts';
import { scheduledRuns } from '#workflow/triggers/schedule.ts';
import type { StarterOptions } from './http-start.ts';
import { runContextOf, type StartOutcome, startUnlessRunning, triggerDefaults } from './start-run.ts';

export interface TimerStartResult {
  started: string[];
  skipped: { clusterId: string; instanceId: string; runtimeStatus: string }[];
  failed: { clusterId: string; error: string }[];
}

export function createTimerStart(options: StarterOptions): TimerHandler {
  const clock = options.clock ?? (() => new Date());
  return async (timer: Timer, context: InvocationContext): Promise<TimerStartResult> => {
    const settings = options.settings();
    const client = options.clientFor(context);
    const result: TimerStartResult = { started: [], skipped: [], failed: [] };
    const detail = `schedule ${settings.schedule}${timer.isPastDue ? ' (past due)' : ''}`;
    const now = clock();
    // One firing is one set of runs: a firing delivered twice within its minute is a duplicate
    // (the Timer gives the previous and next occurrence, not this one).
    const firedAt = `timer ${now.toISOString().slice(0, 16)}`;
    for (const run of scheduledRuns(triggerDefaults(settings), detail, firedAt).runs) {
      const clusterId = run.clusterId;
      let outcome: StartOutcome;
      try {
        outcome = await startUnlessRunning(client, runContextOf(run, now));
      } catch (error) {
        const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
        context.error(`could not start the scheduled run of ${clusterId}: ${message}`);
        result.failed.push({ clusterId, error: message });
        continue;
      }
      if (outcome.started) {
        context.info(
          `started run ${outcome.context.runId} of ${clusterId} as instance ${outcome.instanceId}`,
        );
        result.started.push(outcome.instanceId);
      } else {
        context.warn(
          `scheduled run of ${clusterId} not started: instance ${outcome.instanceId} is ${outcome.runtimeStatus}${
            outcome.reason === 'busy' && outcome.since ? ` since ${outcome.since}` : ''
          }`,
        );
        result.skipped.push({
          clusterId,
          instanceId: outcome.instanceId,
          runtimeStatus: outcome.runtimeStatus,
        });
      }
    }
    if (result.failed.length > 0) {
      throw new TransportError(
        `scheduled runs not started for ${result.failed.map((f) => `${f.clusterId} (${f.error})`).join('; ')}`,
      );
    }
    return result;
  };
}
