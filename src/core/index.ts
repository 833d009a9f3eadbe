export type { Alert, AlertCategory, AlertItem } from './alert.ts';
export { ALERT_CATEGORIES, buildAlert } from './alert.ts';
export { audit } from './audit.ts';
export { configDrift } from './drift.ts';
export type { ErrorContext, ErrorName, SentinelErrorOptions } from './errors.ts';
export {
  AlertDeliveryError,
  ArtifactStoreError,
  BackupError,
  ClusterNotStableError,
  CommandTimeoutError,
  ConfigurationError,
  CredentialsRejectedError,
  ERROR_NAMES,
  HsmSentinelError,
  InvalidInputError,
  MembershipChangedError,
  ParseError,
  SyncCommandError,
  TransportError,
  UnknownNodeError,
} from './errors.ts';
export { keyContent, keyObjectId, membershipToken, userContent, userObjectId } from './identity.ts';
export type {
  ActionOutcome,
  ActionResult,
  AuditResult,
  ClusterNode,
  ConfigDrift,
  ContentVariant,
  Dialect,
  HsmKey,
  HsmUser,
  NodeFinding,
  NodeInventory,
  NodeState,
  ObjectFinding,
  ObjectKind,
  ObjectStatus,
  Plan,
  Policy,
  PresenceMatrix,
  ProviderName,
  ReadInventory,
  ResolvedCluster,
  Severity,
  SkippedObject,
  SyncAction,
  UnreadableInventory,
  UserType,
  Verification,
} from './model.ts';
export { DEFAULT_POLICY, DIALECTS, OBJECT_KINDS, PROVIDERS, USER_TYPES } from './model.ts';
export { plan } from './plan.ts';
export { resolvePolicy } from './policy.ts';
export { renderAlert, renderFindings, renderMatrix, renderReport } from './render-report.ts';
export type { BackupState, BackupStatus, RunFailure, RunOutcome, RunReport, RunTrigger } from './report.ts';
export { outcomeOf } from './report.ts';
export { inspectCommands, repairCommands, TOOL_LOCATIONS } from './runbook.ts';
export type { Credentials } from './secret.ts';
export { redact, Secret } from './secret.ts';
export { verify } from './verify.ts';
