/**
 * A Lambda for one workflow step (src/workflow/steps/index.ts): validate the event with the
 * step's schema, run the step, keep the error's name for the ASL Retry/Catch. The deployed
 * handler builds its deps once, from the step's ports.
 */
import type { WorkflowDeps } from '#workflow/deps.ts';
import type { WorkflowStep } from '#workflow/steps/index.ts';
import { awsDeps } from './deps.ts';
import {
  coldStartOnce,
  defaultObservability,
  type LambdaHandler,
  lambdaHandler,
  type Observability,
} from './lambda.ts';

/** The handler of `step` over given deps: the deployed one, or fakes in tests. */
export function makeStepHandler<O>(
  step: WorkflowStep<O>,
  deps: WorkflowDeps,
  obs: Observability = defaultObservability,
): LambdaHandler<O> {
  return lambdaHandler(step.name, (event) => step.invoke(event, deps), obs);
}

/** The deployed handler of `step`: deps from the environment, built on the first invocation. */
export function deployedStepHandler<O>(step: WorkflowStep<O>): LambdaHandler<O> {
  return coldStartOnce(() => makeStepHandler(step, awsDeps(step.ports)));
}
