/**
 * Errors of the Luna module. They extend the product's hierarchy (#core/errors.ts), so the ASL
 * Retry/Catch names keep working: a guard refusal IS a LockoutGuardError (never retried, never
 * remembered as a refused credential), an unreachable member IS a TransportError (retried with
 * backoff), and a failure trailer of lunacm IS a ToolCommandError (not retried: the run says
 * what lunacm answered). A refused login is the core's CredentialsRejectedError.
 */
import {
  LockoutGuardError as GuardError,
  type SentinelErrorOptions,
  ToolCommandError,
  TransportError,
} from '#core/errors.ts';

/** lunacm ended a command with an error trailer (`Command Result : <code> (<NAME>)`). */
export class LunacmCommandError extends ToolCommandError {
  readonly command: string;
  readonly code: string;
  readonly returnName: string | null;
  constructor(command: string, code: string, returnName: string | null, options: SentinelErrorOptions = {}) {
    super(`lunacm ${command} failed: Command Result ${code}${returnName ? ` (${returnName})` : ''}`, {
      ...options,
      context: { command, code, returnName, ...options.context },
    });
    this.command = command;
    this.code = code;
    this.returnName = returnName;
  }
}

/**
 * The login was not attempted because the token's PIN-counter flags say the account is near
 * lock (CKF_USER_PIN_COUNT_LOW / FINAL_TRY) or locked (CKF_USER_PIN_LOCKED): the product's
 * LockoutGuardError (never retried; a human must look first), with the flags.
 */
export class LockoutGuardError extends GuardError {
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
