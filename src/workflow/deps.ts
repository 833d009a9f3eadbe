/**
 * What the steps need from the outside world, as ports. A Lambda, an Azure activity, the
 * local ASL runner and a test each build one of these once and hand it to the same steps.
 */
import type { AlertMemory, AlertSink } from '#alerts/alert-sink.ts';
import type { Dialect } from '#core/model.ts';
import type { NodeAccessDriver } from '#drivers/node-access-driver.ts';
import type { BackupProvider, ClusterProvider } from '#providers/cluster-provider.ts';
import type { CredentialsSource } from '#providers/credentials.ts';
import type { ArtifactStore } from '#store/artifact-store.ts';
import type { RunLock } from './run-lock.ts';

export interface StepLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

export interface WorkflowDeps {
  provider: ClusterProvider;
  driverFor(dialect: Dialect): NodeAccessDriver;
  credentials: CredentialsSource;
  store: ArtifactStore;
  backup: BackupProvider;
  alerts: AlertSink;
  alertMemory: AlertMemory;
  /** Repeats of the same unresolved problems are not re-sent within this window. */
  alertWindowMs: number;
  /**
   * The cluster's run lock, taken by the trigger; released by the Alert step at the end of
   * the run. Absent where nothing takes it (local runs, Azure).
   */
  runLock?: RunLock;
  /** Read key owner/sharing (getKeyInfo per key). */
  keyDetails: boolean;
  clock(): Date;
  log: StepLogger;
}

export const silentLogger: StepLogger = {
  info() {},
  warn() {},
  error() {},
};
