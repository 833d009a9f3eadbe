/** Lambda for the `Sync` state (docs/CONTRACTS-aws.md): resolves membership again (MembershipChangedError and no write if the node set changed), then runs the plan. */
import type { WorkflowDeps } from '#workflow/deps.ts';
import { SYNC } from '#workflow/steps/index.ts';
import type { Observability } from './lambda.ts';
import { deployedStepHandler, makeStepHandler } from './step-handler.ts';

export const makeHandler = (deps: WorkflowDeps, obs?: Observability) => makeStepHandler(SYNC, deps, obs);
export const handler = deployedStepHandler(SYNC);
