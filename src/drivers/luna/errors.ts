/**
 * Errors of the Luna building blocks. They extend the product's hierarchy (#core/errors.ts), so
 * the ASL Retry/Catch names keep working: a lockout-guard refusal IS a CredentialsRejectedError
 * (never retried), an unreachable member IS a TransportError (retried with backoff).
 *
 * `LunacmCommandError` has a name of its own, not yet in ERROR_NAMES: when the Luna tool module
 * is integrated, add it there (and to the Catch blocks) or map it to SyncCommandError.
 */
import {
  CredentialsRejectedError,
  HsmSentinelError,
  type SentinelErrorOptions,
  TransportError,
} from '#core/errors.ts';

/** lunacm ended a command with an error trailer (`Command Result : <code> (<NAME>)`). */
export class LunacmCommandError extends HsmSentinelError {
  readonly command: string;
  readonly code: string;
  readonly returnName: string | null;
  constructor(command: string, code: string, returnName: string | null, options: SentinelErrorOptions = {}) {
    super(`lunacm ${command} failed: Command Result ${code}${returnName ? ` (${returnName})` : ''}`, {
      ...options,
      context: { command, code, returnName, ...options.context },
    });
    this.name = 'LunacmCommandError';
    this.command = command;
    this.code = code;
    this.returnName = returnName;
  }
}

/**
 * The login was not attempted because the token's PIN-counter flags say the account is near
 * lock (CKF_USER_PIN_COUNT_LOW / FINAL_TRY) or locked (CKF_USER_PIN_LOCKED). Name and
 * retry semantics are those of CredentialsRejectedError: a human must look first.
 */
export class LockoutGuardError extends CredentialsRejectedError {
  readonly flags: readonly string[];
  constructor(message: string, flags: readonly string[], options: SentinelErrorOptions = {}) {
    super(message, {
      ...options,
      context: { reason: 'lockout-guard', flags: flags.join(','), ...options.context },
    });
    this.flags = flags;
  }
}

/** The member's slot is not served (no token with that serial/label): member down or misconfigured. */
export class MemberUnreachableError extends TransportError {}
