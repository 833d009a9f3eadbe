/**
 * How the Lambda handlers are bundled, shared by NodejsFunction (the bundled functions) and
 * infra/node-access-image/bundle.ts (the container image), without importing aws-cdk-lib.
 */
import { WORKFLOW_STEPS, type WorkflowStep } from '#workflow/steps/index.ts';

/** The handlers that talk to the HSMs (their step uses the `nodes` port): container image, in the cluster's VPC. */
export const NODE_ACCESS_HANDLERS: readonly string[] = (WORKFLOW_STEPS as readonly WorkflowStep[])
  .filter((step) => step.ports.includes('nodes'))
  .map((step) => step.handler);

/** esbuild target: the Lambda runtime of the project's Node major (package.json engines). */
export const BUNDLE_TARGET = 'node24';

/**
 * ESM bundles may still contain CommonJS dependencies that call `require` (parts of the
 * AWS SDK): give them one, built from the module URL.
 */
export const CREATE_REQUIRE_BANNER =
  "import { createRequire as __sentinelCreateRequire } from 'node:module'; const require = __sentinelCreateRequire(import.meta.url);";

/**
 * Left out of every bundle: the native PKCS#11 addon (pkcs11js, a compiled `.node` file) and its
 * wrapper, which only the Luna tool loads, on first use. A Luna deployment ships them as
 * node_modules beside the bundle (docs/deploy-luna.md); elsewhere they are never loaded.
 */
export const NATIVE_EXTERNALS = ['graphene-pk11', 'pkcs11js'] as const;
