/**
 * The port every node-access tool's driver implements. The workflow only ever talks to this
 * (through its tool module, src/drivers/tool-module.ts).
 *
 * - per-node tools (the mgmt-util family) return one inventory per node they were asked for;
 * - cluster-wide tools (AWS SDK 5 cloudhsm-cli) see the cluster as a whole: asked for every
 *   node, they return one inventory per node, marking an object `uncertain` on every node
 *   where the tool reports partial coverage without saying which nodes hold it.
 */
import type { ActionResult, Addressing, ClusterNode, NodeInventory, SyncAction } from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';

/** What a run asks of a collect besides the nodes: the lockout guard's limit (Policy.loginFailureLimit). */
export interface CollectOptions {
  loginFailureLimit: number;
  /** The cluster read: what a tool's memory of refused accounts is kept under (absent: none kept). */
  clusterId?: string;
}

export interface NodeAccessDriver {
  readonly addressing: Addressing;
  /**
   * Reads the objects of each node. A node that cannot be read comes back as an `unreadable`
   * inventory with its reason; one bad node never hides the others. A credentials rejection
   * is reported, never retried.
   *
   * The lockout guard, for every tool: before its login, the driver reads what the tool tells
   * without a login about the account (mgmt-util `listUsers` LoginFailureCnt, SDK 5 `user
   * list` `locked`, PKCS#11 token PIN flags) and does not log in where the account is locked
   * or has `options.loginFailureLimit` failures or more: that node is `login-refused-by-guard`
   * with a note saying why. Every unreadable inventory says whether a login was sent
   * (`loginAttempted`): only a node never logged in to may be read again in the same run.
   */
  collect(
    nodes: readonly ClusterNode[],
    credentials: Credentials,
    options: CollectOptions,
  ): Promise<NodeInventory[]>;
  /**
   * Runs the plan's actions. `nodes` is the whole cluster (the actions name node ids in it).
   * The lockout guard first (a LockoutGuardError, nothing written); then every node is logged
   * in before the first write; if any login fails nothing is written and a
   * CredentialsRejectedError (or TransportError) is thrown. "Already present" replies count
   * as `already-present`.
   */
  sync(
    nodes: readonly ClusterNode[],
    credentials: Credentials,
    actions: readonly SyncAction[],
    options: CollectOptions,
  ): Promise<ActionResult[]>;
}
