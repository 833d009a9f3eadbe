/**
 * The data model every layer shares. Plain JSON-serialisable shapes only: a workflow step
 * hands these between Lambda, Azure activities, the local ASL runner and tests.
 *
 * Tool-neutral: nothing here names a node-access tool. What a tool lists (mgmt-util user
 * rows, SDK 5 coverage, PKCS#11 objects) stays in the tool's own `listing`; the tool's
 * rules (src/core/tool-rules.ts) turn it into `InventoryObject`s, which is all that audit,
 * plan and verify look at.
 */

export const PROVIDERS = ['aws', 'azure', 'emulator', 'file'] as const;
/** Which control plane told us the node list. */
export type ProviderName = (typeof PROVIDERS)[number];

/**
 * Which node-access tool reads and repairs the cluster (a registry id such as the AWS SDK 3
 * mgmt-util or the SDK 5 CLI). The core only carries it; src/drivers/registry.ts knows them.
 */
export type ToolId = string;

/** How a tool sees a cluster: one inventory per node, or one cluster-wide view with coverage per object. */
export const ADDRESSING_MODES = ['per-node', 'cluster-wide'] as const;
export type Addressing = (typeof ADDRESSING_MODES)[number];

export const OBJECT_KINDS = ['user', 'key'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

export const NODE_STATES = [
  'ACTIVE',
  'CREATE_IN_PROGRESS',
  'DELETE_IN_PROGRESS',
  'DEGRADED',
  'DELETED',
  'UNKNOWN',
] as const;
export type NodeState = (typeof NODE_STATES)[number];

/**
 * Counts the control plane publishes per node (AWS CloudWatch `AWS/CloudHSM` by cluster and
 * HSM), independent of any tool's view: a node whose counts differ from its peers' lags.
 */
export interface NodeMetrics {
  /** How many more users the node can take (fewer users on it: a higher number). */
  usersAvailable?: number;
  /** Token keys the node holds. */
  tokenKeys?: number;
}

/** One HSM as the control plane reports it. */
export interface ClusterNode {
  /** Stable id: AWS HsmId, Azure HSM FQDN, emulator node name. */
  nodeId: string;
  /** What the tool connects to: ENI IP, FQDN, loopback address. */
  address: string;
  port: number;
  state: NodeState;
  zone?: string;
  /** Per-node counts, when the control plane publishes them (never part of the membership token). */
  metrics?: NodeMetrics;
}

/** Difference between the control plane's node list and the tool config an operator maintains. */
export interface ConfigDrift {
  /** Nodes of the cluster that the operator's config does not list (the AWS seed's root cause). */
  missingFromConfig: string[];
  /** Addresses in the operator's config that are not nodes of the cluster. */
  unknownInConfig: string[];
}

/** The authoritative node list of one cluster at one moment, and the tool that reads it. */
export interface ResolvedCluster {
  clusterId: string;
  provider: ProviderName;
  tool: ToolId;
  nodes: ClusterNode[];
  resolvedAt: string;
  /** Digest of the node set; Sync compares it with a fresh resolve and writes nothing if it changed. */
  membershipToken: string;
  configDrift: ConfigDrift | null;
  /** How the cluster's tool reads it (set by the Resolve step from the tool): the state machine's Choice reads it. */
  addressing?: Addressing;
  /** Why the per-node metrics could not be read (absent: read, or the control plane has none). */
  metricsError?: string;
}

/**
 * One object (a user, a key) on one node, as the tool's rules see it. Audit compares these
 * across nodes and never looks inside the tool's listing.
 */
export interface InventoryObject {
  kind: ObjectKind;
  /** Identity across nodes: the same object has the same id on every node (`user:alice`, `key:262150`). */
  id: string;
  /** For people: `CU alice (id 7)`, `key 262150`. */
  label: string;
  /** What must be equal on every node; null when this node's listing carries nothing comparable. */
  content: string | null;
  /** The tool's own reference (the id its repair takes): a handle, a user id, a key reference. */
  ref: string;
  /**
   * A slot on the node the object occupies and a copy would need free (mgmt-util: a user id,
   * which its copy keeps). A node that lacks the object but holds another object in the same
   * slot makes the copy a collision: the object is divergent.
   */
  slot: string | null;
  /**
   * Cluster-wide tools: the tool says the object is on some nodes but not on which (SDK 5
   * `"cluster-coverage": "inconsistent"`). Set on every node's copy of such an object.
   */
  uncertain?: boolean;
  /** The tool itself says the copies differ (SDK 5 `"role": "inconsistent"`): divergent, with this reason. */
  conflict?: string;
}

/**
 * Something a tool observed about a node besides its objects: an account close to lock-out,
 * a count that lags its peers. Tool-neutral words; the tool fills in the detail.
 */
export interface NodeNote {
  kind: 'lockout-risk' | 'account-locked' | 'lagging' | 'health';
  severity: Severity;
  detail: string;
  /**
   * What the note is about, in the tool's own words (a setting, a state), for the tool's
   * runbook to pick the commands; opaque to the core.
   */
  topic?: string;
}

export const UNREADABLE_REASONS = [
  'unreachable',
  'login-failed',
  'login-refused-by-guard',
  'timeout',
  'protocol-error',
] as const;
export type UnreadableReason = (typeof UNREADABLE_REASONS)[number];

/** A node that was read: its objects, and the tool's own listing they came from. */
export interface ReadInventory {
  nodeId: string;
  status: 'read';
  /** The tool's listing (JSON): what the tool printed, parsed. Opaque to the core. */
  listing: unknown;
  /** A digest of the node's contents when the tool returned one (mgmt-util `Key Hash`). */
  digest: string | null;
  notes: NodeNote[];
  collectedAt: string;
}

/** A node we could not read. Its contents are UNKNOWN, never empty. */
export interface UnreadableInventory {
  nodeId: string;
  status: 'unreadable';
  reason: UnreadableReason;
  detail: string;
  notes?: NodeNote[];
  /**
   * Whether a login may have reached this node (it was sent, even if no answer came). Only a
   * node with `false` may be read again in this run: a late login still counts on the HSM.
   * Absent means true.
   */
  loginAttempted?: boolean;
  /** The login was refused for its credentials (wrong password, unknown user): the credential memory keeps it. */
  credentialsRejected?: boolean;
}

export type NodeInventory = ReadInventory | UnreadableInventory;

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

export const OBJECT_STATUSES = ['consistent', 'missing', 'single-node', 'divergent'] as const;
export type ObjectStatus = (typeof OBJECT_STATUSES)[number];

/** Same identity, different content: one group of nodes per distinct content. */
export interface ContentVariant {
  content: string;
  nodeIds: string[];
}

export interface ObjectFinding {
  kind: ObjectKind;
  /** The identity (`InventoryObject.id`). */
  objectId: string;
  label: string;
  /** The tool's reference (`InventoryObject.ref`), for its planner and runbook. */
  ref: string;
  status: ObjectStatus;
  severity: Severity;
  presentOn: string[];
  /** Readable nodes that do not have it. Never contains an unreadable node. */
  missingOn: string[];
  /** Nodes whose contents are unknown (not read). */
  unknownOn: string[];
  /** Nodes that hold it or not, the tool cannot say which (cluster-wide tools, partial coverage). */
  uncertainOn: string[];
  variants: ContentVariant[];
  detail: string;
}

export const NODE_FINDING_KINDS = [
  'unreachable',
  'login-failed',
  'login-refused-by-guard',
  'timeout',
  'protocol-error',
  'absent-from-config',
  'unknown-in-config',
  'lockout-risk',
  'account-locked',
  'lagging',
  'health',
] as const;
export type NodeFindingKind = (typeof NODE_FINDING_KINDS)[number];

export interface NodeFinding {
  nodeId: string;
  kind: NodeFindingKind;
  severity: Severity;
  detail: string;
  /** The note's topic, when the finding comes from a tool's note (NodeNote.topic). */
  topic?: string;
}

/**
 * The presence matrix: objects × nodes. Cell: 'present' | 'absent' | 'unknown' | 'uncertain'
 * | a variant name (`variant A`, `variant B`…) for divergent objects.
 */
export interface PresenceMatrix {
  nodeIds: string[];
  rows: { objectId: string; kind: ObjectKind; label: string; cells: string[] }[];
}

export interface AuditResult {
  clusterId: string;
  nodeIds: string[];
  readableNodeIds: string[];
  objects: ObjectFinding[];
  nodes: NodeFinding[];
  matrix: PresenceMatrix;
  counts: Record<ObjectStatus, number>;
}

/** Knobs that bound what a run may write. */
export interface Policy {
  dryRun: boolean;
  maxActionsPerRun: number;
  allowedKinds: ObjectKind[];
  /** The Azure runbook's rule: no write unless every node was read and logged in. */
  requireAllNodesLoggedIn: boolean;
  /** A newest backup older than this is a finding. */
  maxBackupAgeHours: number;
  /**
   * The lockout guard: no login to a node where the run's account already has this many
   * failed logins (the HSMs lock at 5). Low, so a human keeps tries in hand.
   */
  loginFailureLimit: number;
  /**
   * How many times a run waits and reads the cluster again while objects the tool's service
   * copies by itself (SDK 5 keys) are not on every node yet, before it alerts. 0: alert at once
   * (a preview that the writing run will re-check anyway).
   */
  serviceSyncRechecks: number;
}

export const DEFAULT_POLICY: Policy = {
  dryRun: false,
  maxActionsPerRun: 50,
  allowedKinds: ['user', 'key'],
  requireAllNodesLoggedIn: true,
  maxBackupAgeHours: 26,
  loginFailureLimit: 2,
  serviceSyncRechecks: 3,
};

/**
 * One additive repair, addressed by node id. The tool's planner makes it and the tool's
 * driver runs it (the mgmt-util driver turns node ids into server numbers).
 */
export interface SyncAction {
  kind: ObjectKind;
  objectId: string;
  label: string;
  /** The tool's operation, in its own words (the tool's copy command, its re-create command…). */
  operation: string;
  /** The tool's reference of the object. */
  ref: string;
  /** The node copied from; null when the tool copies from wherever it holds the object. */
  sourceNodeId: string | null;
  /** The node that lacks it; null when one operation reaches every node that lacks it. */
  targetNodeId: string | null;
  /** One line for people, as the operator would type it, with the nodes it goes from and to. */
  description: string;
}

export const SKIP_REASONS = [
  'divergent',
  'kind-not-allowed',
  'over-max-actions',
  'writes-blocked',
  'no-holder',
  'unread-node',
  'not-repairable',
  /**
   * The tool's service copies this object between nodes by itself (SDK 5 keys): no repair is
   * planned; the run re-checks after a wait, then alerts if it is still not everywhere.
   */
  'synced-by-service',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

export interface SkippedObject {
  objectId: string;
  label: string;
  reason: SkipReason;
  detail: string;
}

export interface Plan {
  clusterId: string;
  membershipToken: string;
  dryRun: boolean;
  actions: SyncAction[];
  skipped: SkippedObject[];
  /** Set when the policy or the tool forbids every write this run (and why). */
  writesBlocked: string | null;
}

export const ACTION_OUTCOMES = ['synced', 'already-present', 'failed', 'not-run'] as const;
export type ActionOutcome = (typeof ACTION_OUTCOMES)[number];

export interface ActionResult {
  action: SyncAction;
  outcome: ActionOutcome;
  detail: string;
}

export interface Verification {
  ok: boolean;
  /** Planned objects that are still not on every node. */
  unrecovered: {
    objectId: string;
    label: string;
    missingOn: string[];
    unknownOn: string[];
    /** Still divergent (or became so): a human must look. */
    divergent?: boolean;
  }[];
}
