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
  failureLine,
  isIgnorable,
  NOT_CONNECTED,
  SERVER_REF,
  serverRef,
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

/** Builds the success regex for `<success text> on server N(addr)`. */
export function successLine(successText: string): RegExp {
  return new RegExp(String.raw`^\s*${successText}\s+on\s+${SERVER_REF}\s*\.?\s*$`);
}

export function parseStatusLines(
  command: string,
  text: string,
  profile: DialectProfile,
  success: RegExp,
): StatusResult[] {
  const failed = failureLine(command);
  const results: StatusResult[] = [];
  for (const line of toLines(command, text)) {
    if (isIgnorable(line, profile)) continue;
    let result: StatusResult;
    const s = success.exec(line.text);
    const f = s ? null : failed.exec(line.text);
    const nc = s || f ? null : NOT_CONNECTED.exec(line.text);
    if (s) {
      result = { ...serverRef(s[1], s[2]), ok: true };
    } else if (f) {
      const detail = (f[1] ?? '').trim();
      const code = detail.split(/\s+/)[0] || 'UNKNOWN';
      result = { ...serverRef(f[2], f[3]), ok: false, code, error: line.text.trim() };
    } else if (nc) {
      result = { ...serverRef(nc[1], nc[2]), ok: false, code: 'NOT_CONNECTED', error: 'not connected' };
    } else {
      throw unknownLine(command, line, `'${command} success|failed … on server N(addr)'`);
    }
    if (results.some((r) => r.server === result.server)) {
      throw new ParseError(command, line.no, `server ${result.server} appears twice in one reply`);
    }
    results.push(result);
  }
  return results;
}
