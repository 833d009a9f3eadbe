/**
 * A node-access tool as one module: what it is called, how it addresses a cluster, how its
 * driver is built, the rules of its objects, its repair (or none), and the runbook text a
 * human types. Each tool folder's index.ts exports one (the mgmt-util kit exports two);
 * src/drivers/registry.ts lists them, and composition roots ask the registry. Nothing else
 * names a tool. How to add one: docs/adding-a-tool.md.
 */
import type { Addressing, ClusterNode, ToolId } from '#core/model.ts';
import type { SecretReader } from '#core/secret.ts';
import type { ObjectRules, RepairPlanner, Runbook } from '#core/tool-rules.ts';
import type { NodeAccessDriver } from './node-access-driver.ts';

/** A deployment's settings as text: a Lambda environment, Azure app settings, a cluster file's `toolSettings`. */
export type ToolSettings = Readonly<Record<string, string | undefined>>;

export interface DriverContext {
  /** Where the tool reads its settings (its binary path, options). */
  settings: ToolSettings;
  /** Where per-call config files go (a fresh sub-directory per call, removed after). */
  workDir: string;
  /** The program and leading arguments to spawn instead of the configured binary (the emulator, tests). */
  command?: readonly string[];
  /** The base environment of the tool's process (default process.env, secrets stripped). */
  childEnv?: NodeJS.ProcessEnv;
  /** Receives the redacted transcript of every session, after it ends. */
  onTranscript?: (transcript: string) => void;
  /** Per-command timeout, when the deployment wants another than the tool's default. */
  commandTimeoutMs?: number;
  /**
   * Named secrets a tool's settings refer to besides the run's credentials (SDK 5 crypto
   * users' passwords): Secrets Manager on AWS, environment variables locally, fakes in tests.
   */
  secrets?: SecretReader;
  /**
   * The refused-credential memory of the deployment (the lockout guard across runs), for the
   * accounts a tool logs in as besides the run's own (SDK 5 crypto users): a secret version
   * refused once is never sent again. The workflow keeps the run's own credential itself.
   */
  refusals?: AccountRefusals;
  /**
   * The operator's own config of the tool (a cluster file's `operatorConfig`): the runbook's
   * commands start the tool with it instead of the vendor's default path.
   */
  operatorConfig?: string;
}

/** A refusal of one account's secret version on one cluster (the credential memory's record). */
export interface AccountRefusal {
  clusterId: string;
  username: string;
  version: string | null;
  refusedAt: string;
  detail: string;
}

/** The part of the credential memory a tool uses (src/store/credential-memory.ts implements it). */
export interface AccountRefusals {
  refusalOf(clusterId: string, username: string, version: string | null): Promise<AccountRefusal | null>;
  remember(refusal: AccountRefusal): Promise<void>;
}

/** A setting a tool reads: documented in the deploy guides and `hsm-sentinel … --help`. */
export interface ToolSettingSpec {
  name: string;
  meaning: string;
  default: string;
}

/** When nothing is configured, which clusters pick this tool. */
export interface ToolSelection {
  /** The control plane whose clusters default to it; null: only when configured (no cloud). */
  cloud: 'aws' | 'azure' | null;
  /** AWS: the DescribeClusters `HsmType` values it serves by default. */
  hsmTypes?: readonly string[];
}

export interface ToolModule {
  readonly id: ToolId;
  /** For people: `AWS CloudHSM Client SDK 3 cloudhsm_mgmt_util`. */
  readonly title: string;
  readonly addressing: Addressing;
  /** The TCP port the tool reaches each node on, for control planes that give only addresses. */
  readonly port: number;
  readonly selection: ToolSelection;
  readonly rules: ObjectRules;
  /** Null when the tool has no documented repair: findings are alerted, never fixed. */
  readonly planner: RepairPlanner | null;
  /** When the tool's settings change what it plans (a switch of its own): the planner for them. */
  plannerFor?(settings: ToolSettings): RepairPlanner | null;
  /**
   * For a tool with no cloud control plane, whose own client is the authority on membership
   * (Luna HA groups): the members that client sees of one cluster, with their state. The
   * operator's list of the cluster is then only compared with it (drift).
   */
  clientMembership?(
    context: Pick<DriverContext, 'settings' | 'command' | 'childEnv' | 'commandTimeoutMs'>,
  ): ClientMembership;
  readonly settings: readonly ToolSettingSpec[];
  /** Throws a ConfigurationError naming a setting of this tool that is malformed (unset is fine). */
  checkSettings(settings: ToolSettings): void;
  createDriver(context: DriverContext): NodeAccessDriver;
  /** The commands a human types, naming the binary the run uses. */
  runbook(context: Pick<DriverContext, 'settings' | 'command' | 'operatorConfig'>): Runbook;
  /** The addresses an operator's own config of this tool lists (drift check); InvalidInputError when malformed. */
  operatorConfigAddresses(text: string): string[];
  /** `hsm-sentinel parse <name> --tool <id>`: one reply (stdin) to the JSON contract. */
  readonly parsers: Readonly<Record<string, (text: string) => unknown>>;
}

/** The members of one cluster as the tool's client sees them (node id and state); throws for a cluster it does not know. */
export type ClientMembership = (clusterId: string) => Promise<Array<Pick<ClusterNode, 'nodeId' | 'state'>>>;

/** What a workflow step uses of the cluster's tool; the driver is built on first use. */
export interface ToolBinding {
  readonly module: ToolModule;
  readonly rules: ObjectRules;
  readonly planner: RepairPlanner | null;
  readonly runbook: Runbook;
  driver(): NodeAccessDriver;
}
