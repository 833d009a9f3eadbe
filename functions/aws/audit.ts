/** Lambda for the `Audit` state (docs/CONTRACTS-aws.md): inventories from S3 → findings and the bounded additive plan (both to S3); counts and writeAllowed out. */
import type { WorkflowDeps } from '#workflow/deps.ts';
import { parseRunState } from '#workflow/schemas.ts';
import { auditStep } from '#workflow/steps/audit.ts';
import { awsDeps } from './deps.ts';
import { coldStartOnce, defaultObservability, lambdaHandler, type Observability } from './lambda.ts';

/** The handler over given deps: the deployed one below, or fakes in tests. */
export function makeHandler(deps: WorkflowDeps, obs: Observability = defaultObservability) {
  return lambdaHandler('Audit', (event) => auditStep(parseRunState(event, 'Audit'), deps), obs);
}

export const handler = coldStartOnce(() => makeHandler(awsDeps([])));
