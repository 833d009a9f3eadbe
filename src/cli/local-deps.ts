/**
 * WorkflowDeps for runs on this machine (demo, audit, sync, local `run`): the production
 * driver spawning the util named in the cluster file (or the emulated one), artifacts in a
 * folder, alerts on the console, alert memory in a file.
 */
import { writeFileSync } from 'node:fs';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AlertSink } from '#alerts/alert-sink.ts';
import { ConsoleSink } from '#alerts/console-sink.ts';
import { FileAlertMemory } from '#alerts/file-alert-memory.ts';
import type { Dialect } from '#core/model.ts';
import { MgmtUtilDriver } from '#drivers/mgmt-util/mgmt-util-driver.ts';
import { MGMT_UTIL_ENTRY } from '#emulator/mgmt-util/main.ts';
import type { BackupProvider, ClusterProvider } from '#providers/cluster-provider.ts';
import type { CredentialsSource } from '#providers/credentials.ts';
import { LocalFolderStore } from '#store/local-folder-store.ts';
import { type StepLogger, silentLogger, type WorkflowDeps } from '#workflow/deps.ts';

export interface LocalDepsOptions {
  provider: ClusterProvider;
  dialect: Dialect;
  /** The util to spawn, without the config path (the driver appends it). */
  utilCommand: readonly string[];
  credentials: CredentialsSource;
  backup: BackupProvider;
  reportDir: string;
  keyDetails: boolean;
  alerts?: AlertSink;
  log?: StepLogger;
  commandTimeoutMs?: number;
}

export async function localDeps(options: LocalDepsOptions): Promise<WorkflowDeps> {
  const workDir = await mkdtemp(join(tmpdir(), 'hsm-sentinel-util-'));
  const transcriptDir = join(options.reportDir, 'transcripts');
  await mkdir(transcriptDir, { recursive: true });
  let sessions = 0;
  const driver = new MgmtUtilDriver({
    dialect: options.dialect,
    command: options.utilCommand,
    workDir,
    // Kept for the operator's post-mortem; the driver redacts the password before handing it over.
    onTranscript: (transcript) => {
      sessions += 1;
      const name = `${new Date().toISOString().replace(/[:.]/g, '-')}-${sessions}.txt`;
      writeFileSync(join(transcriptDir, name), transcript, { mode: 0o600 });
    },
    ...(options.commandTimeoutMs ? { timeouts: { commandMs: options.commandTimeoutMs } } : {}),
  });
  return {
    provider: options.provider,
    driverFor: (dialect) => {
      if (dialect !== options.dialect)
        throw new Error(`this run speaks ${options.dialect}, the cluster wants ${dialect}`);
      return driver;
    },
    credentials: options.credentials,
    store: new LocalFolderStore(options.reportDir),
    backup: options.backup,
    alerts: options.alerts ?? new ConsoleSink(() => {}),
    alertMemory: new FileAlertMemory(join(options.reportDir, 'alert-memory.json')),
    alertWindowMs: 24 * 3600 * 1000,
    keyDetails: options.keyDetails,
    clock: () => new Date(),
    log: options.log ?? silentLogger,
  };
}

/** The emulated util program, spawned exactly as the vendor binary would be (the driver appends the config). */
export function emulatedUtilCommand(dialect: Dialect): string[] {
  return [process.execPath, MGMT_UTIL_ENTRY, '--dialect', dialect];
}
