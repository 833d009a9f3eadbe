/**
 * Runs one lunacm command the way hsm-sentinel invokes the vendor binary:
 *
 *   <util…> -q <command words…>      e.g. /usr/safenet/lunaclient/bin/lunacm -q hagroup listgroups
 *
 * `-q` (one command, no banner) has third-party evidence only (credhub-release's
 * `lunacm -q haGroup listGroups …`; a Luna Client 10.9 script note); it is UNCONFIRMED by Thales'
 * pages. The password never goes on the command line (credhub's `-password` would show it in
 * `ps`): it is written to stdin each time lunacm prints `Enter the password:`, as an operator
 * types it at the documented masked prompt. Whether the real lunacm reads that prompt from a
 * pipe rather than a terminal is UNCONFIRMED.
 *
 * The output is returned with the password redacted (it is never echoed by the documented
 * prompt, which shows asterisks); a run past its deadline is killed (CommandTimeoutError), so
 * is one that prints more than the parsers read (ParseError); a process that cannot start is a
 * TransportError (src/drivers/one-shot-process.ts).
 */
import { TransportError } from '#core/errors.ts';
import { redact, type Secret, withoutSecretValues } from '#core/secret.ts';
import { runOneShot } from '../one-shot-process.ts';
import { LunacmCommandError } from './errors.ts';
import type { CommandResult } from './parse/command-result.ts';
import { isCommandResultLine, parseCommandResult } from './parse/command-result.ts';
import { type Line, MAX_REPLY_CHARS, toLines } from './parse/lines.ts';
import { type ListGroupsReply, parseListGroups } from './parse/parse-listgroups.ts';
import { parseSlotList, type SlotListReply } from './parse/parse-slot-list.ts';

/** How to start lunacm: the binary and any fixed arguments before `-q`. */
export interface LunacmInvocation {
  command: string;
  args?: readonly string[];
  /** Variables set on top of the base environment. */
  env?: Readonly<Record<string, string | undefined>>;
  /** The base environment (default process.env); any variable holding the password is dropped. */
  baseEnv?: Readonly<Record<string, string | undefined>>;
}

export interface LunacmRunOptions {
  /** Typed at every `Enter the password:` prompt (unless `answer` says otherwise); without it an empty line is typed. */
  password?: Secret;
  /**
   * Chooses what to type at each prompt from the output since the previous one (it names the
   * group, `… synchronization data for group <label>,`): the password, or null for an empty
   * line. Lets `hagroup listgroups` send the password to one group's prompt only.
   */
  answer?: (promptText: string) => Secret | null;
  /** Default 60 s. */
  timeoutMs?: number;
  /** Receives `lunacm -q <words>` and the redacted output, when the process has ended. */
  transcript?: (text: string) => void;
}

export interface LunacmOutput {
  stdout: string;
  exitCode: number;
}

const PROMPT = 'Enter the password:';

export async function runLunacm(
  invocation: LunacmInvocation,
  words: readonly string[],
  options: LunacmRunOptions = {},
): Promise<LunacmOutput> {
  const secrets: Secret[] = [];
  const typed = (secret: Secret | null | undefined): string => {
    if (!secret) return '';
    secrets.push(secret);
    return secret.reveal();
  };
  if (options.password) secrets.push(options.password);
  /** Where the output stood when the last prompt was answered: only what follows can hold a new one. */
  let since = 0;
  const result = await runOneShot({
    tool: 'lunacm',
    command: words.join(' '),
    program: invocation.command,
    args: [...(invocation.args ?? []), '-q', ...words],
    env: withoutSecretValues(
      { ...(invocation.baseEnv ?? process.env), ...invocation.env },
      options.password ? [options.password] : [],
    ),
    timeoutMs: options.timeoutMs ?? 60000,
    // The parsers read no more than this; a longer reply is a flood, not an answer.
    maxReplyBytes: MAX_REPLY_CHARS * 4,
    // Answer each prompt once, when the output so far ends with it (only its end is looked at).
    respond: (stdout) => {
      const end = stdout.trimEnd();
      if (!end.endsWith(PROMPT) || end.length - PROMPT.length < since) return null;
      const text = stdout.slice(since);
      since = stdout.length;
      return `${typed(options.answer ? options.answer(text) : options.password)}\n`;
    },
  });
  const output = redact(result.stdout, secrets);
  const code = result.exitCode ?? -1;
  options.transcript?.(
    `lunacm -q ${words.join(' ')}\n${output}${output.endsWith('\n') ? '' : '\n'}(exit ${code})\n`,
  );
  return { stdout: output, exitCode: code };
}

/** `hagroup listgroups`, parsed (ParseError on unknown output). */
export async function listGroups(
  invocation: LunacmInvocation,
  options: LunacmRunOptions = {},
): Promise<ListGroupsReply> {
  const { stdout } = await runLunacm(invocation, ['hagroup', 'listgroups'], options);
  return parseListGroups(stdout);
}

/** `slot list`, parsed. */
export async function slotList(
  invocation: LunacmInvocation,
  options: LunacmRunOptions = {},
): Promise<SlotListReply> {
  const { stdout } = await runLunacm(invocation, ['slot', 'list'], options);
  return parseSlotList(stdout);
}

/**
 * The trailer of a command whose body is not published (`hagroup synchronize`, `hagroup
 * recover`): the last non-blank line must be `Command Result : …`, else ParseError. The body
 * lines are returned as they are, for the report; never read as data: a synchronize is
 * verified by reading every member back.
 */
export function commandOutcome(command: string, stdout: string): { result: CommandResult; body: Line[] } {
  const lines = toLines(command, stdout).filter((l) => l.text.trim() !== '');
  const last = lines.at(-1);
  if (!last || !isCommandResultLine(last)) {
    throw parseTrailerMissing(command, last);
  }
  return { result: parseCommandResult(command, last), body: lines.slice(0, -1) };
}

function parseTrailerMissing(command: string, last: Line | undefined): Error {
  return new TransportError(
    `lunacm ${command}: output ends ${last ? `at line ${last.no}` : 'empty'} without 'Command Result :' (cut short or crashed)`,
  );
}

/**
 * `hagroup synchronize -group <label>` (the documented fix for a member that lacks objects).
 * Throws LunacmCommandError on a failure trailer.
 */
export async function synchronizeGroup(
  invocation: LunacmInvocation,
  group: string,
  options: LunacmRunOptions,
): Promise<{ body: string[] }> {
  const command = 'hagroup synchronize';
  const { stdout } = await runLunacm(invocation, ['hagroup', 'synchronize', '-group', group], options);
  const { result, body } = commandOutcome(command, stdout);
  if (!result.ok) throw new LunacmCommandError(command, result.code, result.name);
  return { body: body.map((l) => l.text.trim()).filter((t) => !t.startsWith(PROMPT)) };
}

/** `hagroup recover -group <label>` (syntax UNCONFIRMED). Throws LunacmCommandError on a failure trailer. */
export async function recoverGroup(
  invocation: LunacmInvocation,
  group: string,
  options: LunacmRunOptions = {},
): Promise<{ body: string[] }> {
  const command = 'hagroup recover';
  const { stdout } = await runLunacm(invocation, ['hagroup', 'recover', '-group', group], options);
  const { result, body } = commandOutcome(command, stdout);
  if (!result.ok) throw new LunacmCommandError(command, result.code, result.name);
  return { body: body.map((l) => l.text.trim()) };
}
