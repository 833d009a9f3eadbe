/**
 * What an emulated HSM answers when an operation fails. The codes starting `RET_` are what the
 * emulated mgmt-util prints after `<command> failed: `. Only RET_USER_LOGIN_FAILURE,
 * RET_USER_LOCKED and RET_KEY_NOT_FOUND (and the "already" messages) follow the vendor
 * documentation; the others are the emulator's own names for undocumented failures.
 */
import { HsmSentinelError } from '#core/errors.ts';

export const HSM_RETURN_CODES = {
  loginFailure: 'RET_USER_LOGIN_FAILURE',
  locked: 'RET_USER_LOCKED',
  keyNotFound: 'RET_KEY_NOT_FOUND',
  userNotFound: 'RET_USER_NOT_FOUND',
  notLoggedIn: 'RET_USER_NOT_LOGGED_IN',
  notAuthorized: 'RET_USER_NOT_AUTHORIZED',
  objectAlreadyExists: 'RET_OBJECT_ALREADY_EXISTS',
  userAlreadyExists: 'RET_USER_ALREADY_EXISTS',
  invalidMaskedObject: 'RET_INVALID_MASKED_OBJECT',
  invalidInput: 'RET_INVALID_INPUT',
  faultInjected: 'RET_FAULT_INJECTED',
  serverDisconnected: 'RET_SERVER_DISCONNECTED',
} as const;

export type HsmReturnCode = (typeof HSM_RETURN_CODES)[keyof typeof HSM_RETURN_CODES];

const KNOWN_CODES: ReadonlySet<string> = new Set(Object.values(HSM_RETURN_CODES));

export function isHsmReturnCode(value: unknown): value is HsmReturnCode {
  return typeof value === 'string' && KNOWN_CODES.has(value);
}

/** The documented replies for an insert of an object the destination already holds. */
export const ALREADY_PRESENT_MESSAGES = {
  user: 'user already created, unable to insert object',
  key: 'key already exists, unable to insert object',
} as const;

/** An operation an emulated HSM refused, with the code the mgmt-util prints. */
export class EmulatedHsmError extends HsmSentinelError {
  readonly code: HsmReturnCode;
  /** The node's own text (for an "already present" reply: the documented sentence). */
  readonly detail: string;
  constructor(code: HsmReturnCode, detail: string, options: ErrorOptions = {}) {
    super(`emulated HSM: ${code}: ${detail}`, options);
    this.name = 'EmulatedHsmError';
    this.code = code;
    this.detail = detail;
  }
}
