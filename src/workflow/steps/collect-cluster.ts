import { ArtifactStoreError, CommandTimeoutError, TransportError } from '#core/errors.ts';
import type { NodeInventory, UnreadableInventory } from '#core/model.ts';
import type { CollectClusterInput, CollectedNode } from '../contracts.ts';
import type { WorkflowDeps } from '../deps.ts';
import { readableCause } from '../failure-cause.ts';
import { readCluster, storeInventories, storeInventory } from './collect-node.ts';

/**
 * Step 2 for a cluster-wide tool (the SDK 5 CLI reads every node at once): one collect, one
 * inventory per node. When the tool could not reach the cluster at all and sent no login,
 * the error is thrown so the state machine retries it with backoff (as per node); after the
 * retries the Catch comes back here with `error`, and every node is recorded unknown, never
 * empty. A refused login, or anything after a login was sent, is recorded at once: never
 * retried, never read again in this run.
 */
export async function collectClusterStep(
  input: CollectClusterInput,
  deps: WorkflowDeps,
): Promise<CollectedNode[]> {
  const { context, cluster } = input;
  if (input.error !== undefined) {
    const errorName = input.error.Error ?? 'Error';
    const reason =
      errorName === 'CommandTimeoutError' || errorName === 'States.Timeout' ? 'timeout' : 'unreachable';
    const detail = `${errorName}: ${readableCause(input.error.Cause)}`;
    const inventories = cluster.nodes.map(
      (n): UnreadableInventory => ({
        nodeId: n.nodeId,
        status: 'unreadable',
        reason,
        detail,
        loginAttempted: false,
      }),
    );
    return Promise.all(inventories.map((inv) => storeInventory(context, cluster, 'before', inv, deps)));
  }
  const inventories = await readCluster(context, cluster, deps);
  throwIfRetryable(inventories);
  try {
    return await storeInventories(context, cluster, 'before', inventories, deps);
  } catch (cause) {
    // The cluster WAS read (logged in to): a store error must not look retryable.
    throw new ArtifactStoreError(
      `cluster ${cluster.clusterId} was read but its inventories could not be stored`,
      {
        cause,
      },
    );
  }
}

/** Nothing read, nothing logged in to, and only transport trouble or timeouts: worth another try. */
function throwIfRetryable(inventories: readonly NodeInventory[]): void {
  const unread = inventories.filter((i): i is UnreadableInventory => i.status === 'unreadable');
  if (unread.length === 0 || unread.length !== inventories.length) return;
  if (unread.some((i) => i.loginAttempted !== false)) return;
  const first = unread[0] as UnreadableInventory;
  if (unread.every((i) => i.reason === 'timeout')) throw new CommandTimeoutError(first.detail);
  if (unread.every((i) => i.reason === 'unreachable' || i.reason === 'timeout')) {
    throw new TransportError(first.detail);
  }
}
