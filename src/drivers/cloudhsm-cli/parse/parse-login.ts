/**
 * `login` (AWS CloudHSM user guide, cloudhsm_cli-login.html and
 * cloudhsm_cli-login-mfa-token-sign.html): success is
 * `{"error_code": 0, "data": {"username": <name>, "role": "admin"|"crypto-user"}}`, after the
 * `Enter password:` prompt (and the MFA token prompt) when run interactively.
 *
 * A failed login's reply is UNCONFIRMED (no AWS page shows one): any error envelope becomes a
 * CloudHsmCliCommandError carrying the tool's message; deciding whether it rejected the
 * credentials (never retry: HSMs lock accounts after 5 failures) is the driver's job. The
 * emulator's texts are listed in src/emulator/cloudhsm-cli/README.md.
 */
import { type CliReplyInput, readEnvelope } from './envelope.ts';
import { readUserAndRole, type Sdk5Role } from './fields.ts';

const COMMAND = 'login';

export interface LoginReply {
  command: 'login';
  username: string;
  role: Sdk5Role;
}

/**
 * Reads a `login` reply.
 *
 * @example parseLogin('{"error_code":0,"data":{"username":"admin1","role":"admin"}}')
 * // -> { command: 'login', username: 'admin1', role: 'admin' }
 */
export function parseLogin(input: CliReplyInput): LoginReply {
  return { command: COMMAND, ...readUserAndRole(COMMAND, readEnvelope(COMMAND, input)) };
}
