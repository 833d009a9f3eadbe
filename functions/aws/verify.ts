/** Lambda for the `Verify` state (docs/CONTRACTS-aws.md): reads every node again and checks every planned object is now everywhere. */
import type { WorkflowDeps } from '#workflow/deps.ts';
import { parseRunState } from '#workflow/schemas.ts';
import { verifyStep } from '#workflow/steps/verify.ts';
import { awsDeps } from './deps.ts';
import { coldStartOnce, defaultObservability, lambdaHandler, type Observability } from './lambda.ts';

/** The handler over given deps: the deployed one below, or fakes in tests. */
export function makeHandler(deps: WorkflowDeps, obs: Observability = defaultObservability) {
  return lambdaHandler('Verify', (event) => verifyStep(parseRunState(event, 'Verify'), deps), obs);
}

export const handler = coldStartOnce(() => makeHandler(awsDeps(['nodes'])));
