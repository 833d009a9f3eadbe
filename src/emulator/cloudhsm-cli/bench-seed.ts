/**
 * The benchmark cluster: the hsm2m.medium worst case, 28 HSMs (the per-cluster quota), each
 * holding 16,666 keys (the cluster key quota) and 1,024 users (the user quota), written as node
 * state directly (seconds, not hours of `user create`). All keys are owned by the crypto user
 * {@link BENCHMARK_CRYPTO_USER} (a third shared with two others), so one `key list --verbose`
 * listing as that user covers every key.
 *
 * `measureCliCollection` times a collection through the emulated CLI (every page of
 * `key list --verbose` at the given page sizes, and `user list`), each page a spawned process
 * as the driver will run it, each reply read by the production parsers. Not run by `npm test`;
 * run it with `node src/emulator/cloudhsm-cli/bench-seed.ts [pageSize…]`.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Secret } from '#core/secret.ts';
import { renderCloudHsmCliConfig } from '#drivers/cloudhsm-cli/config.ts';
import {
  joinKeyListPages,
  type KeyListReply,
  parseKeyList,
} from '#drivers/cloudhsm-cli/parse/parse-key-list.ts';
import { parseUserList } from '#drivers/cloudhsm-cli/parse/parse-user-list.ts';
import { type EmulatedCluster, type NodeStateBuilder, startEmulatedCluster } from '../cluster.ts';
import { cloudHsmCliCommand } from './main.ts';
import { HSM2M_MAX_USERS } from './metrics.ts';
import {
  aesKey,
  PasswordHashes,
  type Sdk5SeedUser,
  sdk5NodeState,
  storedKey,
  storedUser,
} from './node-seed.ts';

/** The crypto user that owns every benchmark key. */
export const BENCHMARK_CRYPTO_USER = 'bench_cu';

export interface BenchmarkClusterOptions {
  /** Default 28. */
  hsms?: number;
  /** Default 16,666. */
  keys?: number;
  /** Default 1,024 (admin, app_user, bench_cu and numbered crypto users). */
  users?: number;
  adminPassword: Secret;
  cryptoUserPassword: Secret;
}

/** Node contents of the benchmark cluster (every HSM identical). */
export function benchmarkClusterStates(options: BenchmarkClusterOptions): NodeStateBuilder {
  const userCount = options.users ?? HSM2M_MAX_USERS;
  const keyCount = options.keys ?? 16_666;
  return (nodeIds, maskingKey) => {
    const hashes = new PasswordHashes();
    const unknown = storedUser({ userId: 0, userType: 'CU', username: 'nobody' }, hashes).passwordHash;
    const seeded: Sdk5SeedUser[] = [
      { userId: 1, userType: 'PCO', username: 'admin', password: options.adminPassword },
      { userId: 2, userType: 'AU', username: 'app_user' },
      { userId: 3, userType: 'CU', username: BENCHMARK_CRYPTO_USER, password: options.cryptoUserPassword },
    ];
    const users = [
      ...seeded.slice(0, userCount).map((u) => storedUser(u, hashes)),
      ...Array.from({ length: Math.max(0, userCount - seeded.length) }, (_, i) => ({
        ...storedUser(
          { userId: i + 4, userType: 'CU', username: `cu_${String(i + 4).padStart(4, '0')}` },
          hashes,
        ),
        passwordHash: unknown,
      })),
    ];
    const shareWith = userCount > 5 ? [4, 5] : [];
    const keys = Array.from({ length: keyCount }, (_, i) =>
      storedKey('benchmark', aesKey(0x10_0000 + i, 3, `bench-key-${i}`, i % 3 === 0 ? shareWith : [])),
    );
    return nodeIds.map((nodeId) => sdk5NodeState(nodeId, maskingKey, users, keys));
  };
}

/** Starts the benchmark cluster on 127.0.0.1 … 127.0.0.N and writes its cloudhsm-cli.cfg. */
export async function startBenchmarkCluster(
  options: BenchmarkClusterOptions & { stateDir: string },
): Promise<{ cluster: EmulatedCluster; configPath: string }> {
  const hsms = options.hsms ?? 28;
  const cluster = await startEmulatedCluster({
    stateDir: options.stateDir,
    nodeCount: hsms,
    hosts: Array.from({ length: hsms }, (_, i) => `127.0.0.${i + 1}`),
    states: benchmarkClusterStates(options),
  });
  const configPath = join(options.stateDir, 'cloudhsm-cli.cfg');
  writeFileSync(configPath, renderCloudHsmCliConfig(cluster.nodes), { mode: 0o600 });
  return { cluster, configPath };
}

function runCli(
  args: readonly string[],
  env: Record<string, string>,
): Promise<{ stdout: string; code: number | null }> {
  const { command, args: argv } = cloudHsmCliCommand(args);
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const chunks: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout: Buffer.concat(chunks).toString('utf8'), code }));
  });
}

export interface CliTiming {
  label: string;
  /** Processes spawned. */
  invocations: number;
  ms: number;
  /** Keys or users read. */
  items: number;
}

/**
 * Times a full collection through the emulated CLI: all `key list --verbose` pages at each page
 * size (a process per page, each page parsed, the pages joined and checked complete), then
 * `user list`.
 */
export async function measureCliCollection(options: {
  configPath: string;
  cryptoUserPassword: Secret;
  pageSizes: readonly number[];
}): Promise<CliTiming[]> {
  const env = {
    CLOUDHSM_ROLE: 'crypto-user',
    CLOUDHSM_PIN: `${BENCHMARK_CRYPTO_USER}:${options.cryptoUserPassword.reveal()}`,
  };
  const timings: CliTiming[] = [];
  for (const pageSize of options.pageSizes) {
    const started = performance.now();
    const pages: KeyListReply[] = [];
    let token: string | null = '0';
    while (token !== null) {
      const args = [
        '--config',
        options.configPath,
        'key',
        'list',
        '--verbose',
        '--max-items',
        String(pageSize),
      ];
      const { stdout } = await runCli([...args, '--starting-token', token], env);
      const page = parseKeyList(stdout, { expect: 'verbose' });
      pages.push(page);
      token = page.nextToken;
    }
    const joined = joinKeyListPages(pages);
    timings.push({
      label: `key list --verbose, --max-items ${pageSize}`,
      invocations: pages.length,
      ms: performance.now() - started,
      items: joined.keys.length,
    });
  }
  const started = performance.now();
  const users = parseUserList((await runCli(['--config', options.configPath, 'user', 'list'], {})).stdout);
  timings.push({
    label: 'user list',
    invocations: 1,
    ms: performance.now() - started,
    items: users.users.length,
  });
  return timings;
}

function isEntryPoint(): boolean {
  const invoked = process.argv[1];
  if (invoked === undefined) return false;
  try {
    return realpathSync(invoked) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  const pageSizes = process.argv.slice(2).map(Number);
  const stateDir = mkdtempSync(join(tmpdir(), 'hsm-emu-bench-sdk5-'));
  const adminPassword = new Secret('Bench-admin-1');
  const cryptoUserPassword = new Secret('Bench-cu-pass-1');
  const seeding = performance.now();
  const { cluster, configPath } = await startBenchmarkCluster({
    stateDir,
    adminPassword,
    cryptoUserPassword,
  });
  console.log(`seeded 28 HSMs x 16,666 keys x 1,024 users in ${(performance.now() - seeding).toFixed(0)} ms`);
  try {
    const timings = await measureCliCollection({
      configPath,
      cryptoUserPassword,
      pageSizes: pageSizes.length > 0 ? pageSizes : [1000, 10],
    });
    for (const t of timings) {
      console.log(
        `${t.label.padEnd(40)} ${String(t.invocations).padStart(5)} processes ${(t.ms / 1000).toFixed(1).padStart(8)} s  ${t.items} items`,
      );
    }
  } finally {
    await cluster.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
