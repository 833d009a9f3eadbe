/**
 * Azure Cloud HSM as a control plane: `GET …/Microsoft.HardwareSecurityModules/cloudHsmClusters/<name>`
 * (api-version 2025-03-31) gives the cluster's HSMs (`properties.hsms[]` {fqdn, state,
 * stateMessage}), its `provisioningState` and its `activationState`.
 *
 * The HSMs are kept in the order ARM lists them (hsm1, hsm2, hsm3): that is the server order
 * of `azcloudhsm_resource.cfg`, so `server N` means the same HSM in the runbook and here.
 */
import { ClusterNotStableError, InvalidInputError } from '#core/errors.ts';
import { membershipToken } from '#core/membership.ts';
import type { ClusterNode, NodeState, ResolvedCluster } from '#core/model.ts';
import type { ClusterProvider, ClusterTool } from '../cluster-provider.ts';
import type { ArmClient } from './arm-client.ts';
import { parseClusterId } from './cluster-id.ts';

/** The port azcloudhsm_mgmt_util connects to on every HSM (private endpoint). */

/** The part of the cluster GET this provider reads. */
export interface CloudHsmClusterResource {
  id?: string;
  name?: string;
  properties?: {
    provisioningState?: string;
    activationState?: string;
    statusMessage?: string;
    hsms?: { fqdn?: string; state?: string; stateMessage?: string }[];
  };
}

export interface AzureCloudHsmProviderOptions {
  arm: ArmClient;
  /** The tool that reads Azure Cloud HSM clusters (the registry's default for Azure). */
  tool: ClusterTool;
  clock?: () => Date;
  /**
   * Where the tool reaches an HSM. Default: the FQDN itself on the tool's port (the private
   * endpoint's DNS name). Tests map FQDNs to an emulated cluster's loopback servers here.
   */
  endpointOf?: (fqdn: string) => { address: string; port: number };
}

/**
 * HSM states: ARM documents `state` as a string. Anything on its way in (provisioning,
 * allocating, restoring, upgrading…) or out (deleting) makes the node set unstable;
 * a failed/degraded HSM is kept in the list (its collect will say it cannot be read).
 */
const SETTLED: Record<string, NodeState> = {
  active: 'ACTIVE',
  succeeded: 'ACTIVE',
  healthy: 'ACTIVE',
  available: 'ACTIVE',
  running: 'ACTIVE',
  degraded: 'DEGRADED',
  failed: 'DEGRADED',
  unhealthy: 'DEGRADED',
  error: 'DEGRADED',
  deleted: 'DELETED',
};
const COMING = /provision|alloc|creat|connect|restor|upgrad|updat|pending|initiali|checkingquota|accepted/i;
const GOING = /delet|deprovision/i;

export function nodeStateOf(state: string | undefined): NodeState {
  const text = (state ?? '').trim();
  const settled = SETTLED[text.toLowerCase()];
  if (settled) return settled;
  if (GOING.test(text)) return 'DELETE_IN_PROGRESS';
  if (COMING.test(text)) return 'CREATE_IN_PROGRESS';
  return 'UNKNOWN';
}

export class AzureCloudHsmProvider implements ClusterProvider {
  readonly #arm: ArmClient;
  readonly #tool: ClusterTool;
  readonly #clock: () => Date;
  readonly #endpointOf: (fqdn: string) => { address: string; port: number };

  constructor(options: AzureCloudHsmProviderOptions) {
    this.#arm = options.arm;
    this.#clock = options.clock ?? (() => new Date());
    this.#tool = options.tool;
    this.#endpointOf = options.endpointOf ?? ((fqdn) => ({ address: fqdn, port: options.tool.port }));
  }

  async resolve(clusterId: string): Promise<ResolvedCluster> {
    const id = parseClusterId(clusterId);
    const { body } = await this.#arm.get<CloudHsmClusterResource>(id.id);
    const properties = body?.properties;
    if (!properties) {
      throw new InvalidInputError(`GET ${id.id} answered without 'properties': not a Cloud HSM cluster?`);
    }
    const provisioning = properties.provisioningState ?? 'unknown';
    if (provisioning.toLowerCase() !== 'succeeded') {
      throw new ClusterNotStableError(
        `cluster ${id.name} is ${provisioning} (provisioningState), not Succeeded: waiting for it to settle${
          properties.statusMessage ? ` (${properties.statusMessage})` : ''
        }`,
        { context: { clusterId: id.id, provisioningState: provisioning } },
      );
    }
    const activation = properties.activationState ?? 'unknown';
    if (activation.toLowerCase() !== 'active') {
      throw new InvalidInputError(
        `cluster ${id.name} is not activated (activationState ${activation}): activate it first ` +
          '(initialize and activate the cluster as the Azure Cloud HSM onboarding guide describes); ' +
          'hsm-sentinel only audits active clusters',
        { context: { clusterId: id.id, activationState: activation } },
      );
    }
    const hsms = properties.hsms ?? [];
    const nodes: ClusterNode[] = hsms.map((hsm, index) => {
      const fqdn = hsm.fqdn?.trim();
      if (!fqdn) {
        throw new InvalidInputError(`cluster ${id.name}: properties.hsms[${index}] has no fqdn`);
      }
      const { address, port } = this.#endpointOf(fqdn);
      return { nodeId: fqdn, address, port, state: nodeStateOf(hsm.state) };
    });
    const moving = nodes
      .map((node, index) => ({ node, hsm: hsms[index] }))
      .filter(({ node }) => node.state === 'CREATE_IN_PROGRESS' || node.state === 'DELETE_IN_PROGRESS');
    if (moving.length > 0) {
      throw new ClusterNotStableError(
        `cluster ${id.name}: ${moving
          .map(
            ({ node, hsm }) =>
              `${node.nodeId} is ${hsm?.state}${hsm?.stateMessage ? ` (${hsm.stateMessage})` : ''}`,
          )
          .join('; ')}: waiting for the node set to settle`,
        { context: { clusterId: id.id } },
      );
    }
    const present = nodes.filter((node) => node.state !== 'DELETED');
    return {
      clusterId: id.id,
      provider: 'azure',
      tool: this.#tool.id,
      nodes: present,
      resolvedAt: this.#clock().toISOString(),
      membershipToken: membershipToken(present),
      configDrift: null,
    };
  }
}
