/**
 * Lambda `trigger` (docs/CONTRACTS-aws.md): an EventBridge schedule event, a CloudTrail
 * CreateHsm / DeleteHsm event, or a runbook request → one normalised input per cluster →
 * StartExecution. A duplicate of the same event is reported, not started twice; a cluster
 * with a run in progress (or holding the run lock in STATE_TABLE) gets no second one (the
 * answer names the running execution); a
 * malformed event is an InvalidInputError and starts nothing.
 */
import { type StartRunOutcome, startRuns } from '#providers/aws/step-functions-starter.ts';
import { normaliseTrigger } from '#workflow/triggers/normalise.ts';
import { awsTriggerDeps, type TriggerDeps } from './deps.ts';
import { coldStartOnce, defaultObservability, lambdaHandler, type Observability } from './lambda.ts';

export interface TriggerResult {
  kind: string;
  outcomes: StartRunOutcome[];
  ignored: string[];
}

export function makeHandler(deps: TriggerDeps, obs: Observability = defaultObservability) {
  return lambdaHandler(
    'Trigger',
    async (event, context): Promise<TriggerResult> => {
      const normalisation = normaliseTrigger(event, deps.defaults, context.awsRequestId);
      const outcomes = await startRuns(
        deps.sfn,
        deps.stateMachineArn,
        normalisation,
        deps.clock(),
        deps.runLock,
      );
      for (const outcome of outcomes) obs.logger.info('trigger outcome', { ...outcome });
      for (const reason of normalisation.ignored) obs.logger.info('trigger ignored', { reason });
      return { kind: normalisation.kind, outcomes, ignored: normalisation.ignored };
    },
    obs,
  );
}

export const handler = coldStartOnce(() => makeHandler(awsTriggerDeps()));
