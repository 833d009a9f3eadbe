/**
 * An emulated cluster: N emulated HSMs on loopback, each its own TCP server with its own state
 * file, sharing one masking key. The embedded default and the tests run the production
 * driver against this.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { InvalidInputError } from '#core/errors.ts';
import type { ClusterNode, ObjectKind } from '#core/model.ts';
import { type HsmMetrics, hsmMetricsOf } from './cloudhsm-cli/metrics.ts';
import { type KeySyncCopy, type KeySyncNode, ServiceKeySync } from './cloudhsm-cli/service-key-sync.ts';
import { buildNodeStates, type ClusterSeed } from './cluster-seed.ts';
import type { ActiveFaults, NodeFault } from './faults.ts';
import { newMaskingKey } from './masking.ts';
import { EmulatedNodeServer, type LoginStats } from './node-server.ts';
import {
  type CreateUserInput,
  type NewKey,
  NODE_STATE_FORMAT,
  type NodeSnapshot,
  NodeState,
  type NodeStateData,
} from './node-state.ts';

export const DEFAULT_EMULATOR_HOSTS: readonly string[] = ['127.0.0.1', '127.0.0.2', '127.0.0.3'];
export const EMULATOR_NODE_ID_PREFIX = 'hsm-emu-';

export interface StartEmulatedClusterOptions {
  /** Default: the seed's node count, else 3. */
  nodeCount?: number;
  /** Where the node state files live (`<nodeId>.json`); reused on restart. */
  stateDir: string;
  /**
   * 0 (default) = an ephemeral port per node. Otherwise node i listens on basePort, or on
   * basePort + k when k earlier nodes share its host (3 distinct hosts: all on basePort).
   */
  basePort?: number;
  /** Loopback addresses, node i on hosts[i % hosts.length]. Default 127.0.0.1, .2, .3. */
  hosts?: readonly string[];
  /** Load this scenario (overwrites existing state); without it existing state is reused. */
  seed?: ClusterSeed;
  /** Faults in force from the start, by node index. */
  faults?: Readonly<Record<number, NodeFault>>;
  /**
   * Node contents built directly (SDK 5 scenarios, the benchmark), instead of `seed`:
   * overwrites existing state like a seed.
   */
  states?: NodeStateBuilder;
  /**
   * Server-side key synchronization (SDK 5): a key created on one node reaches the others
   * after `delayMs` unless a `holdKeySync` fault holds it back. Off unless given (the SDK 3
   * scenarios keep their single-node keys). Users are never synchronized.
   */
  keySync?: { delayMs: number };
}

/** Builds every node's state file contents from the node ids and the cluster's masking key. */
export type NodeStateBuilder = (nodeIds: readonly string[], maskingKey: string) => NodeStateData[];

export interface EmulatedCluster {
  /** In server order (= position in the mgmt-util config). */
  readonly nodes: ClusterNode[];
  readonly stateDir: string;
  /** Changes node `nodeIndex`'s faults (only the fields given). */
  setFault(nodeIndex: number, fault: NodeFault): Promise<void>;
  /** Clears the faults of one node, or of every node. */
  clearFaults(nodeIndex?: number): Promise<void>;
  /** The faults in force on a node. */
  faults(nodeIndex: number): ActiveFaults;
  /** The login requests a node received since the cluster started (or the last reset). */
  loginStats(nodeIndex: number): LoginStats;
  /** Starts every node's login count again. */
  resetLoginStats(): void;
  /** What a node holds now (no password hashes, no key material). */
  readState(nodeIndex: number): NodeSnapshot;
  /** Loads a scenario into the running nodes (drops open connections, new masking key). */
  seed(seed: ClusterSeed): void;
  /** Loads directly built contents into the running nodes (like {@link seed}). */
  load(states: NodeStateBuilder): void;
  /** Writes a key into one node, as if generated there (key sync, when on, copies it later). */
  createKey(nodeIndex: number, key: NewKey): void;
  /** Creates a user on one node only, as a createUser that reached only that node would. */
  createUser(nodeIndex: number, user: CreateUserInput): void;
  /** Removes an object from one node: a node that self-healed (or was restored) without it. */
  forget(nodeIndex: number, kind: ObjectKind, id: number): boolean;
  /** One service key-sync pass now, ignoring the delay (holds and down nodes still apply). */
  syncKeysNow(): KeySyncCopy[];
  /** Per-HSM CloudWatch `AWS/CloudHSM` values (HsmUsersAvailable, HsmKeysTokenOccupied). */
  metrics(): HsmMetrics[];
  stop(): Promise<void>;
}

/** Node ids of an emulated cluster: `hsm-emu-0`, `hsm-emu-1`, … */
export function emulatorNodeIds(nodeCount: number): string[] {
  return Array.from({ length: nodeCount }, (_, i) => `${EMULATOR_NODE_ID_PREFIX}${i}`);
}

function nodePorts(hosts: readonly string[], basePort: number): number[] {
  const seen = new Map<string, number>();
  return hosts.map((host) => {
    const earlier = seen.get(host) ?? 0;
    seen.set(host, earlier + 1);
    return basePort === 0 ? 0 : basePort + earlier;
  });
}

function builtStates(builder: NodeStateBuilder, nodeIds: readonly string[]): NodeStateData[] {
  const data = builder(nodeIds, newMaskingKey());
  if (data.length !== nodeIds.length) {
    throw new InvalidInputError(
      `emulator: the state builder made ${data.length} nodes but the cluster has ${nodeIds.length}`,
    );
  }
  return data;
}

function loadOrCreateStates(
  stateDir: string,
  nodeIds: readonly string[],
  seed: ClusterSeed | undefined,
  builder: NodeStateBuilder | undefined,
): NodeState[] {
  const paths = nodeIds.map((id) => join(stateDir, `${id}.json`));
  if (seed !== undefined || builder !== undefined) {
    const data =
      builder === undefined
        ? buildNodeStates(seed as ClusterSeed, nodeIds, newMaskingKey())
        : builtStates(builder, nodeIds);
    return data.map((d, i) => NodeState.create(paths[i] as string, d));
  }
  const loaded = paths.map((path) => (existsSync(path) ? NodeState.load(path) : null));
  const maskingKey = loaded.find((s) => s !== null)?.maskingKey ?? newMaskingKey();
  return loaded.map((state, i) => {
    if (state !== null) return state;
    const empty: NodeStateData = {
      format: NODE_STATE_FORMAT,
      nodeId: nodeIds[i] as string,
      partition: nodeIds[i] as string,
      maskingKey,
      users: [],
      keys: [],
    };
    return NodeState.create(paths[i] as string, empty);
  });
}

/**
 * Starts an emulated cluster on loopback.
 *
 * @example
 * const cluster = await startEmulatedCluster({ stateDir, seed: seedScenarios({ adminPassword }).aws });
 * // cluster.nodes[1] -> { nodeId: 'hsm-emu-1', address: '127.0.0.2', port: 40123, state: 'ACTIVE' }
 * await cluster.setFault(1, { down: true });
 * await cluster.stop();
 */
export async function startEmulatedCluster(options: StartEmulatedClusterOptions): Promise<EmulatedCluster> {
  const nodeCount = options.nodeCount ?? options.seed?.nodes.length ?? 3;
  if (!Number.isInteger(nodeCount) || nodeCount < 1) {
    throw new InvalidInputError(`emulator: nodeCount must be a positive integer, got ${nodeCount}`);
  }
  const hostList = options.hosts ?? DEFAULT_EMULATOR_HOSTS;
  if (hostList.length === 0) throw new InvalidInputError('emulator: hosts must not be empty');
  const hosts = Array.from({ length: nodeCount }, (_, i) => hostList[i % hostList.length] as string);
  const ports = nodePorts(hosts, options.basePort ?? 0);
  if (options.seed !== undefined && options.states !== undefined) {
    throw new InvalidInputError('emulator: give either seed or states, not both');
  }
  const nodeIds = emulatorNodeIds(nodeCount);
  const states = loadOrCreateStates(options.stateDir, nodeIds, options.seed, options.states);

  const servers: EmulatedNodeServer[] = [];
  try {
    for (let i = 0; i < nodeCount; i++) {
      const fault = options.faults?.[i];
      servers.push(
        await EmulatedNodeServer.start({
          host: hosts[i] as string,
          port: ports[i] as number,
          state: states[i] as NodeState,
          ...(fault === undefined ? {} : { faults: fault }),
        }),
      );
    }
  } catch (error) {
    await Promise.all(servers.map((s) => s.stop()));
    throw error;
  }

  const server = (nodeIndex: number): EmulatedNodeServer => {
    const found = servers[nodeIndex];
    if (found === undefined) {
      throw new InvalidInputError(`emulator: no node ${nodeIndex} (the cluster has ${servers.length} nodes)`);
    }
    return found;
  };

  const syncNodes: KeySyncNode[] = servers.map((s) => ({
    keys: () => s.snapshot().keys,
    reachable: () => !s.faults.down,
    held: () => s.faults.holdKeySync,
    extract: (handle) => s.extractKeyForSync(handle),
    insert: (blob) => s.insertKeyFromSync(blob),
  }));
  const keySync = new ServiceKeySync(() => syncNodes, { delayMs: options.keySync?.delayMs ?? 0 });
  if (options.keySync !== undefined) keySync.start();

  return {
    nodes: servers.map((s) => ({
      nodeId: s.nodeId,
      address: s.host,
      port: s.port,
      state: 'ACTIVE' as const,
    })),
    stateDir: options.stateDir,
    setFault: (nodeIndex, fault) => server(nodeIndex).setFault(fault),
    clearFaults: async (nodeIndex) => {
      const targets = nodeIndex === undefined ? servers : [server(nodeIndex)];
      await Promise.all(targets.map((s) => s.clearFaults()));
    },
    faults: (nodeIndex) => server(nodeIndex).faults,
    loginStats: (nodeIndex) => server(nodeIndex).loginStats,
    resetLoginStats: () => {
      for (const s of servers) s.resetLoginStats();
    },
    readState: (nodeIndex) => server(nodeIndex).snapshot(),
    seed: (seed) => {
      const data = buildNodeStates(seed, nodeIds, newMaskingKey());
      servers.forEach((s, i) => {
        s.replaceState(data[i] as NodeStateData);
      });
    },
    load: (builder) => {
      const data = builtStates(builder, nodeIds);
      servers.forEach((s, i) => {
        s.replaceState(data[i] as NodeStateData);
      });
    },
    createKey: (nodeIndex, key) => server(nodeIndex).createKey(key),
    createUser: (nodeIndex, user) => server(nodeIndex).createUser(user),
    forget: (nodeIndex, kind, id) => server(nodeIndex).forget(kind, id),
    syncKeysNow: () => keySync.runOnce({ ignoreDelay: true }),
    metrics: () => servers.map((s) => hsmMetricsOf(s.snapshot())),
    stop: async () => {
      keySync.stop();
      await Promise.all(servers.map((s) => s.stop()));
    },
  };
}
