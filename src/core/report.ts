/**
 * The record of one run: what was read, decided, written and verified, and the backup state.
 * Every run leaves one (JSON, plus the human page rendered by render-report.ts).
 */
import type { Alert } from './alert.ts';
import type {
  ActionResult,
  AuditResult,
  Plan,
  Policy,
  ProviderName,
  ResolvedCluster,
  ToolId,
  Verification,
} from './model.ts';

export const BACKUP_STATES = ['covered', 'not-yet-covered', 'stale', 'failed', 'started', 'skipped'] as const;
export type BackupState = (typeof BACKUP_STATES)[number];

export interface BackupStatus {
  state: BackupState;
  backupId: string | null;
  /** When the backup relied on was taken (ISO). */
  createdAt: string | null;
  detail: string;
  /** Ids of backups kept (NeverExpires) or copied by this run. */
  kept: string[];
  copiedTo: string[];
  durationMs?: number;
}

export interface RunFailure {
  step: string;
  errorName: string;
  message: string;
}

export const RUN_OUTCOMES = ['clean', 'repaired', 'attention', 'failed'] as const;
/** clean: nothing to do; repaired: gaps fixed and verified; attention: a human must act; failed: the run broke. */
export type RunOutcome = (typeof RUN_OUTCOMES)[number];

/** What started the run: a schedule, a scaling event, a person (who), the demo. */
export interface RunTrigger {
  kind: string;
  detail: string;
}

export const STEP_OUTCOMES = ['succeeded', 'caught', 'failed', 'running'] as const;
/** succeeded; caught: failed and routed by a Catch; failed: ended the run; running: not over when the report was written. */
export type StepOutcome = (typeof STEP_OUTCOMES)[number];

/** One state of the execution as it ran, for the report's timeline (one entry per state entered). */
export interface RunStep {
  /** The state's name in the definition: `Resolve`, `CollectNode`, `Alert`. */
  name: string;
  /** For an iteration of a Map state: which item (the node id it read). */
  item?: string;
  /** ISO times; endedAt is null while the state runs (the Alert step that writes the report). */
  startedAt: string;
  endedAt: string | null;
  outcome: StepOutcome;
  /** Retries before the outcome (absent: none). */
  retries?: number;
  /** caught/failed: the error name. */
  error?: string;
}

export interface RunReport {
  runId: string;
  clusterId: string;
  provider: ProviderName;
  /** The node-access tool that read (and repaired) the cluster; null when Resolve failed. */
  tool: ToolId | null;
  startedAt: string;
  finishedAt: string;
  policy: Policy;
  /** The node set the run worked on (null when Resolve failed). */
  cluster: ResolvedCluster | null;
  before: AuditResult | null;
  plan: Plan | null;
  results: ActionResult[];
  after: AuditResult | null;
  verification: Verification | null;
  backup: BackupStatus | null;
  failure: RunFailure | null;
  trigger: RunTrigger | null;
  /** outcomeOf(report), stored by the alert step (absent in reports written before). */
  outcome?: RunOutcome;
  /** buildAlert(report) as the run built it: null when it had nothing to say (absent: not stored). */
  alert?: Alert | null;
  /** The states that ran, in order, with their times (absent: not recorded). */
  steps?: RunStep[];
}

/** The one-word verdict of a run, derived (the alert step keeps it in report.json as `outcome`). */
export function outcomeOf(report: RunReport): RunOutcome {
  if (report.failure) return 'failed';
  const final = report.after ?? report.before;
  if (!final) return 'failed';
  const unresolved =
    final.objects.some((f) => f.status !== 'consistent') ||
    final.nodes.length > 0 ||
    (report.verification !== null && !report.verification.ok) ||
    report.results.some((r) => r.outcome === 'failed') ||
    (report.backup !== null && ['failed', 'stale'].includes(report.backup.state));
  if (unresolved) return 'attention';
  return report.results.some((r) => r.outcome === 'synced') ? 'repaired' : 'clean';
}
