/**
 * `loginHSM <type> <user> <password>`, `enable_e2e` and `logoutHSM` in cluster mode.
 *
 * Documented: `loginHSM success on server N(addr)`, `E2E enabled on server N(addr)`,
 * `logoutHSM success on server N(addr)`. The failure text is NOT documented; our grammar is
 * `loginHSM failed: <CODE> on server N(addr)`. `RET_USER_LOGIN_FAILURE` (wrong user or
 * password) and `RET_USER_LOCKED` (account locked) are credentials rejections, never to be
 * retried (HSMs lock accounts after 5 failures); any other code is not a credentials failure.
 */
import type { DialectProfile } from '../dialect.ts';
import type { StatusFailed, StatusResult } from './parse-status-lines.ts';
import { parseStatusLines } from './parse-status-lines.ts';

/** Codes meaning "the HSM rejected these credentials". */
export const CREDENTIALS_FAILURE_CODES: readonly string[] = ['RET_USER_LOGIN_FAILURE', 'RET_USER_LOCKED'];

export type LoginServerResult =
  | { server: number; address: string | null; ok: true }
  | (StatusFailed & { credentialsRejected: boolean });

export interface LoginReply {
  command: 'loginHSM';
  servers: LoginServerResult[];
}

/** `loginHSM` reply (contract: `{command:'loginHSM', servers:[{server, address, ok}]}`). */
export function parseLogin(text: string, profile: DialectProfile): LoginReply {
  const results = parseStatusLines('loginHSM', text, profile, 'loginHSM success');
  return {
    command: 'loginHSM',
    servers: results.map((r) =>
      r.ok ? r : { ...r, credentialsRejected: CREDENTIALS_FAILURE_CODES.includes(r.code) },
    ),
  };
}

/** `enable_e2e` reply: `E2E enabled on server N(addr)` per server. */
export function parseEnableE2e(text: string, profile: DialectProfile): StatusResult[] {
  return parseStatusLines('enable_e2e', text, profile, 'E2E enabled');
}

/** `logoutHSM` reply: `logoutHSM success on server N(addr)` per server. */
export function parseLogout(text: string, profile: DialectProfile): StatusResult[] {
  return parseStatusLines('logoutHSM', text, profile, 'logoutHSM success');
}
