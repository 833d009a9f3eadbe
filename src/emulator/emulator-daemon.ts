/**
 * Detached emulated cluster (behind `hsm-sentinel emulator start|stop|status|fault`):
 *
 *   node src/emulator/emulator-daemon.ts --state-dir D [--nodes 3] [--base-port 0]
 *        [--hosts 127.0.0.1,127.0.0.2,127.0.0.3] [--seed aws|azure|divergent] [--admin-password-stdin]
 *
 * Starts a cluster in this process, writes mgmt-util configs for it and `D/cluster.json`
 * (nodes, pid, control URL and token; mode 0600), and serves a loopback HTTP control endpoint:
 * GET /status, POST /fault {nodeIndex, fault}, POST /clear-faults {nodeIndex?}, POST /stop.
 * The admin password of a seed is read from the first line of stdin, never from argv or env.
 * Use emulator-control.ts rather than talking to this directly.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { mkdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { ClusterNode } from '#core/model.ts';
import { Secret } from '#core/secret.ts';
import { type EmulatedCluster, startEmulatedCluster } from './cluster.ts';
import { isEntryPoint } from './entry-point.ts';
import type { ActiveFaults, NodeFault } from './faults.ts';
import { renderMgmtUtilConfig } from './mgmt-util/config.ts';
import { SEED_SCENARIO_NAMES, type SeedScenarioName, seedScenarios } from './seed-scenarios.ts';

export const DAEMON_ENTRY = fileURLToPath(import.meta.url);
export const CLUSTER_FILE = 'cluster.json';
export const AWS_CONFIG_FILE = 'cloudhsm_mgmt_util.cfg';
export const AZURE_CONFIG_FILE = 'azcloudhsm_resource.cfg';

/** What `D/cluster.json` holds. */
export interface ClusterFile {
  pid: number;
  controlUrl: string;
  /** Bearer token of the control endpoint. */
  token: string;
  stateDir: string;
  seed: SeedScenarioName | null;
  nodes: ClusterNode[];
  /** mgmt-util config files written for this cluster. */
  configs: { aws: string; azure: string };
  startedAt: string;
}

export interface DaemonStatus {
  pid: number;
  nodes: ClusterNode[];
  faults: ActiveFaults[];
}

async function readBody(request: IncomingMessage): Promise<unknown> {
  let text = '';
  for await (const chunk of request) text += String(chunk);
  return text.length === 0 ? {} : (JSON.parse(text) as unknown);
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}

async function readStdinFirstLine(): Promise<string> {
  let text = '';
  for await (const chunk of process.stdin) {
    text += String(chunk);
    if (text.includes('\n')) break;
  }
  return text.split('\n')[0]?.replace(/\r$/, '') ?? '';
}

function authorized(request: IncomingMessage, token: string): boolean {
  const given = Buffer.from(request.headers.authorization ?? '');
  const expected = Buffer.from(`Bearer ${token}`);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

function faultsOf(cluster: EmulatedCluster): ActiveFaults[] {
  return cluster.nodes.map((_, i) => cluster.faults(i));
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      'state-dir': { type: 'string' },
      nodes: { type: 'string' },
      'base-port': { type: 'string' },
      hosts: { type: 'string' },
      seed: { type: 'string' },
      'admin-password-stdin': { type: 'boolean', default: false },
    },
  });
  const stateDir = values['state-dir'];
  if (stateDir === undefined) throw new Error('--state-dir is required');
  const seedName = values.seed;
  if (seedName !== undefined && !(SEED_SCENARIO_NAMES as readonly string[]).includes(seedName)) {
    throw new Error(`--seed must be one of ${SEED_SCENARIO_NAMES.join(', ')}`);
  }
  let seed: ReturnType<typeof seedScenarios>[SeedScenarioName] | undefined;
  if (seedName !== undefined) {
    if (!values['admin-password-stdin']) throw new Error('--seed needs --admin-password-stdin');
    const password = await readStdinFirstLine();
    if (password.length === 0) throw new Error('no admin password on stdin');
    seed = seedScenarios({ adminPassword: new Secret(password) })[seedName as SeedScenarioName];
  }
  mkdirSync(stateDir, { recursive: true });
  const cluster = await startEmulatedCluster({
    stateDir,
    ...(values.nodes === undefined ? {} : { nodeCount: Number(values.nodes) }),
    ...(values['base-port'] === undefined ? {} : { basePort: Number(values['base-port']) }),
    ...(values.hosts === undefined ? {} : { hosts: values.hosts.split(',').map((h) => h.trim()) }),
    ...(seed === undefined ? {} : { seed }),
  });

  const token = randomBytes(24).toString('base64url');
  const clusterFile = join(stateDir, CLUSTER_FILE);
  let stopping = false;
  const shutdown = async (code: number) => {
    if (stopping) return;
    stopping = true;
    await cluster.stop();
    control.close();
    rmSync(clusterFile, { force: true });
    process.exit(code);
  };

  const control = createServer((request, response) => {
    if (!authorized(request, token)) {
      reply(response, 401, { error: 'unauthorized' });
      return;
    }
    const route = `${request.method ?? 'GET'} ${request.url ?? '/'}`;
    const handle = async () => {
      switch (route) {
        case 'GET /status': {
          const status: DaemonStatus = { pid: process.pid, nodes: cluster.nodes, faults: faultsOf(cluster) };
          return reply(response, 200, status);
        }
        case 'POST /fault': {
          const body = (await readBody(request)) as { nodeIndex?: unknown; fault?: unknown };
          if (typeof body.nodeIndex !== 'number' || typeof body.fault !== 'object' || body.fault === null) {
            return reply(response, 400, { error: 'expected {nodeIndex, fault}' });
          }
          await cluster.setFault(body.nodeIndex, body.fault as NodeFault);
          return reply(response, 200, { faults: faultsOf(cluster) });
        }
        case 'POST /clear-faults': {
          const body = (await readBody(request)) as { nodeIndex?: unknown };
          await cluster.clearFaults(typeof body.nodeIndex === 'number' ? body.nodeIndex : undefined);
          return reply(response, 200, { faults: faultsOf(cluster) });
        }
        case 'POST /stop':
          response.on('finish', () => void shutdown(0));
          return reply(response, 200, { stopping: true });
        default:
          return reply(response, 404, { error: `no route ${route}` });
      }
    };
    handle().catch((error: unknown) =>
      reply(response, 400, { error: error instanceof Error ? error.message : String(error) }),
    );
  });
  await new Promise<void>((resolve) => control.listen({ host: '127.0.0.1', port: 0 }, resolve));
  const address = control.address();
  const controlPort = typeof address === 'object' && address !== null ? address.port : 0;

  const configs = { aws: join(stateDir, AWS_CONFIG_FILE), azure: join(stateDir, AZURE_CONFIG_FILE) };
  writeFileSync(configs.aws, renderMgmtUtilConfig('aws', cluster.nodes));
  writeFileSync(configs.azure, renderMgmtUtilConfig('azure', cluster.nodes));
  const file: ClusterFile = {
    pid: process.pid,
    controlUrl: `http://127.0.0.1:${controlPort}`,
    token,
    stateDir,
    seed: (seedName as SeedScenarioName | undefined) ?? null,
    nodes: cluster.nodes,
    configs,
    startedAt: new Date().toISOString(),
  };
  const tmp = `${clusterFile}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, clusterFile);

  process.on('SIGTERM', () => void shutdown(0));
  process.on('SIGINT', () => void shutdown(0));
}

if (isEntryPoint(DAEMON_ENTRY)) {
  main(process.argv.slice(2)).catch((error: unknown) => {
    process.stderr.write(`emulator-daemon: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
