/**
 * The port every node-access dialect implements. The workflow only ever talks to this.
 *
 * Two families fit it:
 * - per-node addressing (AWS cloudhsm_mgmt_util, Azure azcloudhsm_mgmt_util): one inventory
 *   per node, repairs are `server N` + `syncUser|syncKey <id> <dest>`;
 * - cluster-wide tools (AWS SDK 5 cloudhsm-cli): no per-node view, but each object reports
 *   its `cluster-coverage`. Such a driver sets `addressing: 'cluster-wide'`, returns from
 *   `collect` one inventory per node it can infer (or marks nodes unreadable), and reports
 *   `sync` actions as `not-run` (it has no syncUser/syncKey).
 */

import type { ActionResult, ClusterNode, Dialect, NodeInventory, SyncAction } from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';

export interface CollectOptions {
  /** Read owner/sharing of every key (getKeyInfo). Off: keys carry owner null. */
  keyDetails: boolean;
}

export interface NodeAccessDriver {
  readonly dialect: Dialect;
  readonly addressing: 'per-node' | 'cluster-wide';
  /**
   * Reads users and keys of each node. A node that cannot be read comes back as an
   * `unreadable` inventory with its reason; one bad node never hides the others.
   * A credentials rejection is reported, never retried.
   */
  collect(
    nodes: readonly ClusterNode[],
    credentials: Credentials,
    options: CollectOptions,
  ): Promise<NodeInventory[]>;
  /**
   * Runs sync actions. `nodes` is the whole cluster in server order (the positions the
   * actions' server numbers refer to). Every node is logged in before the first write;
   * if any login fails nothing is written and a CredentialsRejectedError (or TransportError)
   * is thrown. "Already present" replies count as `already-present`.
   */
  sync(
    nodes: readonly ClusterNode[],
    credentials: Credentials,
    actions: readonly SyncAction[],
  ): Promise<ActionResult[]>;
}
