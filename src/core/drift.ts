import type { ClusterNode, ConfigDrift } from './model.ts';

/**
 * Drift between the control plane's node list and the addresses an operator's mgmt-util
 * config lists: nodes the config misses (commands typed there never reach them: the AWS
 * seed's root cause) and config entries that are not nodes of the cluster.
 */
export function configDrift(nodes: readonly ClusterNode[], configAddresses: readonly string[]): ConfigDrift {
  const listed = new Set(configAddresses);
  const known = new Set(nodes.map((n) => n.address));
  return {
    missingFromConfig: nodes.filter((n) => !listed.has(n.address)).map((n) => n.nodeId),
    unknownInConfig: [...new Set(configAddresses)].filter((a) => !known.has(a)),
  };
}
