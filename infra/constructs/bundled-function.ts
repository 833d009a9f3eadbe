/**
 * A handler of `functions/aws/` bundled by NodejsFunction with the local esbuild (never
 * Docker) into one ESM file, on the Lambda Node.js runtime of the project's Node major,
 * arm64, X-Ray active, JSON logs, with its own role and log group.
 */
import { join } from 'node:path';
import type { Duration } from 'aws-cdk-lib';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { Architecture, LoggingFormat, Runtime, Tracing } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { BUNDLE_TARGET, CREATE_REQUIRE_BANNER, NATIVE_EXTERNALS } from '../bundling.ts';
import { XRAY_WILDCARD_REASON } from '../nag.ts';
import { ExecutionIdentity } from './execution-identity.ts';
import { REPO_ROOT } from './paths.ts';

/** Node 24 is the project's runtime (package.json engines); Lambda's matching runtime. */
export const LAMBDA_RUNTIME = Runtime.NODEJS_24_X;

export interface BundledFunctionProps {
  /** The handler file name under functions/aws/, without `.ts` (e.g. `resolve`). */
  handlerName: string;
  description: string;
  timeout: Duration;
  memorySize: number;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  /** Actions this function needs that have no resource-level permissions (besides X-Ray). */
  wildcardResourceReasons?: string[];
}

export class BundledFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: BundledFunctionProps) {
    super(scope, id);
    const identity = new ExecutionIdentity(this, 'Identity', {
      functionName: props.handlerName,
      logRetention: props.logRetention,
      wildcardResourceReasons: [XRAY_WILDCARD_REASON, ...(props.wildcardResourceReasons ?? [])],
    });
    this.role = identity.role;
    this.logGroup = identity.logGroup;
    this.function = new NodejsFunction(this, 'Function', {
      entry: join(REPO_ROOT, 'functions', 'aws', `${props.handlerName}.ts`),
      handler: 'handler',
      projectRoot: REPO_ROOT,
      depsLockFilePath: join(REPO_ROOT, 'package-lock.json'),
      description: props.description,
      runtime: LAMBDA_RUNTIME,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      role: identity.role,
      logGroup: identity.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
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
