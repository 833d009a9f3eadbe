/** Lambda for the `CollectNode` state (docs/CONTRACTS-aws.md): one Map item {context, cluster, nodeId} in, a reference to the node's inventory in S3 out. Transport trouble throws TransportError / CommandTimeoutError (retried by the ASL); a refused login is recorded, never thrown or retried. */
import type { WorkflowDeps } from '#workflow/deps.ts';
import { COLLECT_NODE } from '#workflow/steps/index.ts';
import type { Observability } from './lambda.ts';
import { deployedStepHandler, makeStepHandler } from './step-handler.ts';

export const makeHandler = (deps: WorkflowDeps, obs?: Observability) =>
  makeStepHandler(COLLECT_NODE, deps, obs);
export const handler = deployedStepHandler(COLLECT_NODE);
