/**
 * `NodeAccessDriver` for Thales Luna HA groups: per-node addressing, one inventory per HA
 * member (node id = the member's serial, as `hagroup listgroups` prints it). Group health and
 * the repair go through lunacm (collect.ts, sync.ts); each member's objects are read through
 * PKCS#11 on its own slot (graphene-pk11 over the Luna client's library).
 */
import { ConfigurationError } from '#core/errors.ts';
import type { ActionResult, ClusterNode, NodeInventory, SyncAction } from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';
import type { CollectOptions, NodeAccessDriver } from '../node-access-driver.ts';
import { collectMembers } from './collect.ts';
import type { LunaContext } from './context.ts';
import type { LunacmInvocation } from './lunacm.ts';
import type { MemberInventoryReader } from './pkcs11/inventory.ts';
import { RefusalMemory } from './refusals.ts';
import type { LunaSettings } from './settings.ts';
import { synchronizeMembers } from './sync.ts';

export const DEFAULT_LUNACM_TIMEOUT_MS = 60_000;

export interface LunaDriverOptions {
  lunacm: LunacmInvocation;
  reader: MemberInventoryReader;
  settings: LunaSettings;
  timeoutMs?: number;
  /** Receives `lunacm -q <words>` and its redacted output after each command. */
  onTranscript?: (transcript: string) => void;
  now?: () => Date;
}

const SERIAL = /^[0-9]{1,20}$/;

function checkNodes(nodes: readonly ClusterNode[]): void {
  for (const n of nodes) {
    if (!SERIAL.test(n.nodeId)) {
      throw new ConfigurationError(
        `node id '${n.nodeId}' is not a Luna member serial (the Member S/N of hagroup listgroups)`,
      );
    }
  }
}

export class LunaDriver implements NodeAccessDriver {
  readonly addressing = 'per-node' as const;
  readonly #ctx: LunaContext;

  constructor(options: LunaDriverOptions) {
    this.#ctx = {
      lunacm: options.lunacm,
      reader: options.reader,
      settings: options.settings,
      memory: new RefusalMemory(),
      timeoutMs: options.timeoutMs ?? DEFAULT_LUNACM_TIMEOUT_MS,
      ...(options.onTranscript ? { transcript: options.onTranscript } : {}),
      now: options.now ?? (() => new Date()),
    };
  }

  async collect(
    nodes: readonly ClusterNode[],
    credentials: Credentials,
    options: CollectOptions,
  ): Promise<NodeInventory[]> {
    if (nodes.length === 0) return [];
    checkNodes(nodes);
    return collectMembers(this.#ctx, nodes, credentials, options);
  }

  async sync(
    nodes: readonly ClusterNode[],
    credentials: Credentials,
    actions: readonly SyncAction[],
    _options?: CollectOptions,
  ): Promise<ActionResult[]> {
    // The lockout guard of sync reads the PIN-counter flags of every member: they tell no
    // count, so the policy's limit changes nothing here (README: the lockout guard).
    if (actions.length === 0) return [];
    checkNodes(nodes);
    return synchronizeMembers(this.#ctx, nodes, credentials, actions);
  }
}
