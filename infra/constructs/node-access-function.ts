/**
 * A handler that talks to the HSMs (collect-node, sync, verify): it runs from the
 * node-access container image (infra/node-access-image/Dockerfile: the Lambda Node.js base
 * image + the vendor's cloudhsm_mgmt_util + the bundled handlers), inside the cluster's VPC,
 * with the dedicated node-access security group. The image is referenced, never built here.
 */
import type { Duration } from 'aws-cdk-lib';
import type { IRepository } from 'aws-cdk-lib/aws-ecr';
import type { Role } from 'aws-cdk-lib/aws-iam';
import {
  Architecture,
  DockerImageCode,
  DockerImageFunction,
  LoggingFormat,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import type { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { NodeAccessArchitecture } from '../config.ts';
import { XRAY_WILDCARD_REASON } from '../nag.ts';
import { ExecutionIdentity, type VpcPlacement } from './execution-identity.ts';

export interface NodeAccessImage {
  repository: IRepository;
  tagOrDigest: string;
  architecture: NodeAccessArchitecture;
}

export interface NodeAccessFunctionProps {
  /** The handler file name under functions/aws/ (e.g. `sync`): the image has `<name>.mjs`. */
  handlerName: string;
  description: string;
  image: NodeAccessImage;
  placement: VpcPlacement;
  timeout: Duration;
  memorySize: number;
  environment: Record<string, string>;
  logRetention: RetentionDays;
  /** Actions this function needs that have no resource-level permissions (besides X-Ray). */
  wildcardResourceReasons?: string[];
}

export class NodeAccessFunction extends Construct {
  readonly function: DockerImageFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: NodeAccessFunctionProps) {
    super(scope, id);
    const identity = new ExecutionIdentity(this, 'Identity', {
      functionName: props.handlerName,
      logRetention: props.logRetention,
      wildcardResourceReasons: [XRAY_WILDCARD_REASON, ...(props.wildcardResourceReasons ?? [])],
      vpc: props.placement,
    });
    this.role = identity.role;
    this.logGroup = identity.logGroup;
    this.function = new DockerImageFunction(this, 'Function', {
      code: DockerImageCode.fromEcr(props.image.repository, {
        tagOrDigest: props.image.tagOrDigest,
        // One image, three handlers: the base image's CMD names `<file>.<export>`.
        cmd: [`${props.handlerName}.handler`],
      }),
      description: props.description,
      architecture: props.image.architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      tracing: Tracing.ACTIVE,
      role: identity.role,
      logGroup: identity.logGroup,
      loggingFormat: LoggingFormat.JSON,
      vpc: props.placement.vpc,
      vpcSubnets: { subnets: props.placement.subnets },
      securityGroups: [props.placement.securityGroup],
      environment: { ...props.environment, NODE_OPTIONS: '--enable-source-maps' },
    });
  }
}
