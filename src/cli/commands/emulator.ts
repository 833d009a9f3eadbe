/**
 * `hsm-sentinel emulator start|stop|status|fault`: an emulated cluster in the background, to
 * practise the runbook (`audit` / `sync --cluster-file <state-dir>/cluster-file.json`, the
 * emulated util by hand). Seeded by default (`--seed demo`: the three seed stories); the admin
 * password comes from HSM_CO_PASSWORD, never argv, and is the one the cluster file reads.
 */
import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join, relative, resolve, sep } from 'node:path';
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
import type { SeedScenarioName } from '#emulator/seed-scenarios.ts';
import { type CommandContext, flagOf, type ParsedArgs, stringOf } from '../command-spec.ts';
import { EXIT } from '../exit-codes.ts';
import { type CliIo, UsageError } from '../io.ts';
import { PROJECT_ROOT } from '../project-root.ts';
import { EMULATOR_SEEDS } from '../specs/emulator.ts';

function stateDirOf(args: ParsedArgs, io: CliIo): string {
  return resolve(io.cwd, stringOf(args, 'state-dir') ?? '.runs/emulator');
}

/**
 * How the operator types hsm-sentinel from here, whatever Node is on PATH: the launcher, by
 * its path from the checkout (`./bin/hsm-sentinel.js`), its absolute path elsewhere.
 */
export function hsmSentinelCommand(cwd: string): string {
  const launcher = join(PROJECT_ROOT, 'bin', 'hsm-sentinel.js');
  const rel = relative(cwd, launcher);
  return rel.startsWith('..') || rel.startsWith(sep) ? launcher : `.${sep}${rel}`;
}

function shown(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}

export async function emulatorStart(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const stateDir = stateDirOf(args, io);
  const seed = stringOf(args, 'seed') ?? 'demo';
  if (!(EMULATOR_SEEDS as readonly string[]).includes(seed))
    throw new UsageError(`--seed must be one of ${EMULATOR_SEEDS.join(', ')}, not '${seed}'`);
  const password = io.env.HSM_CO_PASSWORD;
  if (seed !== 'none' && !password) {
    throw new UsageError(
      'set HSM_CO_PASSWORD to the admin password the seeded nodes should have (export HSM_CO_PASSWORD=…), or --seed none',
    );
  }
  const current = await status(stateDir);
  if (current.running) {
    throw new UsageError(
      `an emulated cluster already runs for ${shown(stateDir, io.cwd)} (pid ${current.cluster.pid}): stop it first (emulator stop), or give another --state-dir`,
    );
  }
  const cluster = await startDetached({
    stateDir,
    basePort: portOf(stringOf(args, 'port') ?? '0'),
    ...(seed !== 'none'
      ? { seed: seed as SeedScenarioName, adminPassword: new Secret(password as string) }
      : {}),
  });
  const util = await writeUtilWrapper(stateDir);
  const clusterFile = await writeClusterFile(stateDir, cluster, util);
  const cmd = hsmSentinelCommand(io.cwd);
  const file = shown(clusterFile, io.cwd);
  const hints = [
    `${cmd} audit --cluster-file ${file}`,
    `${cmd} emulator fault --node 1 --down${stateDirFlag(args)}`,
    `${cmd} sync --cluster-file ${file}`,
    `${shown(util, io.cwd)} ${shown(cluster.configs.aws, io.cwd)}   (the emulated cloudhsm_mgmt_util, by hand)`,
    `${cmd} emulator stop${stateDirFlag(args)}`,
  ];
  if (ctx.json) {
    io.stdout(`${JSON.stringify({ started: true, cluster, clusterFile, util, next: hints }, null, 2)}\n`);
    return EXIT.ok;
  }
  io.stdout(describe(cluster, io.cwd));
  io.stdout(`  cluster file: ${file}\n`);
  if (seed === 'none') io.stdout('  the nodes are empty (no admin): every login fails until you seed them\n');
  io.stdout(
    `\nPractise the runbook (HSM_CO_PASSWORD is the admin password):\n${hints.map((h) => `  ${h}\n`).join('')}`,
  );
  return EXIT.ok;
}

function stateDirFlag(args: ParsedArgs): string {
  const dir = stringOf(args, 'state-dir');
  return dir && dir !== '.runs/emulator' ? ` --state-dir ${dir}` : '';
}

export async function emulatorStatus(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const stateDir = stateDirOf(args, io);
  const current = await status(stateDir);
  if (ctx.json) io.stdout(`${JSON.stringify(current, null, 2)}\n`);
  else if (!current.running)
    io.stdout(`not running: no emulated cluster runs for ${shown(stateDir, io.cwd)}\n`);
  else {
    io.stdout(`running: ${describe(current.cluster, io.cwd)}`);
    current.faults.forEach((f, i) => {
      if (Object.keys(f).length > 0) io.stdout(`  faults on server ${i}: ${JSON.stringify(f)}\n`);
    });
  }
  return EXIT.ok;
}

export async function emulatorFault(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const stateDir = stateDirOf(args, io);
  const nodeText = stringOf(args, 'node');
  if (nodeText === undefined || !/^\d+$/.test(nodeText))
    throw new UsageError('--node N (a server number: 0, 1, 2) is required');
  const node = Number(nodeText);
  const fault = flagOf(args, 'clear') ? null : faultOf(args);
  const current = await status(stateDir);
  if (!current.running)
    throw new UsageError(
      `no emulated cluster runs for ${shown(stateDir, io.cwd)}: start one with emulator start`,
    );
  if (node >= current.cluster.nodes.length)
    throw new UsageError(`--node ${node}: the cluster has servers 0 to ${current.cluster.nodes.length - 1}`);
  const faults = fault === null ? await clearFaults(stateDir, node) : await setFault(stateDir, node, fault);
  if (ctx.json) io.stdout(`${JSON.stringify({ node, faults: faults[node] ?? {} }, null, 2)}\n`);
  else io.stdout(`faults on server ${node}: ${JSON.stringify(faults[node] ?? {})}\n`);
  return EXIT.ok;
}

export async function emulatorStop(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const stateDir = stateDirOf(args, io);
  const stopped = await stop(stateDir);
  if (ctx.json) io.stdout(`${JSON.stringify({ stopped }, null, 2)}\n`);
  else
    io.stdout(
      stopped
        ? `stopped the emulated cluster of ${shown(stateDir, io.cwd)}\n`
        : `nothing to stop: no emulated cluster ran for ${shown(stateDir, io.cwd)}\n`,
    );
  return EXIT.ok;
}

function portOf(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535)
    throw new UsageError('--port must be 0 (ephemeral) or a port number');
  return Number(text);
}

function faultOf(args: ParsedArgs): NodeFault {
  const fault: NodeFault = {};
  if (flagOf(args, 'down')) fault.down = true;
  if (flagOf(args, 'up')) fault.down = false;
  if (flagOf(args, 'reject-login')) fault.rejectLogin = true;
  if (flagOf(args, 'accept-login')) fault.rejectLogin = false;
  if (flagOf(args, 'fail-create-user')) fault.failCreateUser = true;
  if (flagOf(args, 'no-fail-create-user')) fault.failCreateUser = false;
  const slow = stringOf(args, 'slow-ms');
  if (slow !== undefined) {
    if (!/^\d+$/.test(slow)) throw new UsageError('--slow-ms takes a number of milliseconds');
    fault.slowMs = Number(slow);
  }
  const insert = stringOf(args, 'fail-insert');
  if (insert !== undefined) {
    if (insert !== 'all' && !/^\d+$/.test(insert))
      throw new UsageError("--fail-insert takes a count or 'all'");
    fault.failInsert = insert === 'all' ? 'all' : Number(insert);
  }
  if (Object.keys(fault).length === 0)
    throw new UsageError('name a fault (--down, --slow-ms, --reject-login, …) or --clear');
  return fault;
}

function describe(cluster: DetachedCluster, cwd: string): string {
  const lines = [
    `emulated cluster (pid ${cluster.pid}, seed ${cluster.seed ?? 'none'}) in ${shown(cluster.stateDir, cwd)}:`,
  ];
  for (const [i, n] of cluster.nodes.entries())
    lines.push(`  server ${i}: ${n.nodeId} ${n.address}:${n.port}`);
  lines.push(`  util configs: ${shown(cluster.configs.aws, cwd)}, ${shown(cluster.configs.azure, cwd)}`);
  return `${lines.join('\n')}\n`;
}

/**
 * `DIR/bin/cloudhsm_mgmt_util`: the emulated util under the vendor's name, for the operator
 * to type by hand and for the cluster file, so the runbook commands in alerts name it.
 */
async function writeUtilWrapper(stateDir: string): Promise<string> {
  const dir = join(stateDir, 'bin');
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'cloudhsm_mgmt_util');
  const quoted = emulatedCommand('mgmt-util-aws')
    .map((part) => `'${part.replace(/'/g, `'\\''`)}'`)
    .join(' ');
  await writeFile(
    path,
    `#!/bin/sh\n# The emulated cloudhsm_mgmt_util (hsm-sentinel emulator)\nexec ${quoted} "$@"\n`,
  );
  await chmod(path, 0o755);
  return path;
}

/** A cluster file for `audit`/`sync`/`run` that points at this emulated cluster. */
async function writeClusterFile(stateDir: string, cluster: DetachedCluster, util: string): Promise<string> {
  const path = join(stateDir, 'cluster-file.json');
  const file = {
    clusterId: 'emulated-cluster',
    tool: 'mgmt-util-aws',
    command: [util],
    nodes: cluster.nodes.map(({ nodeId, address, port }) => ({ nodeId, address, port })),
    credentials: { from: 'env', passwordVariable: 'HSM_CO_PASSWORD', usernameVariable: 'HSM_CO_USER' },
    operatorConfig: cluster.configs.aws,
    reportDir: 'reports',
  };
  await writeFile(path, `${JSON.stringify(file, null, 2)}\n`, { mode: 0o600 });
  return path;
}
