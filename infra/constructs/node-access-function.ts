/**
 * A handler that talks to the HSMs (the step list's node-access steps: collect, sync, verify):
 * it runs from the node-access container image (infra/node-access-image/Dockerfile: the Lambda
 * Node.js base image + the vendor's client tools + the bundled handlers), inside the cluster's VPC,
 * with the dedicated node-access security group. The image is referenced, never built here.
 */
import type { IRepository } from 'aws-cdk-lib/aws-ecr';
import type { Role } from 'aws-cdk-lib/aws-iam';
import { Architecture, DockerImageCode, DockerImageFunction } from 'aws-cdk-lib/aws-lambda';
import type { LogGroup } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import type { NodeAccessArchitecture } from '../config.ts';
import type { VpcPlacement } from './execution-identity.ts';
import { type FunctionBasicsProps, functionBasics } from './function-basics.ts';

export interface NodeAccessImage {
  repository: IRepository;
  tagOrDigest: string;
  architecture: NodeAccessArchitecture;
}

export interface NodeAccessFunctionProps extends FunctionBasicsProps {
  /** The image has `<handlerName>.mjs`. */
  image: NodeAccessImage;
  placement: VpcPlacement;
}

export class NodeAccessFunction extends Construct {
  readonly function: DockerImageFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: NodeAccessFunctionProps) {
    super(scope, id);
    const { identity, shared } = functionBasics(this, props, props.placement);
    this.role = identity.role;
    this.logGroup = identity.logGroup;
    this.function = new DockerImageFunction(this, 'Function', {
      ...shared,
      code: DockerImageCode.fromEcr(props.image.repository, {
        tagOrDigest: props.image.tagOrDigest,
        // One image, several handlers: the base image's CMD names `<file>.<export>`.
        cmd: [`${props.handlerName}.handler`],
      }),
      architecture: props.image.architecture === 'arm64' ? Architecture.ARM_64 : Architecture.X86_64,
      vpc: props.placement.vpc,
      vpcSubnets: { subnets: props.placement.subnets },
      securityGroups: [props.placement.securityGroup],
    });
  }
}
