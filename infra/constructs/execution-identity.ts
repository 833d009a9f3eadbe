/**
 * What every hsm-sentinel function gets before it gets its own permissions: a dedicated
 * role (no AWS managed policies) and a dedicated log group it may write to, nothing else.
 * Functions in a VPC also get the network-interface permissions Lambda uses on their behalf,
 * scoped to their subnets and security group where EC2 allows it.
 */
import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import type { ISecurityGroup, ISubnet, IVpc } from 'aws-cdk-lib/aws-ec2';
import { Effect, PolicyDocument, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { acknowledge } from '../nag.ts';

const ENI_DESCRIBE_REASON =
  'ec2:DescribeNetworkInterfaces / ec2:DescribeSubnets (Lambda manages the function ENIs in the VPC with this role)';

export interface VpcPlacement {
  vpc: IVpc;
  subnets: ISubnet[];
  securityGroup: ISecurityGroup;
}

export interface ExecutionIdentityProps {
  /** Shown in the role description, e.g. `collect-node`. */
  functionName: string;
  logRetention: RetentionDays;
  /** Set for functions attached to the cluster's VPC. */
  vpc?: VpcPlacement;
  /**
   * Why this role names Resource '*' (X-Ray, list/describe actions without resource-level
   * permissions): one cdk-nag acknowledgement per role, listing every reason.
   */
  wildcardResourceReasons: string[];
}

export class ExecutionIdentity extends Construct {
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ExecutionIdentityProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    const inlinePolicies: Record<string, PolicyDocument> = {
      Logs: new PolicyDocument({
        statements: [
          new PolicyStatement({
            sid: 'WriteOwnLogGroup',
            actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            // The log group's Arn attribute already ends in ":*" (its log streams).
            resources: [this.logGroup.logGroupArn],
          }),
        ],
      }),
    };
    if (props.vpc) inlinePolicies.VpcNetworking = vpcNetworkingPolicy(props.vpc);
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `hsm-sentinel ${props.functionName}: execution role (least privilege, no managed policies)`,
      inlinePolicies,
    });
    const reasons = [...props.wildcardResourceReasons];
    if (props.vpc) reasons.push(ENI_DESCRIBE_REASON);
    if (reasons.length > 0) {
      acknowledge(
        this.role,
        'AwsSolutions-IAM5[Resource::*]',
        `Resource '*' only where AWS has no resource-level permissions: ${reasons.join('; ')}`,
      );
    }
    if (props.vpc) {
      acknowledge(
        this.role,
        `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ec2:<AWS::Region>:<AWS::AccountId>:network-interface/*]`,
        'Lambda creates and deletes the function ENIs (Hyperplane) with this role: their ids are not known before they exist; creation is pinned to the configured subnets and security group',
      );
    }
  }
}

function vpcNetworkingPolicy(vpc: VpcPlacement): PolicyDocument {
  const ec2Arn = (resource: string) => `arn:${Aws.PARTITION}:ec2:${Aws.REGION}:${Aws.ACCOUNT_ID}:${resource}`;
  const networkInterfaces = ec2Arn('network-interface/*');
  return new PolicyDocument({
    statements: [
      new PolicyStatement({
        sid: 'DescribeForEni',
        actions: ['ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets'],
        resources: ['*'],
      }),
      new PolicyStatement({
        sid: 'CreateEniInOwnSubnetsAndGroup',
        actions: ['ec2:CreateNetworkInterface'],
        resources: [
          networkInterfaces,
          ...vpc.subnets.map((s) => ec2Arn(`subnet/${s.subnetId}`)),
          ec2Arn(`security-group/${vpc.securityGroup.securityGroupId}`),
        ],
      }),
      new PolicyStatement({
        sid: 'ManageOwnEni',
        effect: Effect.ALLOW,
        actions: [
          'ec2:DeleteNetworkInterface',
          'ec2:AssignPrivateIpAddresses',
          'ec2:UnassignPrivateIpAddresses',
        ],
        resources: [networkInterfaces],
      }),
    ],
  });
}
