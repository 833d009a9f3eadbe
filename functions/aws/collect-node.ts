/** Lambda for the `CollectNode` state (docs/CONTRACTS-aws.md): one Map item {context, cluster, nodeId} in, a reference to the node's inventory in S3 out. Transport trouble throws TransportError / CommandTimeoutError (retried by the ASL); a refused login is recorded, never thrown or retried. */
import type { WorkflowDeps } from '#workflow/deps.ts';
import { parseCollectNodeInput } from '#workflow/schemas.ts';
import { collectNodeStep } from '#workflow/steps/collect-node.ts';
import { awsDeps } from './deps.ts';
import { coldStartOnce, defaultObservability, lambdaHandler, type Observability } from './lambda.ts';

/** The handler over given deps: the deployed one below, or fakes in tests. */
export function makeHandler(deps: WorkflowDeps, obs: Observability = defaultObservability) {
  return lambdaHandler('CollectNode', (event) => collectNodeStep(parseCollectNodeInput(event), deps), obs);
}

export const handler = coldStartOnce(() => makeHandler(awsDeps(['nodes'])));
