import { ArtifactStoreError, CommandTimeoutError, TransportError, UnknownNodeError } from '#core/errors.ts';
import type { NodeInventory, ResolvedCluster } from '#core/model.ts';
import { artifactKeys } from '#store/artifact-store.ts';
import type {
  CollectedNode,
  CollectNodeInput,
  CollectPhase,
  MarkUnreadableInput,
  RunContext,
} from '../contracts.ts';
import { credentialsFor, refusedBefore, rememberRefusals } from '../credential-guard.ts';
import type { WorkflowDeps } from '../deps.ts';
import { readableCause } from '../failure-cause.ts';

/**
 * Step 2 (one Map item): read one node. A node we could not reach, or that timed out, BEFORE
 * any login was sent to it, is thrown as a retryable error so the state machine retries it
 * with backoff; after that the Catch records it unreadable (markUnreadableStep). Once a login
 * may have reached the node (even unanswered: a late login still counts on the HSM), nothing
 * is retried: the node is recorded unknown. A refused login is recorded at once, here and in
 * the credential memory, so nothing tries that password again, in this run or later ones.
 */
export async function collectNodeStep(input: CollectNodeInput, deps: WorkflowDeps): Promise<CollectedNode> {
  const node = input.cluster.nodes.find((n) => n.nodeId === input.nodeId);
  if (!node) {
    throw new UnknownNodeError(`node '${input.nodeId}' is not in cluster ${input.cluster.clusterId}`);
  }
  const clusterId = input.cluster.clusterId;
  const { credentials, refusal } = await credentialsFor(deps, clusterId);
  let inventory: NodeInventory | undefined;
  if (refusal) {
    inventory = refusedBefore(node.nodeId, refusal);
  } else {
    [inventory] = await deps
      .tool(input.cluster.tool)
      .driver()
      .collect([node], credentials, collectOptions(input.context));
    if (!inventory || inventory.nodeId !== node.nodeId) {
      throw new TransportError(`driver returned no inventory for ${node.nodeId}`);
    }
    await rememberRefusals(deps, clusterId, credentials, [inventory]);
  }
  if (inventory.status === 'unreadable' && inventory.loginAttempted === false) {
    const context = { context: { nodeId: node.nodeId } };
    if (inventory.reason === 'unreachable')
      throw new TransportError(`${node.nodeId}: ${inventory.detail}`, context);
    if (inventory.reason === 'timeout')
      throw new CommandTimeoutError(`${node.nodeId}: ${inventory.detail}`, context);
  }
  try {
    return await storeInventory(input.context, input.cluster, 'before', inventory, deps);
  } catch (cause) {
    // The node WAS read (and logged in to). A store error must not look like a transport
    // error to the Retry block, or the next attempt would log in again.
    throw new ArtifactStoreError(`${node.nodeId} was read but its inventory could not be stored`, {
      cause,
      context: { nodeId: node.nodeId },
    });
  }
}

/**
 * The Catch after retries (transport errors and timeouts only: anything else, such as a
 * missing password, fails the run): the node stays unknown, never empty, and the run goes on
 * without writes.
 */
export async function markUnreadableStep(
  input: MarkUnreadableInput,
  deps: WorkflowDeps,
): Promise<CollectedNode> {
  const errorName = input.error.Error ?? 'Error';
  const reason =
    errorName === 'CommandTimeoutError' || errorName === 'States.Timeout' ? 'timeout' : 'unreachable';
  const inventory: NodeInventory = {
    nodeId: input.nodeId,
    status: 'unreadable',
    reason,
    detail: `${errorName}: ${readableCause(input.error.Cause)}`,
  };
  return storeInventory(input.context, null, 'before', inventory, deps);
}

/** Reads every node in one session (Verify re-reads the whole cluster); the inventories stay in memory too. */
export async function collectAll(
  context: RunContext,
  cluster: ResolvedCluster,
  phase: CollectPhase,
  deps: WorkflowDeps,
): Promise<{ collected: CollectedNode[]; inventories: NodeInventory[] }> {
  const inventories = await readCluster(context, cluster, deps);
  const collected = await storeInventories(context, cluster, phase, inventories, deps);
  return { collected, inventories };
}

/**
 * Every node of the cluster in one driver call, through the lockout guard's memory: a secret
 * version refused before is never sent again (every node `login-refused-by-guard`); a refusal
 * found now is remembered at once.
 */
export async function readCluster(
  context: RunContext,
  cluster: ResolvedCluster,
  deps: WorkflowDeps,
): Promise<NodeInventory[]> {
  const { credentials, refusal } = await credentialsFor(deps, cluster.clusterId);
  if (refusal) return cluster.nodes.map((node) => refusedBefore(node.nodeId, refusal));
  const inventories = await deps
    .tool(cluster.tool)
    .driver()
    .collect(cluster.nodes, credentials, collectOptions(context));
  await rememberRefusals(deps, cluster.clusterId, credentials, inventories);
  return inventories;
}

export function collectOptions(context: RunContext) {
  return { loginFailureLimit: context.policy.loginFailureLimit, clusterId: context.clusterId };
}

/**
 * Where a stored inventory's listing is when several nodes share it: `{"$sharedListing": key}`
 * (a cluster-wide tool gives every node the same listing; 28 copies of 16,666 keys would be
 * 28 times the bytes to write, load and hold). loadInventories puts it back, one object for all.
 */
export const SHARED_LISTING = '$sharedListing';

/**
 * Stores every inventory of one collect; a listing that several nodes' inventories share (the
 * very same object: a cluster-wide tool's one view of the cluster, never two listings that
 * merely look alike) is stored once.
 */
export async function storeInventories(
  context: RunContext,
  cluster: ResolvedCluster,
  phase: CollectPhase,
  inventories: readonly NodeInventory[],
  deps: WorkflowDeps,
): Promise<CollectedNode[]> {
  const holders = new Map<unknown, NodeInventory[]>();
  for (const inv of inventories) {
    if (inv.status !== 'read' || typeof inv.listing !== 'object' || inv.listing === null) continue;
    holders.set(inv.listing, [...(holders.get(inv.listing) ?? []), inv]);
  }
  const refs = new Map<unknown, string>();
  for (const [listing, held] of holders) {
    if (held.length < 2) continue;
    const first = held[0] as NodeInventory;
    refs.set(
      listing,
      await deps.store.putJson(artifactKeys.sharedListing(context.runId, phase, first.nodeId), listing),
    );
  }
  return Promise.all(
    inventories.map((inv) => {
      const ref = inv.status === 'read' ? refs.get(inv.listing) : undefined;
      const stored = ref === undefined ? inv : { ...inv, listing: { [SHARED_LISTING]: ref } };
      return storeInventory(context, cluster, phase, inv, deps, stored);
    }),
  );
}

/** Keeps the inventory; the state carries its key and counts (null cluster: counts not known). */
export async function storeInventory(
  context: RunContext,
  cluster: ResolvedCluster | null,
  phase: CollectPhase,
  inventory: NodeInventory,
  deps: WorkflowDeps,
  stored: NodeInventory = inventory,
): Promise<CollectedNode> {
  const inventoryRef = await deps.store.putJson(
    artifactKeys.inventory(context.runId, phase, inventory.nodeId),
    stored,
  );
  const counts = { users: 0, keys: 0 };
  if (inventory.status === 'read' && cluster !== null) {
    for (const object of deps.tool(cluster.tool).rules.objectsOf(inventory)) {
      counts[object.kind === 'user' ? 'users' : 'keys'] += 1;
    }
  }
  deps.log.info('collected node', {
    nodeId: inventory.nodeId,
    phase,
    status: inventory.status,
    ...(inventory.status === 'read' ? counts : { reason: inventory.reason }),
  });
  return {
    nodeId: inventory.nodeId,
    status: inventory.status,
    reason: inventory.status === 'read' ? null : inventory.reason,
    inventoryRef,
    ...counts,
  };
}
