/**
 * What the steps need from the outside world, as ports. A Lambda, an Azure activity, the
 * local ASL runner and a test each build one of these once and hand it to the same steps.
 */
import type { AlertMemory, AlertSink } from '#alerts/alert-sink.ts';
import type { ToolId } from '#core/model.ts';
import type { RunStep } from '#core/report.ts';
import type { ToolBinding } from '#drivers/tool-module.ts';
import type { BackupProvider, ClusterProvider } from '#providers/cluster-provider.ts';
import type { CredentialsSource } from '#providers/credentials.ts';
import type { ArtifactStore } from '#store/artifact-store.ts';
import type { CredentialMemory } from '#store/credential-memory.ts';
import type { RunLock } from '#store/run-lock.ts';

export interface StepLogger {
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

/**
 * What a step touches besides the artifact store (which every step uses). `metrics`: the
 * control plane's per-node counts, read with the node list (the Resolve step only).
 */
export const PORTS = ['provider', 'metrics', 'nodes', 'backup', 'alerts'] as const;
export type Port = (typeof PORTS)[number];

export interface WorkflowDeps {
  provider: ClusterProvider;
  /** The cluster's tool (ResolvedCluster.tool): its rules, planner, runbook and driver. */
  tool(id: ToolId): ToolBinding;
  credentials: CredentialsSource;
  /** Refused credentials by secret version, across runs: the lockout guard's memory. */
  credentialMemory: CredentialMemory;
  store: ArtifactStore;
  backup: BackupProvider;
  alerts: AlertSink;
  alertMemory: AlertMemory;
  /** Repeats of the same unresolved problems are not re-sent within this window. */
  alertWindowMs: number;
  /**
   * The cluster's run lock, taken by the trigger; released by the Alert step at the end of
   * the run. Absent where nothing takes it.
   */
  runLock?: RunLock;
  clock(): Date;
  log: StepLogger;
  /**
   * The states of this execution so far, for the report's timeline (report.steps). The local
   * runner records them from its event log. Absent on AWS and Azure: a Lambda or activity sees
   * only its own state, and reading the execution's history (GetExecutionHistory) would need
   * the execution's ARN in every Alert input and one more permission; there report.html draws
   * the timeline from what the report holds, and the console shows the execution's history.
   */
  executionSteps?(): RunStep[];
}

export const silentLogger: StepLogger = {
  info() {},
  warn() {},
  error() {},
};
