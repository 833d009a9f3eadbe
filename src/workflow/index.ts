export type {
  AlertOutput,
  AuditOutput,
  CollectedNode,
  CollectNodeInput,
  CollectPhase,
  MarkUnreadableInput,
  RunContext,
  RunState,
  SyncOutput,
  TriggerInfo,
  TriggerKind,
  VerifyOutput,
} from './contracts.ts';
export { TRIGGER_KINDS } from './contracts.ts';
export type { StepLogger, WorkflowDeps } from './deps.ts';
export { silentLogger } from './deps.ts';
export { alertStep, assembleReport } from './steps/alert.ts';
export { auditStep } from './steps/audit.ts';
export { collectAll, collectNodeStep, markUnreadableStep } from './steps/collect-node.ts';
export { protectStep } from './steps/protect.ts';
export { resolveStep } from './steps/resolve.ts';
export { syncStep } from './steps/sync.ts';
export { verifyStep } from './steps/verify.ts';
