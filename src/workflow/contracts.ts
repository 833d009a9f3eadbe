/**
 * The JSON that travels between workflow states. Every step takes the accumulated RunState
 * (or a Map item) and returns its own part; the ASL puts that part at a ResultPath. Large
 * data never travels here: only artifact keys (see #store/artifact-store.ts).
 */
import type { ObjectStatus, Policy, ProviderName, ResolvedCluster, UnreadableReason } from '#core/model.ts';
import type { BackupStatus, RunFailure, RunOutcome } from '#core/report.ts';

export const TRIGGER_KINDS = ['schedule', 'scaling', 'runbook', 'demo'] as const;
export type TriggerKind = (typeof TRIGGER_KINDS)[number];

export interface TriggerInfo {
  kind: TriggerKind;
  /** What fired: rule name, CloudTrail event id, who ran the runbook. */
  detail: string;
}

export interface RunContext {
  runId: string;
  clusterId: string;
  provider: ProviderName;
  policy: Policy;
  startedAt: string;
  trigger: TriggerInfo;
}

export type CollectPhase = 'before' | 'after';

/** One Map item: read one node. */
export interface CollectNodeInput {
  context: RunContext;
  cluster: ResolvedCluster;
  nodeId: string;
}

/**
 * The cluster read at once (a cluster-wide tool): `CollectCluster`; with `error` (the Catch
 * after the retries, `MarkClusterUnreadable`), every node is recorded unknown, never empty.
 */
export interface CollectClusterInput {
  context: RunContext;
  cluster: ResolvedCluster;
  error?: { Error?: string; Cause?: string };
}

/** The Catch of a Map item: the node stays unknown, never empty. */
export interface MarkUnreadableInput {
  context: RunContext;
  nodeId: string;
  error: { Error?: string; Cause?: string };
}

export interface CollectedNode {
  nodeId: string;
  status: 'read' | 'unreadable';
  reason: UnreadableReason | null;
  inventoryRef: string;
  users: number;
  keys: number;
}

export interface AuditOutput {
  auditRef: string;
  planRef: string;
  counts: Record<ObjectStatus, number>;
  unreadableNodes: string[];
  actionCount: number;
  skippedCount: number;
  writesBlocked: string | null;
  dryRun: boolean;
  /** The Choice state reads this: true only when there are actions and the policy lets them run. */
  writeAllowed: boolean;
  /**
   * Objects the tool's service copies by itself and that are not everywhere yet: `due` sends
   * the run to wait and read the cluster again (SERVICE_SYNC_RECHECK); `done` re-reads so far.
   */
  recheck: RecheckState;
}

export interface RecheckState {
  due: boolean;
  done: number;
  pending: number;
}

export interface SyncOutput {
  resultsRef: string;
  synced: number;
  alreadyPresent: number;
  failed: number;
  lastWriteAt: string | null;
}

export interface VerifyOutput {
  afterAuditRef: string;
  /** The Verification (core/verify.ts), kept for the report: the Alert step reads it, never recomputes it. */
  verificationRef: string;
  ok: boolean;
  unrecovered: number;
  /** The object counts of the Verify audit: the cluster as the run leaves it. */
  counts: Record<ObjectStatus, number>;
  unreadableNodes: string[];
}

export interface AlertOutput {
  reportRef: string;
  reportPageRef: string;
  outcome: RunOutcome;
  alertSent: boolean;
  alertReason: string;
  subject: string | null;
}

/** The state machine's document, filled in as the run goes. */
export interface RunState {
  context: RunContext;
  cluster?: ResolvedCluster;
  collected?: CollectedNode[];
  audit?: AuditOutput;
  sync?: SyncOutput;
  verify?: VerifyOutput;
  backup?: BackupStatus;
  /** Set by a Catch: which step failed and how. */
  failure?: RunFailure;
  alert?: AlertOutput;
}
