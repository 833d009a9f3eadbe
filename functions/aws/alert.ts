/**
 * Lambda for the `Alert` and `FailureAlert` states (docs/CONTRACTS-aws.md): report to S3,
 * one SNS alert when there is something to say, and the run's metrics. A failed publish is
 * thrown (AlertDeliveryError): the run must not end green without its alert.
 */

import type { WorkflowDeps } from '#workflow/deps.ts';
import { withReadableFailure } from '#workflow/failure-cause.ts';
import { parseRunState } from '#workflow/schemas.ts';
import { ALERT } from '#workflow/steps/index.ts';
import { awsDeps } from './deps.ts';
import { coldStartOnce, defaultObservability, lambdaHandler, type Observability } from './lambda.ts';
import { addRunMetrics } from './run-metrics.ts';

export function makeHandler(deps: WorkflowDeps, obs: Observability = defaultObservability) {
  // The contract's dimension set is exactly {ClusterId}.
  obs.metrics.clearDefaultDimensions();
  return lambdaHandler(
    'Alert',
    async (event) => {
      const state = withReadableFailure(parseRunState(event, 'Alert'));
      // FailureAlert after a failed Alert: that invocation already counted the run.
      const counted = state.failure?.step === 'Alert';
      const count = (failed: boolean) =>
        counted
          ? Promise.resolve()
          : addRunMetrics(obs.metrics, state, deps, failed).catch((error: unknown) =>
              obs.logger.warn('run metrics not emitted', { error: String(error) }),
            );
      const output = await ALERT.invoke(event, deps).catch(async (error: unknown) => {
        await count(true);
        throw error;
      });
      await count(state.failure !== undefined);
      return output;
    },
    obs,
  );
}

export const handler = coldStartOnce(() => makeHandler(awsDeps(ALERT.ports)));
