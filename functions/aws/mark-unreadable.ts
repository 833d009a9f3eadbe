/** Lambda for the `MarkUnreadable` state (docs/CONTRACTS-aws.md): the Catch of a Map item: the node is recorded unreadable (unknown, never empty). */
import type { WorkflowDeps } from '#workflow/deps.ts';
import { parseMarkUnreadableInput } from '#workflow/schemas.ts';
import { markUnreadableStep } from '#workflow/steps/collect-node.ts';
import { awsDeps } from './deps.ts';
import { coldStartOnce, defaultObservability, lambdaHandler, type Observability } from './lambda.ts';

/** The handler over given deps: the deployed one below, or fakes in tests. */
export function makeHandler(deps: WorkflowDeps, obs: Observability = defaultObservability) {
  return lambdaHandler(
    'MarkUnreadable',
    (event) => markUnreadableStep(parseMarkUnreadableInput(event), deps),
    obs,
  );
}

export const handler = coldStartOnce(() => makeHandler(awsDeps([])));
