/**
 * The SDK 5 collection at the hsm2m.medium worst case: 28 HSMs (the per-cluster quota), 16,666
 * keys (the cluster quota) and 1,024 users (the user quota), through the emulated CLI, spawned
 * as the vendor binary would be. Printed beside its targets:
 * - collection time and the number of CLI processes (one per command, one per key page);
 * - the ratio to the emulated CLI's own time to print the same pages (the same commands run
 *   one after the other, their output read and nothing else done with it): target <= 1.5x;
 * - audit + plan of the 28 inventories, as the Audit step loads them from the store (the
 *   shared listing parsed once): target <= 1 s.
 * The emulated HSMs run in this process and the machine is shared: a warm-up first, then the
 * best of ROUNDS alternating rounds of each.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { audit } from '#core/audit.ts';
import { membershipToken } from '#core/membership.ts';
import { DEFAULT_POLICY, type NodeInventory, type ReadInventory, type ResolvedCluster } from '#core/model.ts';
import { plan } from '#core/plan.ts';
import { type Credentials, Secret } from '#core/secret.ts';
import type { CloudHsmCliDriver } from '#drivers/cloudhsm-cli/driver.ts';
import { CLOUDHSM_CLI_MODULE } from '#drivers/cloudhsm-cli/index.ts';
import { CloudHsmCliSession } from '#drivers/cloudhsm-cli/session.ts';
import { BENCHMARK_CRYPTO_USER, startBenchmarkCluster } from '#emulator/cloudhsm-cli/bench-seed.ts';
import { emulatedCommand } from '#emulator/programs.ts';

const HSMS = 28;
const KEYS = 16_666;
const USERS = 1_024;
const MAX_ITEMS = 1000;
const ROUNDS = 2;

function line(label: string, value: string, target = ''): void {
  console.log(`${label.padEnd(58)} ${value.padStart(14)}   ${target}`);
}

/** The same commands the driver runs, one after the other, output read and dropped. */
async function cliOwnTime(
  configPath: string,
  admin: Credentials,
  cu: Credentials,
): Promise<{ ms: number; processes: number }> {
  const session = new CloudHsmCliSession({
    command: emulatedCommand(CLOUDHSM_CLI_MODULE.id),
    configPath,
    env: process.env,
    timeoutMs: 600_000,
    secrets: [admin.password, cu.password],
  });
  const started = performance.now();
  await session.run(['user', 'list']);
  await session.run(['key', 'list', '--max-items', '1'], {
    login: { role: 'admin', username: admin.username, password: admin.password },
  });
  const pages = Math.ceil(KEYS / MAX_ITEMS);
  for (let page = 0; page < pages; page += 1) {
    const words = ['key', 'list', '--verbose', '--max-items', String(MAX_ITEMS)];
    if (page > 0) words.push('--starting-token', String(page * MAX_ITEMS));
    await session.run(words, {
      login: { role: 'crypto-user', username: cu.username, password: cu.password },
    });
  }
  return { ms: performance.now() - started, processes: session.processes };
}

export async function benchCloudHsmCliCollection(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'bench-sdk5-'));
  const adminPassword = new Secret('Bench-admin-1');
  const cryptoUserPassword = new Secret('Bench-cu-pass-1');
  const admin: Credentials = { username: 'admin', password: adminPassword, role: 'admin', version: null };
  const cu: Credentials = {
    username: BENCHMARK_CRYPTO_USER,
    password: cryptoUserPassword,
    role: null,
    version: null,
  };
  console.log(
    `\ncloudhsm-cli (SDK 5): ${HSMS} HSMs x ${KEYS} keys x ${USERS} users through the emulated CLI`,
  );
  let started = performance.now();
  const { cluster, configPath } = await startBenchmarkCluster({
    stateDir: join(dir, 'state'),
    hsms: HSMS,
    keys: KEYS,
    users: USERS,
    adminPassword,
    cryptoUserPassword,
  });
  line(
    'seeding the emulated HSMs (not part of any number below)',
    `${(performance.now() - started).toFixed(0)} ms`,
  );
  try {
    const driver = CLOUDHSM_CLI_MODULE.createDriver({
      settings: {
        CLOUDHSM_CLI_CRYPTO_USERS: BENCHMARK_CRYPTO_USER,
        CLOUDHSM_CLI_USER_SECRETS: JSON.stringify({ [BENCHMARK_CRYPTO_USER]: 'bench:cu' }),
        CLOUDHSM_CLI_MAX_ITEMS: String(MAX_ITEMS),
      },
      workDir: join(dir, 'work'),
      command: emulatedCommand(CLOUDHSM_CLI_MODULE.id),
      secrets: { read: async () => ({ password: cryptoUserPassword, version: null }) },
      commandTimeoutMs: 600_000,
    }) as CloudHsmCliDriver;
    // The machine is shared: a warm-up, then rounds that alternate the two, the best of each.
    await cliOwnTime(configPath, admin, cu);
    let own = { ms: Number.POSITIVE_INFINITY, processes: 0 };
    let collectMs = Number.POSITIVE_INFINITY;
    let inventories: NodeInventory[] = [];
    for (let round = 0; round < ROUNDS; round += 1) {
      const mine = await cliOwnTime(configPath, admin, cu);
      if (mine.ms < own.ms) own = mine;
      started = performance.now();
      inventories = await driver.collect(cluster.nodes, admin, { loginFailureLimit: 2 });
      collectMs = Math.min(collectMs, performance.now() - started);
      if (inventories.some((i) => i.status !== 'read'))
        throw new Error('bench: the collection did not read every node');
    }

    line(
      `collection (driver.collect, best of ${ROUNDS}; pages parsed, joined)`,
      `${(collectMs / 1000).toFixed(2)} s`,
    );
    line(
      'CLI processes (1 user list, 1 admin login, 1 per 1000 keys)',
      String(driver.lastProcesses),
      `(at the CLI's default page of 10: ${2 + Math.ceil(KEYS / 10)})`,
    );
    line(
      `the emulated CLI printing the same pages (best of ${ROUNDS})`,
      `${(own.ms / 1000).toFixed(2)} s`,
      `(${own.processes} processes)`,
    );
    const ratio = collectMs / own.ms;
    line(
      'ratio collection / CLI own time',
      `${ratio.toFixed(2)}x`,
      `target <= 1.5x: ${ratio <= 1.5 ? 'met' : 'NOT met'}`,
    );

    const resolved: ResolvedCluster = {
      clusterId: 'bench-sdk5',
      provider: 'emulator',
      tool: CLOUDHSM_CLI_MODULE.id,
      nodes: cluster.nodes,
      resolvedAt: new Date().toISOString(),
      membershipToken: membershipToken(cluster.nodes),
      configDrift: null,
      addressing: 'cluster-wide',
    };
    // As the Audit step gets them: the shared listing read back once from the store, every node's inventory pointing at it.
    const first = inventories[0] as ReadInventory;
    const sharedText = JSON.stringify(first.listing);
    const shared = JSON.parse(sharedText) as unknown;
    const loaded = inventories.map((i) => ({
      ...(JSON.parse(JSON.stringify({ ...i, listing: null })) as ReadInventory),
      listing: shared,
    }));
    started = performance.now();
    const result = audit(resolved, loaded, CLOUDHSM_CLI_MODULE.rules);
    plan(resolved, result, DEFAULT_POLICY, CLOUDHSM_CLI_MODULE.planner);
    const auditMs = performance.now() - started;
    line(
      `audit + plan (${result.objects.length} objects on each of ${HSMS} nodes)`,
      `${auditMs.toFixed(0)} ms`,
      `target <= 1000 ms: ${auditMs <= 1000 ? 'met' : 'NOT met'}`,
    );
    // Were the 28 listings stored apart (each its own object): the same audit, 28 times the objects.
    const apart = inventories.map((i) => JSON.parse(JSON.stringify(i)) as NodeInventory);
    started = performance.now();
    plan(
      resolved,
      audit(resolved, apart, CLOUDHSM_CLI_MODULE.rules),
      DEFAULT_POLICY,
      CLOUDHSM_CLI_MODULE.planner,
    );
    line(
      '  (the same with 28 separate copies of the listing)',
      `${(performance.now() - started).toFixed(0)} ms`,
    );
    line('the listing, stored once for the 28 nodes', `${(sharedText.length / 1024 / 1024).toFixed(1)} MiB`);
  } finally {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
