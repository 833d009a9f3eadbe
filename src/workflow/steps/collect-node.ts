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
  const { credentials, refusal } = await credentialsFor(deps, cluster.clusterId);
  let inventories: NodeInventory[];
  if (refusal) {
    inventories = cluster.nodes.map((node) => refusedBefore(node.nodeId, refusal));
  } else {
    inventories = await deps
      .tool(cluster.tool)
      .driver()
      .collect(cluster.nodes, credentials, collectOptions(context));
    await rememberRefusals(deps, cluster.clusterId, credentials, inventories);
  }
  const collected = await Promise.all(
    inventories.map((inventory) => storeInventory(context, cluster, phase, inventory, deps)),
  );
  return { collected, inventories };
}

function collectOptions(context: RunContext) {
  return { loginFailureLimit: context.policy.loginFailureLimit };
}

/** Keeps the inventory; the state carries its key and counts (null cluster: counts not known). */
async function storeInventory(
  context: RunContext,
  cluster: ResolvedCluster | null,
  phase: CollectPhase,
  inventory: NodeInventory,
  deps: WorkflowDeps,
): Promise<CollectedNode> {
  const inventoryRef = await deps.store.putJson(
    artifactKeys.inventory(context.runId, phase, inventory.nodeId),
    inventory,
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
