/**
 * `hsm-sentinel emulator start|stop|status|fault`: an emulated cluster in the background, to
 * practise the runbook (`audit` / `sync --cluster-file <state-dir>/cluster-file.json`, the
 * emulated util by hand). The admin password comes from HSM_CO_PASSWORD, never argv.
 */
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ConfigurationError } from '#core/errors.ts';
import { Secret } from '#core/secret.ts';
import {
  clearFaults,
  type DetachedCluster,
  setFault,
  startDetached,
  status,
  stop,
} from '#emulator/emulator-control.ts';
import type { NodeFault } from '#emulator/faults.ts';
import { emulatedCommand } from '#emulator/programs.ts';
import { SEED_SCENARIO_NAMES, type SeedScenarioName } from '#emulator/seed-scenarios.ts';
import { parseOptions } from '../args.ts';
import { type CliIo, UsageError } from '../io.ts';

const USAGE = `usage:
  hsm-sentinel emulator start [--seed ${SEED_SCENARIO_NAMES.join('|')}] [--port 0|2225] [--state-dir DIR]   (admin password: $HSM_CO_PASSWORD)
  hsm-sentinel emulator status [--json] [--state-dir DIR]
  hsm-sentinel emulator fault --node N [--down|--up] [--slow-ms MS] [--reject-login|--accept-login]
                              [--fail-insert N|all] [--fail-create-user|--no-fail-create-user] [--clear] [--state-dir DIR]
  hsm-sentinel emulator stop [--state-dir DIR]
`;

export async function emulatorCommand(args: string[], io: CliIo): Promise<number> {
  const [action, ...rest] = args;
  const { values } = parseOptions(rest, {
    'state-dir': { type: 'string', default: '.runs/emulator' },
    seed: { type: 'string' },
    port: { type: 'string', default: '0' },
    json: { type: 'boolean', default: false },
    node: { type: 'string' },
    down: { type: 'boolean' },
    up: { type: 'boolean' },
    'slow-ms': { type: 'string' },
    'reject-login': { type: 'boolean' },
    'accept-login': { type: 'boolean' },
    'fail-insert': { type: 'string' },
    'fail-create-user': { type: 'boolean' },
    'no-fail-create-user': { type: 'boolean' },
    clear: { type: 'boolean' },
    help: { type: 'boolean' },
  });
  const stateDir = resolve(io.cwd, values['state-dir']);
  if (values.help || action === undefined) {
    io.stdout(USAGE);
    return action === undefined ? 2 : 0;
  }
  switch (action) {
    case 'start': {
      const seed = values.seed;
      if (seed !== undefined && !(SEED_SCENARIO_NAMES as readonly string[]).includes(seed)) {
        throw new UsageError(`--seed must be one of ${SEED_SCENARIO_NAMES.join(', ')}`);
      }
      const password = io.env.HSM_CO_PASSWORD;
      if (seed !== undefined && !password) {
        throw new ConfigurationError(
          'set HSM_CO_PASSWORD to the admin password the seeded nodes should have',
        );
      }
      const cluster = await startDetached({
        stateDir,
        basePort: portOf(values.port),
        ...(seed ? { seed: seed as SeedScenarioName, adminPassword: new Secret(password as string) } : {}),
      });
      const clusterFile = await writeClusterFile(stateDir, cluster);
      io.stdout(describe(cluster));
      io.stdout(`\nPractise the runbook:\n  hsm-sentinel audit --cluster-file ${clusterFile}\n`);
      io.stdout(`  ${emulatedCommand('mgmt-util-aws').join(' ')} ${cluster.configs.aws}\n`);
      return 0;
    }
    case 'status': {
      const current = await status(stateDir);
      if (values.json) io.stdout(`${JSON.stringify(current, null, 2)}\n`);
      else if (!current.running) io.stdout(`no emulated cluster runs for ${stateDir}\n`);
      else {
        io.stdout(describe(current.cluster));
        current.faults.forEach((f, i) => void io.stdout(`  faults on server ${i}: ${JSON.stringify(f)}\n`));
      }
      return current.running ? 0 : 3;
    }
    case 'fault': {
      if (values.node === undefined || !/^\d+$/.test(values.node))
        throw new UsageError('--node N (a server number) is required');
      const node = Number(values.node);
      const faults = values.clear
        ? await clearFaults(stateDir, node)
        : await setFault(stateDir, node, faultOf(values));
      io.stdout(`faults on server ${node}: ${JSON.stringify(faults[node])}\n`);
      return 0;
    }
    case 'stop': {
      const stopped = await stop(stateDir);
      io.stdout(
        stopped
          ? `stopped the emulated cluster of ${stateDir}\n`
          : `no emulated cluster ran for ${stateDir}\n`,
      );
      return 0;
    }
    default:
      throw new UsageError(`unknown action '${action}': start, status, fault or stop`);
  }
}

function portOf(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535)
    throw new UsageError('--port must be 0 (ephemeral) or a port number');
  return Number(text);
}

function faultOf(values: Record<string, string | boolean | undefined>): NodeFault {
  const fault: NodeFault = {};
  if (values.down) fault.down = true;
  if (values.up) fault.down = false;
  if (values['reject-login']) fault.rejectLogin = true;
  if (values['accept-login']) fault.rejectLogin = false;
  if (values['fail-create-user']) fault.failCreateUser = true;
  if (values['no-fail-create-user']) fault.failCreateUser = false;
  const slow = values['slow-ms'];
  if (typeof slow === 'string') {
    if (!/^\d+$/.test(slow)) throw new UsageError('--slow-ms takes a number of milliseconds');
    fault.slowMs = Number(slow);
  }
  const insert = values['fail-insert'];
  if (typeof insert === 'string') {
    if (insert !== 'all' && !/^\d+$/.test(insert))
      throw new UsageError("--fail-insert takes a count or 'all'");
    fault.failInsert = insert === 'all' ? 'all' : Number(insert);
  }
  if (Object.keys(fault).length === 0)
    throw new UsageError('name a fault (--down, --slow-ms, --reject-login, …) or --clear');
  return fault;
}

function describe(cluster: DetachedCluster): string {
  const lines = [
    `emulated cluster (pid ${cluster.pid}, seed ${cluster.seed ?? 'none'}) in ${cluster.stateDir}:`,
  ];
  for (const [i, n] of cluster.nodes.entries())
    lines.push(`  server ${i}: ${n.nodeId} ${n.address}:${n.port}`);
  lines.push(`  util configs: ${cluster.configs.aws}, ${cluster.configs.azure}`);
  return `${lines.join('\n')}\n`;
}

/** A cluster file for `audit`/`sync` that points at this emulated cluster. */
async function writeClusterFile(stateDir: string, cluster: DetachedCluster): Promise<string> {
  const path = join(stateDir, 'cluster-file.json');
  const file = {
    clusterId: 'emulated-cluster',
    tool: 'mgmt-util-aws',
    command: emulatedCommand('mgmt-util-aws'),
    nodes: cluster.nodes.map(({ nodeId, address, port }) => ({ nodeId, address, port })),
    credentials: { from: 'env', passwordVariable: 'HSM_CO_PASSWORD', usernameVariable: 'HSM_CO_USER' },
    operatorConfig: cluster.configs.aws,
    reportDir: 'reports',
  };
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  return path;
}
