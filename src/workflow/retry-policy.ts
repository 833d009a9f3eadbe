/**
 * The retry rules, stated once: the ASL file's Retry blocks and the Azure orchestrator both
 * follow them (test/statemachines checks the ASL against this table).
 */
import { ERROR_NAMES } from '#core/errors.ts';

export interface RetryRule {
  errors: string[];
  intervalSeconds: number;
  maxAttempts: number;
  backoffRate: number;
}

/** Per node in Collect: transport trouble and timeouts. Never a credentials error. */
export const COLLECT_RETRY: RetryRule = {
  errors: [ERROR_NAMES.transport, ERROR_NAMES.commandTimeout],
  intervalSeconds: 2,
  maxAttempts: 2,
  backoffRate: 2,
};

/** Resolve while HSMs are being created or deleted: wait for the node set to settle. */
export const RESOLVE_RETRY: RetryRule = {
  errors: [ERROR_NAMES.clusterNotStable],
  intervalSeconds: 60,
  maxAttempts: 10,
  backoffRate: 1.5,
};

/**
 * Objects the tool's service copies between nodes by itself (SDK 5 keys) and that are not on
 * every node yet: the run waits `waitSeconds` (the ASL Wait state `WaitForServiceSync`, a
 * durable timer on Azure), reads the cluster again, at most `Policy.serviceSyncRechecks` times
 * (default 3), then alerts.
 */
export const SERVICE_SYNC_RECHECK = {
  waitSeconds: 120,
} as const;

/** Errors that must never be retried, whatever else a Retry block says. */
export const NEVER_RETRIED: readonly string[] = [
  ERROR_NAMES.credentialsRejected,
  ERROR_NAMES.lockoutGuard,
  ERROR_NAMES.membershipChanged,
];

export function isRetryable(rule: RetryRule, error: unknown): boolean {
  const name = error instanceof Error ? error.name : '';
  return rule.errors.includes(name) && !NEVER_RETRIED.includes(name);
}
