/**
 * Builds the CDK app: reads the parameters from context, adds the stack, and registers the
 * cdk-nag AwsSolutions checks (a finding that is not acknowledged fails the synth). Used by
 * infra/app.ts (the `cdk.json` app) and by the tests, which pass their own context.
 */
import { App, type AppProps } from 'aws-cdk-lib';
import { readConfig } from './config.ts';
import { HsmSentinelStack } from './hsm-sentinel-stack.ts';
import { addNagChecks } from './nag.ts';

export interface SentinelApp {
  app: App;
  stack: HsmSentinelStack;
}

export function createApp(props: AppProps = {}): SentinelApp {
  const app = new App(props);
  const config = readConfig((key) => app.node.tryGetContext(key));
  // Env-agnostic: synthesizes offline, without credentials; deploys to the CLI's account/region.
  const stack = new HsmSentinelStack(app, config.stackName, {
    config,
    description:
      'hsm-sentinel: keeps the HSMs of CloudHSM clusters in sync (audit, additive repair, verify, backup, alert)',
  });
  addNagChecks(app);
  return { app, stack };
}
