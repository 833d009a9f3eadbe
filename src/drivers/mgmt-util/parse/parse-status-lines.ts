/**
 * Replies made of one status line per server (cluster mode): `loginHSM`, `enable_e2e`,
 * `logoutHSM`. Every non-blank, non-banner line must be one of
 * ```
 * <success text> on server N(addr)             e.g. `loginHSM success on server 0(10.0.2.9)`,
 *                                              `E2E enabled on server 0(10.0.2.9)`
 * <command> failed: <CODE> [more] on server N(addr)    (our grammar; the text is undocumented)
 * Server N(addr) is not connected                       (Azure)
 * ```
 * Anything else, or two lines for one server, is a ParseError: the whole reply is then
 * unusable because a line we do not understand cannot be attributed to a server.
 */
import { ParseError } from '#core/errors.ts';
import type { DialectProfile } from '../dialect.ts';
import {
  isIgnorable,
  matchFailureLine,
  matchNotConnected,
  matchSuccessLine,
  toLines,
  unknownLine,
} from './lines.ts';

export interface StatusOk {
  server: number;
  address: string | null;
  ok: true;
}

export interface StatusFailed {
  server: number;
  address: string | null;
  ok: false;
  /** First token of the failure text (`RET_USER_LOGIN_FAILURE`); `NOT_CONNECTED`; `UNKNOWN` when none. */
  code: string;
  /** The util's line, trimmed. */
  error: string;
}

export type StatusResult = StatusOk | StatusFailed;

/**
 * Reads one status line per server; `successText` is what precedes `on server N(addr)` on a
 * success line (`loginHSM success`, `E2E enabled`).
 */
export function parseStatusLines(
  command: string,
  text: string,
  profile: DialectProfile,
  successText: string,
): StatusResult[] {
  const results: StatusResult[] = [];
  const seen = new Set<number>();
  for (const line of toLines(command, text)) {
    if (isIgnorable(line, profile)) continue;
    let result: StatusResult;
    const s = matchSuccessLine(line.trimmed, successText);
    const f = s ? null : matchFailureLine(line.trimmed, command);
    const nc = s || f ? null : matchNotConnected(line.trimmed);
    if (s) {
      result = { server: s.server, address: s.address, ok: true };
    } else if (f) {
      const code = (f.detail ?? '').split(/\s+/, 1)[0] || 'UNKNOWN';
      result = { server: f.ref.server, address: f.ref.address, ok: false, code, error: line.trimmed };
    } else if (nc) {
      result = {
        server: nc.server,
        address: nc.address,
        ok: false,
        code: 'NOT_CONNECTED',
        error: 'not connected',
      };
    } else {
      throw unknownLine(command, line, `'${command} success|failed … on server N(addr)'`);
    }
    if (seen.has(result.server)) {
      throw new ParseError(command, line.no, `server ${result.server} appears twice in one reply`);
    }
    seen.add(result.server);
    results.push(result);
  }
  return results;
}
