/**
 * `hsm-sentinel parse <command> --tool mgmt-util-aws|mgmt-util-azure`: one mgmt-util
 * command's transcript → the JSON contract the driver uses. The transcript may start with the echoed prompt and command line as the
 * documentation shows it (`aws-cloudhsm> listUsers`) and may end with a bare prompt; both
 * are dropped (replaced by blank lines, so ParseError line numbers stay those of the input).
 * The text must otherwise be the reply, ending with a line break like every complete reply.
 * Input over the reply bounds (a line over 1 MiB, 16 MiB in all) is refused before it is read
 * further, and input with no reply in it (empty, blank, only the echo) is an error too:
 * "nothing to parse" is never an empty result.
 */
import { ParseError } from '#core/errors.ts';
import type { DialectProfile } from './dialect.ts';
import { checkReplyBounds } from './parse/lines.ts';
import type { FindAllKeysReply } from './parse/parse-find-all-keys.ts';
import { parseFindAllKeys } from './parse/parse-find-all-keys.ts';
import type { KeyInfoReply } from './parse/parse-get-key-info.ts';
import { parseGetKeyInfo } from './parse/parse-get-key-info.ts';
import type { ListUsersReply } from './parse/parse-list-users.ts';
import { parseListUsers } from './parse/parse-list-users.ts';
import type { LoginReply } from './parse/parse-login.ts';
import { parseLogin } from './parse/parse-login.ts';

export const PARSEABLE_COMMANDS = ['listUsers', 'findAllKeys', 'loginHSM', 'getKeyInfo'] as const;
export type ParseableCommand = (typeof PARSEABLE_COMMANDS)[number];

export type ParsedTranscript = ListUsersReply | FindAllKeysReply | LoginReply | KeyInfoReply;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Blanks a leading `<prompt> <command> …` line and trailing bare prompt lines. */
export function stripEcho(command: string, text: string, profile: DialectProfile): string {
  const prompt = String.raw`(?:${escapeRegExp(profile.globalPrompt)}|server ?\d+>)`;
  const echo = new RegExp(String.raw`^\s*${prompt}\s*${escapeRegExp(command)}(?:\s.*)?$`, 'i');
  const bare = new RegExp(String.raw`^\s*${prompt}\s*$`);
  const lines = text.split('\n');
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first >= 0 && echo.test((lines[first] as string).replace(/\r$/, ''))) lines[first] = '';
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = (lines[i] as string).replace(/\r$/, '');
    if (line.trim() === '') continue;
    if (!bare.test(line)) break;
    lines[i] = '';
  }
  return lines.join('\n');
}

/**
 * Parses one command's transcript; throws ParseError (command, 1-based line) on anything
 * outside the grammar.
 *
 * @example parseTranscript('loginHSM', 'loginHSM success on server 0(10.0.2.9)\n', AWS_PROFILE)
 * // { command: 'loginHSM', servers: [{ server: 0, address: '10.0.2.9', ok: true }] }
 */
export function parseTranscript(
  command: ParseableCommand,
  text: string,
  profile: DialectProfile,
): ParsedTranscript {
  checkReplyBounds(command, text);
  const reply = stripEcho(command, text, profile);
  if (reply.trim() === '') throw new ParseError(command, 0, 'no reply to parse (the input is empty)');
  switch (command) {
    case 'listUsers':
      return parseListUsers(reply, profile);
    case 'findAllKeys':
      return parseFindAllKeys(reply, profile);
    case 'loginHSM':
      return parseLogin(reply, profile);
    case 'getKeyInfo':
      return parseGetKeyInfo(reply, profile);
  }
}
