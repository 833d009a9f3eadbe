/** Lambda for the `MarkUnreadable` state (docs/CONTRACTS-aws.md): the Catch of a Map item: the node is recorded unreadable (unknown, never empty). */
import type { WorkflowDeps } from '#workflow/deps.ts';
import { MARK_UNREADABLE } from '#workflow/steps/index.ts';
import type { Observability } from './lambda.ts';
import { deployedStepHandler, makeStepHandler } from './step-handler.ts';

export const makeHandler = (deps: WorkflowDeps, obs?: Observability) =>
  makeStepHandler(MARK_UNREADABLE, deps, obs);
export const handler = deployedStepHandler(MARK_UNREADABLE);
