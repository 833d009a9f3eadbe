/** Lambda for the `Protect` state (docs/CONTRACTS-aws.md): makes sure a backup covers the verified state (DescribeBackups, NeverExpires, CopyBackupToRegion). */
import type { WorkflowDeps } from '#workflow/deps.ts';
import { PROTECT } from '#workflow/steps/index.ts';
import type { Observability } from './lambda.ts';
import { deployedStepHandler, makeStepHandler } from './step-handler.ts';

export const makeHandler = (deps: WorkflowDeps, obs?: Observability) => makeStepHandler(PROTECT, deps, obs);
export const handler = deployedStepHandler(PROTECT);
