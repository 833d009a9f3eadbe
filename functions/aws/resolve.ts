/** Lambda for the `Resolve` state (docs/CONTRACTS-aws.md): the run state in, the cluster's authoritative node list out (a cluster still scaling throws ClusterNotStableError, which the ASL retries). */
import type { WorkflowDeps } from '#workflow/deps.ts';
import { parseRunState } from '#workflow/schemas.ts';
import { resolveStep } from '#workflow/steps/resolve.ts';
import { awsDeps } from './deps.ts';
import { coldStartOnce, defaultObservability, lambdaHandler, type Observability } from './lambda.ts';

/** The handler over given deps: the deployed one below, or fakes in tests. */
export function makeHandler(deps: WorkflowDeps, obs: Observability = defaultObservability) {
  return lambdaHandler('Resolve', (event) => resolveStep(parseRunState(event, 'Resolve'), deps), obs);
}

export const handler = coldStartOnce(() => makeHandler(awsDeps(['provider'])));
