/**
 * The data model every layer shares. Plain JSON-serialisable shapes only: a workflow step
 * hands these between Lambda, Azure activities, the local ASL runner and tests.
 */

export const DIALECTS = ['aws', 'azure'] as const;
/** Which management tool speaks to the nodes (AWS cloudhsm_mgmt_util / Azure azcloudhsm_mgmt_util). */
export type Dialect = (typeof DIALECTS)[number];

export const PROVIDERS = ['aws', 'azure', 'emulator', 'file'] as const;
/** Which control plane told us the node list. */
export type ProviderName = (typeof PROVIDERS)[number];

export const USER_TYPES = ['PRECO', 'PCO', 'CO', 'AU', 'CU'] as const;
export type UserType = (typeof USER_TYPES)[number];

export const OBJECT_KINDS = ['user', 'key'] as const;
export type ObjectKind = (typeof OBJECT_KINDS)[number];

/** One row of `listUsers` on one node. */
export interface HsmUser {
  userId: number;
  userType: UserType;
  username: string;
  mofnPubKey: boolean;
  /** Per-node counter: differs between nodes legitimately, never part of the identity. */
  loginFailureCount: number;
  twoFactor: boolean;
}

/** One key on one node: its handle (cluster-wide identity) and, where known, who owns and shares it. */
export interface HsmKey {
  handle: number;
  /** `(s)` marker in findAllKeys. */
  shared: boolean;
  /** Owner user id from getKeyInfo; null when the dialect/run did not read key details. */
  owner: number | null;
  /** User ids the key is shared with (sorted ascending); empty when unknown or unshared. */
  sharedWith: number[];
}

export const NODE_STATES = [
  'ACTIVE',
  'CREATE_IN_PROGRESS',
  'DELETE_IN_PROGRESS',
  'DEGRADED',
  'DELETED',
  'UNKNOWN',
] as const;
export type NodeState = (typeof NODE_STATES)[number];

/** One HSM as the control plane reports it. */
export interface ClusterNode {
  /** Stable id: AWS HsmId, Azure HSM FQDN, emulator node name. */
  nodeId: string;
  /** What the management tool connects to: ENI IP, FQDN, loopback address. */
  address: string;
  port: number;
  state: NodeState;
  zone?: string;
}

/** Difference between the control plane's node list and an operator's mgmt-util config. */
export interface ConfigDrift {
  /** Nodes of the cluster that the operator's config does not list (the AWS seed's root cause). */
  missingFromConfig: string[];
  /** Addresses in the operator's config that are not nodes of the cluster. */
  unknownInConfig: string[];
}

/** The authoritative node list of one cluster at one moment. Order = server number in the util config. */
export interface ResolvedCluster {
  clusterId: string;
  provider: ProviderName;
  dialect: Dialect;
  nodes: ClusterNode[];
  resolvedAt: string;
  /** Digest of the node set; Sync compares it with a fresh resolve and writes nothing if it changed. */
  membershipToken: string;
  configDrift: ConfigDrift | null;
}

export const UNREADABLE_REASONS = ['unreachable', 'login-failed', 'timeout', 'protocol-error'] as const;
export type UnreadableReason = (typeof UNREADABLE_REASONS)[number];

export interface ReadInventory {
  nodeId: string;
  status: 'read';
  users: HsmUser[];
  keys: HsmKey[];
  /** findAllKeys hash digest when the dialect returned one. */
  keyHash: string | null;
  /** Whether key details (owner/sharing) were read; when false keys carry owner null. */
  keyDetails: boolean;
  collectedAt: string;
}

/** A node we could not read. Its contents are UNKNOWN, never empty. */
export interface UnreadableInventory {
  nodeId: string;
  status: 'unreadable';
  reason: UnreadableReason;
  detail: string;
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
  /** `user:<username>` or `key:<handle>`. */
  objectId: string;
  /** Human label: `CU newest_user (id 7)`, `key 262150`. */
  label: string;
  /** userId or key handle: the number syncUser/syncKey take. */
  numericId: number;
  status: ObjectStatus;
  severity: Severity;
  presentOn: string[];
  /** Readable nodes that do not have it. Never contains an unreadable node. */
  missingOn: string[];
  /** Nodes whose contents are unknown. */
  unknownOn: string[];
  variants: ContentVariant[];
  detail: string;
}

export const NODE_FINDING_KINDS = [
  'unreachable',
  'login-failed',
  'timeout',
  'protocol-error',
  'absent-from-config',
  'unknown-in-config',
] as const;
export type NodeFindingKind = (typeof NODE_FINDING_KINDS)[number];

export interface NodeFinding {
  nodeId: string;
  kind: NodeFindingKind;
  severity: Severity;
  detail: string;
}

/** The presence matrix: objects × nodes. Cell: 'present' | 'absent' | 'unknown' | a variant letter (A, B…) for divergent objects. */
export interface PresenceMatrix {
  nodeIds: string[];
  rows: { objectId: string; label: string; cells: string[] }[];
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
}

export const DEFAULT_POLICY: Policy = {
  dryRun: false,
  maxActionsPerRun: 50,
  allowedKinds: ['user', 'key'],
  requireAllNodesLoggedIn: true,
  maxBackupAgeHours: 26,
};

export type SyncCommand = 'syncUser' | 'syncKey';

/** One additive copy: run `server <sourceServer>` then `<command> <numericId> <targetServer>`. */
export interface SyncAction {
  kind: ObjectKind;
  objectId: string;
  label: string;
  command: SyncCommand;
  numericId: number;
  sourceNodeId: string;
  sourceServer: number;
  targetNodeId: string;
  targetServer: number;
}

export const SKIP_REASONS = [
  'divergent',
  'kind-not-allowed',
  'over-max-actions',
  'writes-blocked',
  'no-holder',
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
  /** Set when the policy forbids every write this run (and why). */
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
  unrecovered: { objectId: string; label: string; missingOn: string[]; unknownOn: string[] }[];
}
