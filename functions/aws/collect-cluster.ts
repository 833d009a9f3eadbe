/** Lambda for the `CollectCluster` and `MarkClusterUnreadable` states (docs/CONTRACTS-aws.md): the whole cluster read at once by a cluster-wide tool, one inventory per node to S3, references out; with `error` (the Catch after the retries) every node recorded unknown. Thrown only while nothing was read and no login was sent (retried by the ASL). */
import type { WorkflowDeps } from '#workflow/deps.ts';
import { COLLECT_CLUSTER } from '#workflow/steps/index.ts';
import type { Observability } from './lambda.ts';
import { deployedStepHandler, makeStepHandler } from './step-handler.ts';

export const makeHandler = (deps: WorkflowDeps, obs?: Observability) =>
  makeStepHandler(COLLECT_CLUSTER, deps, obs);
export const handler = deployedStepHandler(COLLECT_CLUSTER);
