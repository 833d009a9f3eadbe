/**
 * The ARM resource id of an Azure Cloud HSM cluster:
 * `/subscriptions/<guid>/resourceGroups/<rg>/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/<name>`.
 * It is the clusterId of every Azure run.
 */
import { InvalidInputError } from '#core/errors.ts';

export interface CloudHsmClusterId {
  /** The id as given, without a trailing slash (ARM ids compare case-insensitively). */
  id: string;
  subscriptionId: string;
  resourceGroup: string;
  name: string;
}

const CLUSTER_ID =
  /^\/subscriptions\/([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\/resourceGroups\/([-\w.()]{1,90})\/providers\/Microsoft\.HardwareSecurityModules\/cloudHsmClusters\/([A-Za-z0-9][-A-Za-z0-9_]{0,63})$/i;

export const CLUSTER_ID_SHAPE =
  '/subscriptions/<subscription guid>/resourceGroups/<group>/providers/Microsoft.HardwareSecurityModules/cloudHsmClusters/<name>';

/** Parses and checks a cluster id; throws InvalidInputError showing the expected shape. */
export function parseClusterId(value: string): CloudHsmClusterId {
  const id = value.trim().replace(/\/+$/, '');
  const match = CLUSTER_ID.exec(id);
  if (!match) {
    throw new InvalidInputError(
      `'${value}' is not the ARM resource id of an Azure Cloud HSM cluster: expected ${CLUSTER_ID_SHAPE}`,
    );
  }
  return {
    id,
    subscriptionId: match[1] as string,
    resourceGroup: match[2] as string,
    name: match[3] as string,
  };
}

/** Same cluster? ARM resource ids are case-insensitive. */
export function sameClusterId(a: string, b: string): boolean {
  return a.trim().replace(/\/+$/, '').toLowerCase() === b.trim().replace(/\/+$/, '').toLowerCase();
}
