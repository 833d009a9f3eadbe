/**
 * Client of a detached emulated cluster (emulator-daemon.ts): what `hsm-sentinel emulator
 * start|stop|status|fault` call. A cluster is identified by its state directory; its
 * `cluster.json` says where the control endpoint is.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigurationError, TransportError } from '#core/errors.ts';
import type { ClusterNode } from '#core/model.ts';
import type { Secret } from '#core/secret.ts';
import { CLUSTER_FILE, type ClusterFile, DAEMON_ENTRY, type DaemonStatus } from './emulator-daemon.ts';
import type { ActiveFaults, NodeFault } from './faults.ts';
import type { SeedScenarioName } from './seed-scenarios.ts';

export const DAEMON_LOG_FILE = 'daemon.log';

export interface StartDetachedOptions {
  stateDir: string;
  /** Load a seed scenario (needs adminPassword); without it the state in stateDir is reused. */
  seed?: SeedScenarioName;
  adminPassword?: Secret;
  nodeCount?: number;
  /** 0 (default) = ephemeral ports; 2225 only when asked. */
  basePort?: number;
  hosts?: readonly string[];
  /** How long to wait for the daemon to come up (default 15000 ms). */
  timeoutMs?: number;
}

/** A running detached cluster, as its cluster.json describes it (without the control token). */
export interface DetachedCluster {
  pid: number;
  controlUrl: string;
  stateDir: string;
  seed: SeedScenarioName | null;
  nodes: ClusterNode[];
  configs: { aws: string; azure: string };
  startedAt: string;
}

export type EmulatorStatus =
  | { running: false; stateDir: string }
  | { running: true; cluster: DetachedCluster; faults: ActiveFaults[] };

const REQUEST_TIMEOUT_MS = 5000;

function readClusterFile(stateDir: string): ClusterFile | null {
  const path = join(stateDir, CLUSTER_FILE);
  if (!existsSync(path)) return null;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as ClusterFile;
  } catch {
    return null;
  }
}

function publicView(file: ClusterFile): DetachedCluster {
  const { token: _token, ...rest } = file;
  return rest;
}

async function call<T>(file: ClusterFile, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(`${file.controlUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${file.token}`, 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
  } catch (cause) {
    throw new TransportError(`emulator: control endpoint ${file.controlUrl} did not answer`, { cause });
  }
  const payload = (await response.json()) as T & { error?: string };
  if (!response.ok) {
    throw new ConfigurationError(`emulator: ${method} ${path} failed: ${payload.error ?? response.status}`);
  }
  return payload;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function pollUntil<T>(probe: () => T | null, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== null) return value;
    if (Date.now() > deadline)
      throw new TransportError(`emulator: timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Whether a detached cluster answers for this state directory. */
export async function status(stateDir: string): Promise<EmulatorStatus> {
  const file = readClusterFile(stateDir);
  if (file === null) return { running: false, stateDir };
  try {
    const live = await call<DaemonStatus>(file, 'GET', '/status');
    return { running: true, cluster: publicView(file), faults: live.faults };
  } catch {
    return { running: false, stateDir };
  }
}

/**
 * Starts a cluster in its own background process and returns once its cluster.json is written.
 * Refuses when one already runs for this state directory.
 *
 * @example
 * const cluster = await startDetached({ stateDir: '.runs/emulator', seed: 'aws', adminPassword });
 * // later: await setFault('.runs/emulator', 1, { down: true }); await stop('.runs/emulator');
 */
export async function startDetached(options: StartDetachedOptions): Promise<DetachedCluster> {
  const { stateDir } = options;
  const current = await status(stateDir);
  if (current.running) {
    throw new ConfigurationError(
      `emulator: a cluster already runs for ${stateDir} (pid ${current.cluster.pid}); stop it first`,
    );
  }
  if (options.seed !== undefined && options.adminPassword === undefined) {
    throw new ConfigurationError('emulator: a seed needs the admin password (adminPassword)');
  }
  mkdirSync(stateDir, { recursive: true });
  rmSync(join(stateDir, CLUSTER_FILE), { force: true });
  const args = [DAEMON_ENTRY, '--state-dir', stateDir];
  if (options.nodeCount !== undefined) args.push('--nodes', String(options.nodeCount));
  if (options.basePort !== undefined) args.push('--base-port', String(options.basePort));
  if (options.hosts !== undefined) args.push('--hosts', options.hosts.join(','));
  if (options.seed !== undefined) args.push('--seed', options.seed, '--admin-password-stdin');

  const logPath = join(stateDir, DAEMON_LOG_FILE);
  const log = openSync(logPath, 'a', 0o600);
  const child = spawn(process.execPath, args, { detached: true, stdio: ['pipe', 'ignore', log] });
  closeSync(log);
  let exited: number | null = null;
  child.once('exit', (code) => {
    exited = code ?? 1;
  });
  child.stdin?.on('error', () => undefined);
  child.stdin?.end(options.adminPassword === undefined ? '' : `${options.adminPassword.reveal()}\n`);
  try {
    const file = await pollUntil(
      () => {
        if (exited !== null) {
          const tail = readFileSync(logPath, 'utf8').trim().split('\n').slice(-3).join(' | ');
          throw new ConfigurationError(`emulator: the daemon exited with code ${exited}: ${tail}`);
        }
        const found = readClusterFile(stateDir);
        return found !== null && found.pid === child.pid ? found : null;
      },
      options.timeoutMs ?? 15000,
      `the emulator daemon to write ${join(stateDir, CLUSTER_FILE)}`,
    );
    return publicView(file);
  } finally {
    child.unref();
  }
}

/** Changes one node's faults; returns the faults now in force on every node. */
export async function setFault(
  stateDir: string,
  nodeIndex: number,
  fault: NodeFault,
): Promise<ActiveFaults[]> {
  const file = readClusterFile(stateDir);
  if (file === null) throw new ConfigurationError(`emulator: no cluster runs for ${stateDir}`);
  return (await call<{ faults: ActiveFaults[] }>(file, 'POST', '/fault', { nodeIndex, fault })).faults;
}

/** Clears the faults of one node (or all); returns the faults now in force on every node. */
export async function clearFaults(stateDir: string, nodeIndex?: number): Promise<ActiveFaults[]> {
  const file = readClusterFile(stateDir);
  if (file === null) throw new ConfigurationError(`emulator: no cluster runs for ${stateDir}`);
  return (
    await call<{ faults: ActiveFaults[] }>(
      file,
      'POST',
      '/clear-faults',
      nodeIndex === undefined ? {} : { nodeIndex },
    )
  ).faults;
}

/**
 * Stops the detached cluster and waits for its process to end. Returns false when none was
 * running (a stale cluster.json is removed). Never signals a process by a pid from the file.
 */
export async function stop(stateDir: string, options: { timeoutMs?: number } = {}): Promise<boolean> {
  const file = readClusterFile(stateDir);
  if (file === null) return false;
  try {
    await call(file, 'POST', '/stop');
  } catch {
    rmSync(join(stateDir, CLUSTER_FILE), { force: true });
    return false;
  }
  await pollUntil(
    () => (processAlive(file.pid) ? null : true),
    options.timeoutMs ?? 10000,
    `pid ${file.pid} to exit`,
  );
  rmSync(join(stateDir, CLUSTER_FILE), { force: true });
  return true;
}
