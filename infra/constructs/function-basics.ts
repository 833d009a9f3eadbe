/**
 * What every hsm-sentinel function has in common, whatever its code (bundled by esbuild or
 * the node-access image): its own role and log group (ExecutionIdentity), X-Ray active, JSON
 * logs, source-mapped stack traces, and the sizing and environment its step asks for.
 */
import type { Duration } from 'aws-cdk-lib';
import { LoggingFormat, Tracing } from 'aws-cdk-lib/aws-lambda';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { XRAY_WILDCARD_REASON } from '../nag.ts';
import { ExecutionIdentity, type VpcPlacement } from './execution-identity.ts';

export interface FunctionBasicsProps {
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

/** The identity (under `scope`, id `Identity`) and the function props every function shares. */
export function functionBasics(scope: Construct, props: FunctionBasicsProps, vpc?: VpcPlacement) {
  const identity = new ExecutionIdentity(scope, 'Identity', {
    functionName: props.handlerName,
    logRetention: props.logRetention,
    wildcardResourceReasons: [XRAY_WILDCARD_REASON, ...(props.wildcardResourceReasons ?? [])],
    ...(vpc ? { vpc } : {}),
  });
  return {
    identity,
    shared: {
      description: props.description,
      memorySize: props.memorySize,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      role: identity.role,
      logGroup: identity.logGroup,
      loggingFormat: LoggingFormat.JSON,
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
    },
  };
}
