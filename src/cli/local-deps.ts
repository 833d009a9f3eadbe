/**
 * WorkflowDeps for runs on this machine (demo, audit, sync, local `run`): the production
 * driver of the cluster's tool spawning the program the cluster file names (or the emulated
 * one), artifacts in a folder, alerts on the console, alert memory in a file.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertSink } from '#alerts/alert-sink.ts';
import { ConsoleSink } from '#alerts/console-sink.ts';
import { FileAlertMemory } from '#alerts/file-alert-memory.ts';
import type { ToolId } from '#core/model.ts';
import type { SecretReader } from '#core/secret.ts';
import { toolBindings } from '#drivers/registry.ts';
import type { ToolSettings } from '#drivers/tool-module.ts';
import type { BackupProvider, ClusterProvider } from '#providers/cluster-provider.ts';
import type { CredentialsSource } from '#providers/credentials.ts';
import { StoreCredentialMemory } from '#store/credential-memory.ts';
import { FileRunLock } from '#store/file-run-lock.ts';
import { LocalFolderStore } from '#store/local-folder-store.ts';
import { type StepLogger, silentLogger, type WorkflowDeps } from '#workflow/deps.ts';
import { onShutdown } from './shutdown.ts';

export interface LocalDepsOptions {
  provider: ClusterProvider;
  /** The cluster's tool, and the program to spawn for it (the driver appends its arguments). */
  tool: ToolId;
  toolCommand?: readonly string[];
  /** The tool's settings (its options; the environment otherwise). */
  toolSettings: ToolSettings;
  credentials: CredentialsSource;
  /** Named secrets the tool's settings refer to (SDK 5 crypto users: `env:NAME`, `file:PATH`). */
  secrets?: SecretReader;
  backup: BackupProvider;
  reportDir: string;
  /** Where this run's redacted transcripts go (its run folder); default: reportDir/transcripts. */
  transcriptDir?: string;
  /** The operator's own config of the tool: the runbook's commands name it. */
  operatorConfig?: string;
  alerts?: AlertSink;
  log?: StepLogger;
  commandTimeoutMs?: number;
}

let workDirRegistered: string | null = null;

/**
 * This process's work folder, its removal registered once: a long-lived process (the soak, a
 * test) builds deps for every run, and a task per call would keep each call's deps alive.
 */
function processWorkDir(): string {
  const workDir = join(tmpdir(), 'hsm-sentinel-work', `pid-${process.pid}`);
  if (workDirRegistered !== workDir) {
    workDirRegistered = workDir;
    onShutdown(() => {
      workDirRegistered = null;
      return rm(workDir, { recursive: true, force: true });
    });
  }
  return workDir;
}

export async function localDeps(options: LocalDepsOptions): Promise<WorkflowDeps> {
  // One shared parent: the driver writes each call's config in a fresh sub-folder and removes it;
  // this process's own folder in it goes at its end, and on Ctrl-C with whatever a call left.
  const workDir = processWorkDir();
  const transcriptDir = options.transcriptDir ?? join(options.reportDir, 'transcripts');
  let sessions = 0;
  const store = new LocalFolderStore(options.reportDir);
  // Kept in the report folder, so the next local run of this cluster knows a refused password.
  const credentialMemory = new StoreCredentialMemory(store);
  const tools = toolBindings((module) => ({
    settings: options.toolSettings,
    workDir,
    ...(module.id === options.tool && options.toolCommand ? { command: options.toolCommand } : {}),
    ...(module.id === options.tool && options.operatorConfig
      ? { operatorConfig: options.operatorConfig }
      : {}),
    // Kept for the operator's post-mortem; the driver redacts the password before handing it over.
    onTranscript: (transcript: string) => {
      sessions += 1;
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${sessions}.txt`;
      mkdirSync(transcriptDir, { recursive: true, mode: 0o700 });
      writeFileSync(join(transcriptDir, name), transcript, { mode: 0o600 });
    },
    ...(options.commandTimeoutMs ? { commandTimeoutMs: options.commandTimeoutMs } : {}),
    ...(options.secrets ? { secrets: options.secrets } : {}),
    refusals: credentialMemory,
  }));
  return {
    provider: options.provider,
    tool: tools,
    credentials: options.credentials,
    store,
    credentialMemory,
    // One run per cluster at a time among the runs that share this report folder (the Alert step releases it).
    runLock: new FileRunLock(join(options.reportDir, 'state', 'locks')),
    backup: options.backup,
    alerts: options.alerts ?? new ConsoleSink(() => {}),
    alertMemory: new FileAlertMemory(join(options.reportDir, 'alert-memory.json')),
    alertWindowMs: 24 * 3600 * 1000,
    clock: () => new Date(),
    log: options.log ?? silentLogger,
  };
}
