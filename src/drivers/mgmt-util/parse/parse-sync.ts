/**
 * Server-mode replies: `server N`, `syncUser <id> <dest>`, `syncKey <handle> <dest>`.
 *
 * `server N` answers `Server is in '<mode>' mode...` (and the prompt becomes `server N>`).
 *
 * A sync reply may contain, in any order, blank/banner lines and:
 * ```
 * ExtractMaskedObject: 0x<code> !      InsertMaskedObject: 0x<code> !
 * <cmd> success                        <cmd> failed[: <text>]
 * a line matching an "already present" pattern of the dialect (e.g. Azure's
 *   `user already created, unable to insert object`), alone or as the failed text
 * ```
 * Outcome: already-present if a line matches an already-present pattern and no other line
 * failed (a `failed` line with another reason, a non-zero ExtractMaskedObject code: then
 * failed); otherwise synced
 * if there is a `<cmd> success` line, no `failed` line and every masked-object code is 0x0;
 * otherwise failed with the reply's text. A reply with neither a success, a failure nor an
 * already-present line (cut short), or with an unknown line, is a ParseError.
 */
import { ParseError } from '#core/errors.ts';
import type { DialectProfile } from '../dialect.ts';
import type { SyncCommand } from '../listing.ts';
import { isIgnorable, toLines, unknownLine } from './lines.ts';

// Applied to trimmed lines; each is anchored and linear (see lines.ts).
const MASKED = /^(ExtractMaskedObject|InsertMaskedObject)\s*:\s*(0x[0-9a-fA-F]+)\s*!?$/;
const SERVER_MODE = /^Server is in '[^']*' mode\.*$/;

export interface SyncReply {
  outcome: 'synced' | 'already-present' | 'failed';
  /** The meaningful lines of the reply, joined with ` | ` (never contains a secret: no secret is sent). */
  detail: string;
}

export function parseSyncReply(command: SyncCommand, text: string, profile: DialectProfile): SyncReply {
  const success = new RegExp(String.raw`^${command}\s+success\s*\.?$`);
  const failed = new RegExp(String.raw`^${command}\s+failed\b`);
  let sawSuccess = false;
  let sawFailed = false;
  let alreadyPresent = false;
  let nonZeroCode = false;
  /** A failure that is not itself an "already present" reply, or an extraction that failed. */
  let otherFailure = false;
  const kept: string[] = [];
  const lines = toLines(command, text);
  for (const line of lines) {
    if (isIgnorable(line, profile)) continue;
    const t = line.trimmed;
    const isAlready = profile.alreadyPresent.some((re) => re.test(t));
    const masked = MASKED.exec(t);
    if (masked) {
      if (Number.parseInt(masked[2] as string, 16) !== 0) {
        nonZeroCode = true;
        if (masked[1] === 'ExtractMaskedObject') otherFailure = true;
      }
    } else if (success.test(t)) {
      sawSuccess = true;
    } else if (failed.test(t)) {
      sawFailed = true;
      if (!isAlready) otherFailure = true;
    } else if (!isAlready) {
      throw unknownLine(
        command,
        line,
        `'${command} success', '${command} failed: …' or a masked-object code`,
      );
    }
    alreadyPresent ||= isAlready;
    kept.push(t);
  }
  const detail = kept.join(' | ');
  // "Already present" counts as done only when nothing else in the reply failed.
  if (alreadyPresent && !otherFailure) return { outcome: 'already-present', detail };
  if (alreadyPresent) return { outcome: 'failed', detail };
  if (!sawSuccess && !sawFailed) {
    throw new ParseError(
      command,
      (lines.at(-1)?.no ?? 0) + 1,
      `reply has no '${command} success' or '${command} failed' line (cut short?)`,
    );
  }
  if (sawSuccess && !sawFailed && !nonZeroCode) return { outcome: 'synced', detail };
  return { outcome: 'failed', detail };
}

/** Reply to `server N`: only the mode line and blank/banner lines are allowed. */
export function parseServerModeReply(text: string, profile: DialectProfile): void {
  for (const line of toLines('server', text)) {
    if (isIgnorable(line, profile) || SERVER_MODE.test(line.trimmed)) continue;
    throw unknownLine('server', line, "Server is in '<mode>' mode...");
  }
}
