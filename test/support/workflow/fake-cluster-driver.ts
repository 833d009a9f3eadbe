/**
 * An in-memory cluster-wide driver for workflow tests: each collect answers the next listing
 * of a script (the last repeats), the same listing on every node, as the SDK 5 CLI driver does;
 * sync re-creates users (coverage becomes full). Bound to the real cloudhsm-cli rules,
 * planner and runbook, so the workflow sees what it sees in production.
 */
import type { ActionResult, ClusterNode, NodeInventory, NodeNote, SyncAction } from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';
import { CLOUDHSM_CLI_MODULE } from '#drivers/cloudhsm-cli/index.ts';
import { type CloudHsmCliListing, parseUserRef } from '#drivers/cloudhsm-cli/listing.ts';
import type { NodeAccessDriver } from '#drivers/node-access-driver.ts';
import type { ToolBinding, ToolSettings } from '#drivers/tool-module.ts';

export type ClusterAnswer =
  | { listing: CloudHsmCliListing; notes?: NodeNote[] }
  | { unreadable: 'unreachable' | 'timeout' | 'login-failed'; loginAttempted: boolean };

export class FakeClusterDriver implements NodeAccessDriver {
  readonly addressing = 'cluster-wide' as const;
  readonly collects: string[][] = [];
  readonly syncCalls: SyncAction[][] = [];
  readonly #answers: ClusterAnswer[];
  #current: ClusterAnswer;

  constructor(answers: ClusterAnswer[]) {
    this.#answers = [...answers];
    this.#current = answers[0] as ClusterAnswer;
  }

  async collect(nodes: readonly ClusterNode[], _credentials: Credentials): Promise<NodeInventory[]> {
    this.collects.push(nodes.map((n) => n.nodeId));
    if (this.#answers.length > 0) this.#current = this.#answers.shift() as ClusterAnswer;
    const answer = this.#current;
    if ('unreadable' in answer) {
      return nodes.map((n) => ({
        nodeId: n.nodeId,
        status: 'unreadable',
        reason: answer.unreadable,
        detail: `${answer.unreadable} in test`,
        loginAttempted: answer.loginAttempted,
      }));
    }
    return nodes.map((n) => ({
      nodeId: n.nodeId,
      status: 'read',
      listing: structuredClone(answer.listing),
      digest: null,
      notes: answer.notes ?? [],
      collectedAt: '2026-11-23T00:00:00.000Z',
    }));
  }

  async sync(
    _nodes: readonly ClusterNode[],
    _c: Credentials,
    actions: readonly SyncAction[],
  ): Promise<ActionResult[]> {
    this.syncCalls.push([...actions]);
    const answer = this.#current;
    if (!('listing' in answer)) throw new Error('fake: sync without a listing');
    const listing = structuredClone(answer.listing);
    for (const action of actions) {
      const name = parseUserRef(action.ref)?.username;
      for (const u of listing.users) if (u.username === name) u.clusterCoverage = 'full';
    }
    this.#current = { ...answer, listing };
    return actions.map((action) => ({ action, outcome: 'synced', detail: 'fake user create' }));
  }
}

/** The cloudhsm-cli tool with `driver` in place of the CLI. */
export function clusterWideTool(driver: FakeClusterDriver, settings: ToolSettings = {}): () => ToolBinding {
  const binding: ToolBinding = {
    module: CLOUDHSM_CLI_MODULE,
    rules: CLOUDHSM_CLI_MODULE.rules,
    planner: CLOUDHSM_CLI_MODULE.plannerFor?.(settings) ?? CLOUDHSM_CLI_MODULE.planner,
    runbook: CLOUDHSM_CLI_MODULE.runbook({ settings }),
    driver: () => driver,
  };
  return () => binding;
}
