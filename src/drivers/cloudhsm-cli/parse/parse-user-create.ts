/**
 * `user create` (AWS CloudHSM user guide, cloudhsm_cli-user-create.html): success is
 * `{"error_code": 0, "data": {"username": <name>, "role": "admin"|"crypto-user"}}`, after the
 * `Enter password:` / `Confirm password:` prompts when `--password` is not given.
 *
 * A partial failure (the user created on some HSMs only) is an error envelope; its text is
 * UNCONFIRMED for `user create` (the documented `user replicate` one is
 * `User replicate failed on 1 of 3 connections`). Verify by `user list`, never by the reply.
 */
import { type CliReplyInput, readEnvelope } from './envelope.ts';
import { readUserAndRole, type Sdk5Role } from './fields.ts';

const COMMAND = 'user create';

export interface UserCreateReply {
  command: 'user create';
  username: string;
  role: Sdk5Role;
}

/**
 * Reads a `user create` reply.
 *
 * @example parseUserCreate('{"error_code":0,"data":{"username":"alice","role":"crypto-user"}}')
 * // -> { command: 'user create', username: 'alice', role: 'crypto-user' }
 */
export function parseUserCreate(input: CliReplyInput): UserCreateReply {
  return { command: COMMAND, ...readUserAndRole(COMMAND, readEnvelope(COMMAND, input)) };
}
