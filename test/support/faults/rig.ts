/**
 * The fault rig: an emulated cluster on loopback (real TCP node servers), and whole runs of
 * the real state machine definition against it with the local deps the CLI uses (the
 * production mgmt-util driver spawning the emulated util, a report folder, the credential
 * memory in that folder). What a run touched is captured for the suites: every step-log
 * line, everything printed, every alert, the report, the os.tmpdir() entries it created.
 * Used by test/faults and the soak (test/soak/soak.ts).
 */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsoleSink } from '#alerts/console-sink.ts';
import { localDeps } from '#cli/local-deps.ts';
import { executeLocally } from '#cli/local-execution.ts';
import type { RunProgress } from '#cli/progress.ts';
import { runShutdownTasks } from '#cli/shutdown.ts';
import type { Alert } from '#core/alert.ts';
import { type ClusterNode, DEFAULT_POLICY, type Policy, type ToolId } from '#core/model.ts';
import type { RunReport } from '#core/report.ts';
import { Secret } from '#core/secret.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import type { ClusterSeed } from '#emulator/cluster-seed.ts';
import type { NodeFault } from '#emulator/faults.ts';
import type { ECHO_MODES } from '#emulator/mgmt-util/main.ts';
import { emulatedCommand } from '#emulator/programs.ts';
import { seedScenarios } from '#emulator/seed-scenarios.ts';
import { FolderBackupProvider } from '#providers/emulator/folder-backup.ts';
import { StaticClusterProvider } from '#providers/static/static-provider.ts';
import type { RunLock } from '#store/run-lock.ts';
import type { RunContext } from '#workflow/contracts.ts';
import type { WorkflowDeps } from '#workflow/deps.ts';
import { jsonLineLogger } from '#workflow/json-line-logger.ts';
import {
  type LocalRunResult,
  type LocalStateEvent,
  runStateMachineLocally,
} from '#workflow/local-asl-runner.ts';
import { clusterFileJson } from '../emulator/emulated-cluster-file.ts';

export const RIG_CLUSTER_ID = 'fault-cluster';
export const RIG_USER = 'admin';

export interface RigOptions {
  /** The nodes' contents (default: the demo seed, the three seed stories in one cluster). */
  seed?: (adminPassword: Secret) => ClusterSeed;
  nodeCount?: number;
  faults?: Readonly<Record<number, NodeFault>>;
  tool?: ToolId;
}

export interface Rig {
  readonly dir: string;
  /** The emulated HSMs' state files (what a backup copies). */
  readonly stateDir: string;
  /** Every run's report folder (the credential and alert memories live there too). */
  readonly reportDir: string;
  readonly tool: ToolId;
  /** The admin's password on every node: unique per rig, so a scan for it finds only leaks. */
  readonly password: string;
  /** The running cluster (a new object after {@link restart}). */
  readonly cluster: EmulatedCluster;
  /** Stops every node server and starts them again on the same state files (new ports). */
  restart(): Promise<void>;
  /** Stops the cluster and removes every folder of the rig. */
  close(): Promise<void>;
}

/** A password the scans can look for: long, random, no whitespace. */
export function uniquePassword(tag: string): string {
  return `${tag}-${randomBytes(12).toString('base64url')}`;
}

export async function startRig(options: RigOptions = {}): Promise<Rig> {
  const dir = mkdtempSync(join(tmpdir(), 'hsm-faults-'));
  const stateDir = join(dir, 'state');
  const password = uniquePassword('Rig');
  const seed = (options.seed ?? ((p) => seedScenarios({ adminPassword: p }).demo))(new Secret(password));
  let cluster = await startEmulatedCluster({
    stateDir,
    seed,
    ...(options.nodeCount === undefined ? {} : { nodeCount: options.nodeCount }),
    ...(options.faults === undefined ? {} : { faults: options.faults }),
  });
  return {
    dir,
    stateDir,
    reportDir: join(dir, 'reports'),
    tool: options.tool ?? 'mgmt-util-aws',
    password,
    get cluster() {
      return cluster;
    },
    async restart() {
      await cluster.stop();
      cluster = await startEmulatedCluster({ stateDir, nodeCount: cluster.nodes.length });
    },
    async close() {
      await cluster.stop();
      // What the local deps registered to undo at the end of a command (their work folder): the
      // CLI runs these as it exits; a test process runs them here, once no run is in flight.
      await runShutdownTasks();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface RigRunOptions {
  runId?: string;
  /** The password the run logs in with (default: the right one). */
  password?: string;
  /** The secret's version (the credential memory's key); default `v1`. */
  version?: string | null;
  policy?: Partial<Policy>;
  /** What the control plane answers at each resolve (default: the cluster's nodes). */
  nodes?: () => readonly ClusterNode[];
  /** The emulated util writes back what it reads, password included (main.ts `--echo`). */
  echo?: (typeof ECHO_MODES)[number];
  /** The program the driver spawns instead of the emulated util (a missing binary, a wrapper). */
  toolCommand?: readonly string[];
  /** Per command (default 10 s; the hang cases make it short). */
  commandTimeoutMs?: number;
  runLock?: RunLock;
  /** The run's context as a trigger built it (default: a runbook run of {@link RIG_CLUSTER_ID}). */
  context?: RunContext;
  /**
   * Run as the deployed execution does (the trigger took the run lock; the Alert step
   * releases it): the state machine alone, without the local entry's own lock.
   */
  asExecution?: boolean;
  /** Called with the deps before the run (a test may wrap a port). */
  prepare?: (deps: WorkflowDeps) => WorkflowDeps;
}

export interface RigRun {
  context: RunContext;
  result: LocalRunResult;
  report: RunReport | null;
  /** Step-log lines (JSON), as `--verbose` prints them. */
  log: string[];
  /** What the run printed (progress lines), and every alert as the console sink rendered it. */
  output: string;
  /** Every state event of the execution (entered, exited, failed, retried, caught). */
  events: LocalStateEvent[];
  alerts: Alert[];
  /** os.tmpdir() entries that appeared during the run (and are still there). */
  tmpEntries: string[];
  /**
   * Files left in the drivers' shared work folder that name this cluster's nodes (a util config
   * not removed). The folder is shared by every local run on the machine: only files that name
   * one of this rig's node ports are this run's.
   */
  workLeftovers: string[];
  /** An exception the run threw (it should never throw: failures are in `result`). */
  thrown: Error | null;
  elapsedMs: number;
}

/**
 * A cluster file for the CLI naming this rig's nodes and util (the password from
 * HSM_CO_PASSWORD, the user from HSM_CO_USER); `extra` overrides or adds fields.
 */
export function writeClusterFile(rig: Rig, clusterId: string, extra: Record<string, unknown> = {}): string {
  const file = join(rig.dir, `${clusterId}.json`);
  writeFileSync(file, clusterFileJson(clusterId, rig.tool, rig.cluster.nodes, extra));
  return file;
}

let runs = 0;

/** Where the local deps' drivers write their per-call config folders (src/cli/local-deps.ts). */
export const DRIVER_WORK_DIR = join(tmpdir(), 'hsm-sentinel-work');

/** Files below `path` whose text names one of the ports (gone by the time they are read: none). */
function filesNamingPorts(path: string, ports: readonly string[]): string[] {
  try {
    if (statSync(path).isDirectory()) {
      return readdirSync(path).flatMap((e) => filesNamingPorts(join(path, e), ports));
    }
    const text = readFileSync(path, 'utf8');
    return ports.some((p) => new RegExp(`\\b${p}\\b`).test(text)) ? [path] : [];
  } catch {
    return [];
  }
}

function entries(dir: string): Set<string> {
  try {
    return new Set(readdirSync(dir));
  } catch {
    return new Set();
  }
}

export async function runOnce(rig: Rig, options: RigRunOptions = {}): Promise<RigRun> {
  runs += 1;
  const started = performance.now();
  const tmpBefore = new Set(readdirSync(tmpdir()));
  const workBefore = entries(DRIVER_WORK_DIR);
  const log: string[] = [];
  let output = '';
  const write = (text: string) => {
    output += text;
  };
  const sink = new ConsoleSink(write);
  const events: LocalStateEvent[] = [];
  const onState = (event: LocalStateEvent) => {
    events.push(event);
    if (event.kind !== 'exited')
      write(
        `${event.state}${event.index === undefined ? '' : ` [${event.index}]`}: ${event.kind}${event.error ? ` ${event.error}` : ''}\n`,
      );
  };
  const progress: RunProgress = {
    state: onState,
    line: (text) => write(`${text}\n`),
    tick() {},
    finish() {},
  };
  let deps = await localDeps({
    provider: new StaticClusterProvider({
      clusterId: options.context?.clusterId ?? RIG_CLUSTER_ID,
      provider: 'emulator',
      tool: rig.tool,
      nodes: options.nodes ?? (() => rig.cluster.nodes),
    }),
    tool: rig.tool,
    toolCommand: options.toolCommand ?? [
      ...emulatedCommand(rig.tool),
      ...(options.echo ? ['--echo', options.echo] : []),
    ],
    toolSettings: { KEY_DETAILS: 'true' },
    credentials: {
      get: async () => ({
        username: RIG_USER,
        password: new Secret(options.password ?? rig.password),
        role: 'CO',
        version: options.version === undefined ? 'v1' : options.version,
      }),
    },
    backup: new FolderBackupProvider(rig.stateDir, join(rig.reportDir, 'backups')),
    reportDir: rig.reportDir,
    alerts: sink,
    log: jsonLineLogger((line) => log.push(line)),
    commandTimeoutMs: options.commandTimeoutMs ?? 10_000,
  });
  if (options.runLock) deps = { ...deps, runLock: options.runLock };
  if (options.prepare) deps = options.prepare(deps);
  const startedAt = new Date().toISOString();
  const context: RunContext = options.context ?? {
    runId: options.runId ?? `faults-${process.pid}-${runs}`,
    clusterId: RIG_CLUSTER_ID,
    provider: 'emulator',
    policy: { ...DEFAULT_POLICY, allowedKinds: [...DEFAULT_POLICY.allowedKinds], ...options.policy },
    startedAt,
    trigger: { kind: 'runbook', detail: 'test/faults' },
  };
  let thrown: Error | null = null;
  let result: LocalRunResult | null = null;
  let report: RunReport | null = null;
  try {
    if (options.asExecution) {
      result = await runStateMachineLocally({ input: { context }, deps, onState });
      const ref = result.state?.alert?.reportRef;
      report = ref ? await deps.store.getJson<RunReport>(ref) : null;
    } else {
      ({ result, report } = await executeLocally(context, deps, progress, 0));
    }
  } catch (error) {
    thrown = error instanceof Error ? error : new Error(String(error));
  }
  const tmpEntries = readdirSync(tmpdir()).filter((e) => !tmpBefore.has(e));
  const ports = rig.cluster.nodes.map((n) => String(n.port));
  const workLeftovers = [...entries(DRIVER_WORK_DIR)]
    .filter((e) => !workBefore.has(e))
    .flatMap((e) => filesNamingPorts(join(DRIVER_WORK_DIR, e), ports));
  if (result === null) {
    result = {
      status: 'failed',
      state: null,
      error: { name: thrown?.name ?? 'Error', cause: thrown?.message ?? '' },
      visited: [],
      largestPayload: { bytes: 0, state: '' },
      definitionPath: '',
      definitionSha256: '',
    };
  }
  return {
    context,
    result,
    report,
    log,
    output,
    events,
    alerts: sink.published,
    tmpEntries,
    workLeftovers,
    thrown,
    elapsedMs: performance.now() - started,
  };
}
