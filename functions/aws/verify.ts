/** Lambda for the `Verify` state (docs/CONTRACTS-aws.md): reads every node again and checks every planned object is now everywhere. */
import type { WorkflowDeps } from '#workflow/deps.ts';
import { VERIFY } from '#workflow/steps/index.ts';
import type { Observability } from './lambda.ts';
import { deployedStepHandler, makeStepHandler } from './step-handler.ts';

export const makeHandler = (deps: WorkflowDeps, obs?: Observability) => makeStepHandler(VERIFY, deps, obs);
export const handler = deployedStepHandler(VERIFY);
