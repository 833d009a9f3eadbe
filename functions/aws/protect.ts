/** Lambda for the `Protect` state (docs/CONTRACTS-aws.md): makes sure a backup covers the verified state (DescribeBackups, NeverExpires, CopyBackupToRegion). */
import type { WorkflowDeps } from '#workflow/deps.ts';
import { parseRunState } from '#workflow/schemas.ts';
import { protectStep } from '#workflow/steps/protect.ts';
import { awsDeps } from './deps.ts';
import { coldStartOnce, defaultObservability, lambdaHandler, type Observability } from './lambda.ts';

/** The handler over given deps: the deployed one below, or fakes in tests. */
export function makeHandler(deps: WorkflowDeps, obs: Observability = defaultObservability) {
  return lambdaHandler('Protect', (event) => protectStep(parseRunState(event, 'Protect'), deps), obs);
}

export const handler = coldStartOnce(() => makeHandler(awsDeps(['backup'])));
