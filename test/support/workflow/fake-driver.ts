/**
 * An in-memory NodeAccessDriver for workflow unit tests: nodes hold users/keys, syncs copy
 * them, and faults make a node unreachable or refuse the login. It counts login attempts
 * per node so tests can prove a refused login is never tried again.
 */
import { CredentialsRejectedError, TransportError } from '#core/errors.ts';
import type { ActionResult, ClusterNode, NodeInventory, SyncAction } from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';
import type { HsmKey, HsmUser } from '#drivers/mgmt-util/listing.ts';
import { keyObject, userObject } from '#drivers/mgmt-util/rules.ts';
import type { NodeAccessDriver } from '#drivers/node-access-driver.ts';

export interface FakeNode {
  users: HsmUser[];
  keys: HsmKey[];
  /** `timeout`: hangs after the login was sent; `timeout-before-login`: hangs while listing users. */
  fault?: 'unreachable' | 'reject-login' | 'timeout' | 'timeout-before-login';
}

export class FakeDriver implements NodeAccessDriver {
  readonly addressing = 'per-node' as const;
  readonly nodes: Map<string, FakeNode>;
  readonly loginAttempts = new Map<string, number>();
  readonly syncCalls: SyncAction[][] = [];

  constructor(nodes: Record<string, FakeNode>) {
    this.nodes = new Map(Object.entries(nodes));
  }

  /** Whether listings carry key details (owner/sharing), as KEY_DETAILS does for the real driver. */
  keyDetails = true;

  async collect(nodes: readonly ClusterNode[], _credentials: Credentials): Promise<NodeInventory[]> {
    return nodes.map((node) => {
      const state = this.nodes.get(node.nodeId);
      if (!state || state.fault === 'unreachable') {
        return {
          nodeId: node.nodeId,
          status: 'unreadable',
          reason: 'unreachable',
          detail: 'connection refused',
          loginAttempted: false,
        };
      }
      if (state.fault === 'timeout-before-login') {
        return {
          nodeId: node.nodeId,
          status: 'unreadable',
          reason: 'timeout',
          detail: 'listUsers timed out (no login sent)',
          loginAttempted: false,
        };
      }
      if (state.fault === 'timeout') {
        this.loginAttempts.set(node.nodeId, (this.loginAttempts.get(node.nodeId) ?? 0) + 1);
        return {
          nodeId: node.nodeId,
          status: 'unreadable',
          reason: 'timeout',
          detail: 'findAllKeys timed out (after the login)',
          loginAttempted: true,
        };
      }
      this.loginAttempts.set(node.nodeId, (this.loginAttempts.get(node.nodeId) ?? 0) + 1);
      if (state.fault === 'reject-login') {
        return {
          nodeId: node.nodeId,
          status: 'unreadable',
          reason: 'login-failed',
          detail: 'RET_USER_LOGIN_FAILURE',
          loginAttempted: true,
          credentialsRejected: true,
        };
      }
      return {
        nodeId: node.nodeId,
        status: 'read',
        listing: {
          users: structuredClone(state.users),
          keys: this.keyDetails
            ? structuredClone(state.keys)
            : state.keys.map((k) => ({ ...k, owner: null, sharedWith: [] })),
          keyDetails: this.keyDetails,
        },
        digest: null,
        notes: [],
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
      const source = this.nodes.get(action.sourceNodeId ?? '') as FakeNode;
      const target = this.nodes.get(action.targetNodeId ?? '') as FakeNode;
      if (action.kind === 'user') {
        if (target.users.some((u) => userObject(u).id === action.objectId))
          return { action, outcome: 'already-present', detail: '' };
        const user = source.users.find((u) => userObject(u).id === action.objectId);
        if (!user) return { action, outcome: 'failed', detail: 'not on source' };
        target.users.push(structuredClone(user));
      } else {
        if (target.keys.some((k) => keyObject(k).id === action.objectId))
          return { action, outcome: 'already-present', detail: '' };
        const key = source.keys.find((k) => keyObject(k).id === action.objectId);
        if (!key) return { action, outcome: 'failed', detail: 'not on source' };
        target.keys.push(structuredClone(key));
      }
      return { action, outcome: 'synced', detail: '' };
    });
  }
}
