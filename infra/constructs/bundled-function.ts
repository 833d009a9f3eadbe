/**
 * A handler of `functions/aws/` bundled by NodejsFunction with the local esbuild (never
 * Docker) into one ESM file, on the Lambda Node.js runtime of the project's Node major,
 * arm64, X-Ray active, JSON logs, with its own role and log group.
 */
import { join } from 'node:path';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_TARGET, CREATE_REQUIRE_BANNER, NATIVE_EXTERNALS } from '../bundling.ts';
import { type FunctionBasicsProps, functionBasics } from './function-basics.ts';
import { REPO_ROOT } from './paths.ts';

/** Node 24 is the project's runtime (package.json engines); Lambda's matching runtime. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

export type BundledFunctionProps = FunctionBasicsProps;

export class BundledFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    const { identity, shared } = functionBasics(this, props);
    this.role = identity.role;
    this.logGroup = identity.logGroup;
    this.function = new NodejsFunction(this, 'Function', {
      ...shared,
      entry: join(REPO_ROOT, 'functions', 'aws', `${props.handlerName}.ts`),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      bundling: {
        forceDockerBundling: false,
        format: OutputFormat.ESM,
        target: BUNDLE_TARGET,
        mainFields: ['module', 'main'],
        banner: CREATE_REQUIRE_BANNER,
        // Bundle the AWS SDK too: the versions the tests ran against, not the runtime's.
        externalModules: [...NATIVE_EXTERNALS],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
      },
    });
  }
}
