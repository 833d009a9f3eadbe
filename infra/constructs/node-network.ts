/**
 * The network the node-access functions run in: the cluster's VPC and private subnets
 * (imported from parameters, no lookups, so synth stays offline), a dedicated security
 * group whose only egress is TCP 2223-2225 to the cluster security group (and 443 to the
 * VPC endpoints below), and, unless the VPC already provides them, interface endpoints for
 * S3 (reports), Secrets Manager (CO credentials) and CloudHSM (Sync re-resolves membership).
 *
 * Why interface endpoints and not a NAT route: with them every packet the functions send
 * stays in the VPC and the security group can name each destination (the endpoints' group)
 * instead of 0.0.0.0/0. With `createVpcEndpoints: false` the functions reach the three
 * services through the VPC's existing endpoints or NAT, and the group allows 443 to any
 * IPv4 address (the service IP ranges are not known to the group).
 *
 * The endpoints enable private DNS, which applies to the whole VPC: deploying fails if the
 * VPC already has an endpoint for one of these services with private DNS (then set
 * `createVpcEndpoints: false`), and in a VPC shared with other clients set `vpcCidrBlock`
 * so the endpoints accept them too.
 */
import { Annotations } from 'aws-cdk-lib';
import {
  InterfaceVpcEndpoint,
  InterfaceVpcEndpointAwsService,
  type ISecurityGroup,
  type ISubnet,
  type IVpc,
  Peer,
  Port,
  SecurityGroup,
  Subnet,
  Vpc,
  VpcEndpointPrivateDnsOnlyForInboundResolverEndpoint,
} from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { VpcPlacement } from './execution-identity.ts';

/** The cluster security group lets clients in on these ports (cloudhsm_mgmt_util uses 2225). */
export const HSM_PORTS = Port.tcpRange(2223, 2225);

export interface NodeNetworkProps {
  vpcId: string;
  subnetIds: string[];
  /** The AZ of each subnet, same order. */
  availabilityZones: string[];
  hsmSecurityGroupId: string;
  /** Add the matching ingress rule to the cluster security group (it belongs to the cluster). */
  manageHsmIngress: boolean;
  createVpcEndpoints: boolean;
  /**
   * The VPC's CIDR: when given, the endpoints also accept HTTPS from the whole VPC. Their
   * private DNS names apply VPC-wide, so other clients in a shared VPC keep working.
   */
  vpcCidrBlock: string | null;
}

export class NodeNetwork extends Construct {
  readonly vpc: IVpc;
  readonly subnets: ISubnet[];
  readonly securityGroup: SecurityGroup;
  readonly hsmSecurityGroup: ISecurityGroup;
  readonly endpoints: InterfaceVpcEndpoint[] = [];

  constructor(scope: Construct, id: string, props: NodeNetworkProps) {
    super(scope, id);
    this.vpc = Vpc.fromVpcAttributes(this, 'Vpc', {
      vpcId: props.vpcId,
      availabilityZones: [...new Set(props.availabilityZones)],
    });
    this.subnets = props.subnetIds.map((subnetId, i) => {
      const subnet = Subnet.fromSubnetAttributes(this, `Subnet${i}`, {
        subnetId,
        availabilityZone: props.availabilityZones[i] ?? '',
      });
      Annotations.of(subnet).acknowledgeWarning(
        '@aws-cdk/aws-ec2:noSubnetRouteTableId',
        'Only the subnet id is used (function and endpoint placement); the stack adds no routes',
      );
      return subnet;
    });
    this.hsmSecurityGroup = SecurityGroup.fromSecurityGroupId(
      this,
      'HsmSecurityGroup',
      props.hsmSecurityGroupId,
      {
        mutable: props.manageHsmIngress,
        allowAllOutbound: false,
      },
    );
    this.securityGroup = new SecurityGroup(this, 'NodeAccessSecurityGroup', {
      vpc: this.vpc,
      description:
        'hsm-sentinel node-access functions: egress only to the HSMs (TCP 2223-2225) and HTTPS to AWS APIs',
      allowAllOutbound: false,
    });
    this.securityGroup.addEgressRule(
      this.hsmSecurityGroup,
      HSM_PORTS,
      'cloudhsm_mgmt_util to the cluster HSMs',
    );
    if (props.manageHsmIngress) {
      this.hsmSecurityGroup.addIngressRule(
        this.securityGroup,
        HSM_PORTS,
        'hsm-sentinel node-access functions',
      );
    }
    if (props.createVpcEndpoints) {
      this.#addEndpoints(props.vpcCidrBlock);
    } else {
      this.securityGroup.addEgressRule(
        Peer.anyIpv4(),
        Port.tcp(443),
        'HTTPS to S3, Secrets Manager and CloudHSM through the VPC NAT or existing endpoints',
      );
    }
  }

  /** Where a node-access function is attached. */
  get placement(): VpcPlacement {
    return { vpc: this.vpc, subnets: this.subnets, securityGroup: this.securityGroup };
  }

  #addEndpoints(vpcCidrBlock: string | null): void {
    // An interface endpoint takes at most one subnet per AZ.
    const perAz = new Map<string, ISubnet>();
    for (const subnet of this.subnets) {
      if (!perAz.has(subnet.availabilityZone)) perAz.set(subnet.availabilityZone, subnet);
    }
    const endpointSecurityGroup = new SecurityGroup(this, 'EndpointSecurityGroup', {
      vpc: this.vpc,
      description: 'hsm-sentinel VPC endpoints: HTTPS from the node-access functions only',
      allowAllOutbound: false,
    });
    const services: [string, InterfaceVpcEndpointAwsService][] = [
      ['S3Endpoint', InterfaceVpcEndpointAwsService.S3],
      ['SecretsManagerEndpoint', InterfaceVpcEndpointAwsService.SECRETS_MANAGER],
      ['CloudHsmEndpoint', InterfaceVpcEndpointAwsService.CLOUDHSM],
    ];
    for (const [id, service] of services) {
      this.endpoints.push(
        new InterfaceVpcEndpoint(this, id, {
          vpc: this.vpc,
          service,
          subnets: { subnets: [...perAz.values()] },
          securityGroups: [endpointSecurityGroup],
          privateDnsEnabled: true,
          // S3 alone has gateway endpoints too: left unset, EC2 enables its private DNS only
          // for inbound resolvers, which needs an S3 gateway endpoint in the VPC (and would
          // send the functions' traffic there, outside their security group's 443 rule).
          ...(service === InterfaceVpcEndpointAwsService.S3
            ? {
                privateDnsOnlyForInboundResolverEndpoint:
                  VpcEndpointPrivateDnsOnlyForInboundResolverEndpoint.ALL_RESOLVERS,
              }
            : {}),
          open: false,
        }),
      );
    }
    this.securityGroup.addEgressRule(endpointSecurityGroup, Port.tcp(443), 'HTTPS to the VPC endpoints');
    endpointSecurityGroup.addIngressRule(
      this.securityGroup,
      Port.tcp(443),
      'HTTPS from the node-access functions',
    );
    if (vpcCidrBlock !== null) {
      endpointSecurityGroup.addIngressRule(
        Peer.ipv4(vpcCidrBlock),
        Port.tcp(443),
        'HTTPS from the rest of the VPC (private DNS of the endpoints applies VPC-wide)',
      );
    }
  }
}
