/**
 * One demo per tool (`hsm-sentinel demo --tool <id>`): the emulated cluster it starts, seeded
 * with that tool's seed stories, and everything a local run needs against it. The demo
 * command (src/cli/commands/demo.ts) runs the real state machine the same way for every tool.
 * Adding a tool's demo: a file here exporting a DemoScenario, and one line in registry.ts.
 */
import type { ProviderName, ToolId } from '#core/model.ts';
import type { Secret, SecretReader } from '#core/secret.ts';
import type { ToolSettings } from '#drivers/tool-module.ts';
import type { BackupProvider, ClusterProvider } from '#providers/cluster-provider.ts';
import type { CredentialsSource } from '#providers/credentials.ts';
import type { DemoStory } from './demo-story.ts';

export interface DemoStartOptions {
  /** A fresh folder for the emulated cluster's state (removed after the demo). */
  stateDir: string;
  /** Where the run's reports go: backups the demo takes are kept beside them. */
  reportDir: string;
  /** The demo's secret (admin / partition password): only in this process and the emulated nodes. */
  password: Secret;
  /** Try the vendor's documented ports first (2225 etc.), else ephemeral ones. */
  preferDocumentedPorts: boolean;
}

/** One cluster of a demo, run once through the state machine. */
export interface DemoCluster {
  clusterId: string;
  provider: ProviderName;
  /** The lines that say what was started and what was seeded (printed before the run). */
  intro: string[];
  clusterProvider: ClusterProvider;
  /** The emulated program the tool's driver spawns, as it would spawn the vendor's binary. */
  toolCommand: readonly string[];
  toolSettings: ToolSettings;
  credentials: CredentialsSource;
  /** Named secrets the tool's settings refer to (the demo's own, in memory). */
  secrets?: SecretReader;
  backup: BackupProvider;
  /**
   * What the run must show (its outcome, what it repairs, what it leaves for a human): the
   * demo exits 0 when it did. Without one, the run must complete (outcome other than failed).
   */
  story?: DemoStory;
  /** How long the run's Wait states wait (ms) instead of the definition's; default: the definition's. */
  waitTimeMs?: number;
}

export interface RunningDemo {
  /** Run one after the other (a tool whose seeds are separate clusters, such as two Luna HA groups). */
  clusters: DemoCluster[];
  /** Stops every server and process the demo started. */
  stop(): Promise<void>;
}

export interface DemoScenario {
  tool: ToolId;
  /** For `--help`: what the demo shows. */
  summary: string;
  start(options: DemoStartOptions): Promise<RunningDemo>;
}
