/**
 * An in-memory NodeAccessDriver for workflow unit tests: nodes hold users/keys, syncs copy
 * them, and faults make a node unreachable or refuse the login. It counts login attempts
 * per node so tests can prove a refused login is never tried again.
 */
import { CredentialsRejectedError, TransportError } from '#core/errors.ts';
import { keyObjectId, userObjectId } from '#core/identity.ts';
import type { ActionResult, ClusterNode, HsmKey, HsmUser, NodeInventory, SyncAction } from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';
import type { CollectOptions, NodeAccessDriver } from '#drivers/node-access-driver.ts';

export interface FakeNode {
  users: HsmUser[];
  keys: HsmKey[];
  fault?: 'unreachable' | 'reject-login' | 'timeout';
}

export class FakeDriver implements NodeAccessDriver {
  readonly dialect = 'aws' as const;
  readonly addressing = 'per-node' as const;
  readonly nodes: Map<string, FakeNode>;
  readonly loginAttempts = new Map<string, number>();
  readonly syncCalls: SyncAction[][] = [];

  constructor(nodes: Record<string, FakeNode>) {
    this.nodes = new Map(Object.entries(nodes));
  }

  async collect(
    nodes: readonly ClusterNode[],
    _credentials: Credentials,
    options: CollectOptions,
  ): Promise<NodeInventory[]> {
    return nodes.map((node) => {
      const state = this.nodes.get(node.nodeId);
      if (!state || state.fault === 'unreachable') {
        return {
          nodeId: node.nodeId,
          status: 'unreadable',
          reason: 'unreachable',
          detail: 'connection refused',
        };
      }
      if (state.fault === 'timeout') {
        return {
          nodeId: node.nodeId,
          status: 'unreadable',
          reason: 'timeout',
          detail: 'listUsers timed out',
        };
      }
      this.loginAttempts.set(node.nodeId, (this.loginAttempts.get(node.nodeId) ?? 0) + 1);
      if (state.fault === 'reject-login') {
        return {
          nodeId: node.nodeId,
          status: 'unreadable',
          reason: 'login-failed',
          detail: 'RET_USER_LOGIN_FAILURE',
        };
      }
      return {
        nodeId: node.nodeId,
        status: 'read',
        users: structuredClone(state.users),
        keys: structuredClone(state.keys),
        keyHash: null,
        keyDetails: options.keyDetails,
        collectedAt: '2026-11-23T00:00:00.000Z',
      };
    });
  }

  async sync(
    nodes: readonly ClusterNode[],
    _credentials: Credentials,
    actions: readonly SyncAction[],
  ): Promise<ActionResult[]> {
    for (const node of nodes) {
      const state = this.nodes.get(node.nodeId);
      if (!state || state.fault === 'unreachable') throw new TransportError(`${node.nodeId} not connected`);
      this.loginAttempts.set(node.nodeId, (this.loginAttempts.get(node.nodeId) ?? 0) + 1);
      if (state.fault === 'reject-login')
        throw new CredentialsRejectedError(`login refused on ${node.nodeId}`);
    }
    this.syncCalls.push([...actions]);
    return actions.map((action) => {
      const source = this.nodes.get(action.sourceNodeId) as FakeNode;
      const target = this.nodes.get(action.targetNodeId) as FakeNode;
      if (action.kind === 'user') {
        if (target.users.some((u) => userObjectId(u) === action.objectId))
          return { action, outcome: 'already-present', detail: '' };
        const user = source.users.find((u) => userObjectId(u) === action.objectId);
        if (!user) return { action, outcome: 'failed', detail: 'not on source' };
        target.users.push(structuredClone(user));
      } else {
        if (target.keys.some((k) => keyObjectId(k) === action.objectId))
          return { action, outcome: 'already-present', detail: '' };
        const key = source.keys.find((k) => keyObjectId(k) === action.objectId);
        if (!key) return { action, outcome: 'failed', detail: 'not on source' };
        target.keys.push(structuredClone(key));
      }
      return { action, outcome: 'synced', detail: '' };
    });
  }
}
