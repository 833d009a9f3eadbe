/**
 * The CDK app (`cdk.json`: `node infra/app.ts`, run by Node 24 with type stripping).
 * Parameters come from the cdk.json context; see infra/config.ts and docs/deploy-aws.md.
 */
import { createApp } from './create-app.ts';

createApp().app.synth();
