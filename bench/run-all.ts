/**
 * `npm run bench`: the speed and memory numbers, printed (CI does not run this).
 * - audit + plan of a worst-case cluster (28 HSMs × 16,666 keys, 1,024 users) in the pure core;
 * - parsing a worst-case findAllKeys reply (16,666 handles on one server);
 * - parse throughput in MB/s: the largest documented-shape replies, the adversarial lines
 *   that made the old patterns quadratic, and refusing lines and replies over the bounds
 *   (bench/parse-throughput.ts);
 * - one real collect of an emulated 3-node cluster holding N keys per node, through the
 *   production driver spawning the emulated util (getKeyInfo per key included);
 * - the SDK 5 cloudhsm-cli collection of a 28-HSM, 16,666-key, 1,024-user cluster through the
 *   emulated CLI, and audit + plan of it, each beside its target (bench/cloudhsm-cli-collection.ts).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audit } from '#core/audit.ts';
import { membershipToken } from '#core/membership.ts';
import { DEFAULT_POLICY, type NodeInventory, type ResolvedCluster } from '#core/model.ts';
import { plan } from '#core/plan.ts';
import { Secret } from '#core/secret.ts';
import { AWS_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import { MGMT_UTIL_AWS_MODULE } from '#drivers/mgmt-util/index.ts';
import type { HsmKey, HsmUser, MgmtUtilListing } from '#drivers/mgmt-util/listing.ts';
import { parseFindAllKeys } from '#drivers/mgmt-util/parse/parse-find-all-keys.ts';
import { startEmulatedCluster } from '#emulator/cluster.ts';
import type { ClusterSeed, SeedKey } from '#emulator/cluster-seed.ts';
import { emulatedCommand } from '#emulator/programs.ts';
import { benchCloudHsmCliCollection } from './cloudhsm-cli-collection.ts';
import { benchParseThroughput } from './parse-throughput.ts';

function heapMiB(): number {
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
}

async function timed<T>(label: string, work: () => Promise<T> | T): Promise<T> {
  globalThis.gc?.();
  const heapBefore = heapMiB();
  const started = performance.now();
  const result = await work();
  const ms = performance.now() - started;
  console.log(`${label.padEnd(58)} ${ms.toFixed(1).padStart(9)} ms   heap ${heapBefore} -> ${heapMiB()} MiB`);
  return result;
}

function worstCaseInventories(
  nodes: number,
  keys: number,
  users: number,
): { cluster: ResolvedCluster; inventories: NodeInventory[] } {
  const clusterNodes = Array.from({ length: nodes }, (_, i) => ({
    nodeId: `hsm-${i}`,
    address: `10.0.${Math.floor(i / 250)}.${(i % 250) + 1}`,
    port: 2225,
    state: 'ACTIVE' as const,
  }));
  const userList: HsmUser[] = Array.from({ length: users }, (_, u) => ({
    userId: u + 1,
    userType: u === 0 ? 'PCO' : 'CU',
    username: `user_${u + 1}`,
    mofnPubKey: false,
    loginFailureCount: 0,
    twoFactor: false,
  }));
  const keyList: HsmKey[] = Array.from({ length: keys }, (_, k) => ({
    handle: 262144 + k,
    shared: k % 3 === 0,
    owner: (k % (users - 1)) + 2,
    sharedWith: k % 3 === 0 ? [3, 4] : [],
  }));
  // Every node lacks a different 1% of the keys, node 0 holds everything.
  const inventories: NodeInventory[] = clusterNodes.map((node, i) => {
    const listing: MgmtUtilListing = {
      users: userList,
      keys: i === 0 ? keyList : keyList.filter((_, k) => k % 100 !== i % 100),
      keyDetails: true,
    };
    return {
      nodeId: node.nodeId,
      status: 'read',
      listing,
      digest: null,
      notes: [],
      collectedAt: new Date().toISOString(),
    };
  });
  const cluster: ResolvedCluster = {
    clusterId: 'bench',
    provider: 'emulator',
    tool: MGMT_UTIL_AWS_MODULE.id,
    nodes: clusterNodes,
    resolvedAt: new Date().toISOString(),
    membershipToken: membershipToken(clusterNodes),
    configDrift: null,
  };
  return { cluster, inventories };
}

function renderFindAllKeys(keys: number): string {
  const handles = Array.from({ length: keys }, (_, k) => `${262144 + k}${k % 3 === 0 ? '(s)' : ''}`).join(
    ',',
  );
  return [
    'Keys on server 0(10.0.0.1):',
    `Number of keys found ${keys}`,
    `number of keys matched from start index 0::${keys}`,
    handles,
    'findAllKeys success on server 0(10.0.0.1)',
    '',
  ].join('\n');
}

async function benchCollect(keysPerNode: number): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-collect-'));
  const password = new Secret('Bench-Pa55-0000');
  const keys: SeedKey[] = Array.from({ length: keysPerNode }, (_, k) => ({ handle: 262144 + k, owner: 2 }));
  const users = [
    { userId: 1, userType: 'PCO' as const, username: 'admin', password },
    { userId: 2, userType: 'CU' as const, username: 'app' },
  ];
  const seed: ClusterSeed = {
    name: 'bench',
    description: 'bench',
    nodes: [0, 1, 2].map(() => ({ users, keys })),
  };
  const cluster = await startEmulatedCluster({ stateDir: join(dir, 'state'), seed });
  try {
    for (const keyDetails of [false, true]) {
      const driver = MGMT_UTIL_AWS_MODULE.createDriver({
        settings: { KEY_DETAILS: String(keyDetails) },
        workDir: dir,
        command: emulatedCommand(MGMT_UTIL_AWS_MODULE.id),
      });
      await timed(`collect 3 nodes x ${keysPerNode} keys (keyDetails ${keyDetails})`, () =>
        driver.collect(
          cluster.nodes,
          { username: 'admin', password, role: 'CO', version: null },
          { loginFailureLimit: 2 },
        ),
      );
    }
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

console.log(`hsm-sentinel benchmarks on Node ${process.versions.node}`);
const { cluster, inventories } = await timed('build 28 x 16,666-key inventories', () =>
  worstCaseInventories(28, 16666, 1024),
);
const tool = MGMT_UTIL_AWS_MODULE;
const result = await timed('audit 28 nodes x 16,666 keys + 1,024 users', () =>
  audit(cluster, inventories, tool.rules),
);
const thePlan = await timed('plan (max actions 100,000)', () =>
  plan(cluster, result, { ...DEFAULT_POLICY, maxActionsPerRun: 100000 }, tool.planner),
);
console.log(`  findings: ${JSON.stringify(result.counts)}; actions planned: ${thePlan.actions.length}`);
console.log(
  `  audit JSON size: ${(JSON.stringify(result).length / 1024 / 1024).toFixed(1)} MiB (kept in the store, never in a state payload)`,
);
const reply = renderFindAllKeys(16666);
await timed('parse findAllKeys with 16,666 handles (x100)', () => {
  for (let i = 0; i < 100; i += 1) parseFindAllKeys(reply, AWS_PROFILE);
});
benchParseThroughput();
await benchCollect(Number(process.env.BENCH_KEYS ?? 1000));
await benchCloudHsmCliCollection();
