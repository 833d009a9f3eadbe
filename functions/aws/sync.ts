/** Lambda for the `Sync` state (docs/CONTRACTS-aws.md): resolves membership again (MembershipChangedError and no write if the node set changed), then runs the plan. */
import type { WorkflowDeps } from '#workflow/deps.ts';
import { parseRunState } from '#workflow/schemas.ts';
import { syncStep } from '#workflow/steps/sync.ts';
import { awsDeps } from './deps.ts';
import { coldStartOnce, defaultObservability, lambdaHandler, type Observability } from './lambda.ts';

/** The handler over given deps: the deployed one below, or fakes in tests. */
export function makeHandler(deps: WorkflowDeps, obs: Observability = defaultObservability) {
  return lambdaHandler('Sync', (event) => syncStep(parseRunState(event, 'Sync'), deps), obs);
}

export const handler = coldStartOnce(() => makeHandler(awsDeps(['provider', 'nodes'])));
