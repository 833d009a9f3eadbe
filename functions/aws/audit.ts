/** Lambda for the `Audit` state (docs/CONTRACTS-aws.md): inventories from S3 → findings and the bounded additive plan (both to S3); counts and writeAllowed out. */
import type { WorkflowDeps } from '#workflow/deps.ts';
import { AUDIT } from '#workflow/steps/index.ts';
import type { Observability } from './lambda.ts';
import { deployedStepHandler, makeStepHandler } from './step-handler.ts';

export const makeHandler = (deps: WorkflowDeps, obs?: Observability) => makeStepHandler(AUDIT, deps, obs);
export const handler = deployedStepHandler(AUDIT);
