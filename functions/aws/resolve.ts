/** Lambda for the `Resolve` state (docs/CONTRACTS-aws.md): the run state in, the cluster's authoritative node list out (a cluster still scaling throws ClusterNotStableError, which the ASL retries). */
import type { WorkflowDeps } from '#workflow/deps.ts';
import { RESOLVE } from '#workflow/steps/index.ts';
import type { Observability } from './lambda.ts';
import { deployedStepHandler, makeStepHandler } from './step-handler.ts';

export const makeHandler = (deps: WorkflowDeps, obs?: Observability) => makeStepHandler(RESOLVE, deps, obs);
export const handler = deployedStepHandler(RESOLVE);
