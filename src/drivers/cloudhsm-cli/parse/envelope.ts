/**
 * The shared reader of every `cloudhsm-cli` single-command-mode reply.
 *
 * Grammar (AWS CloudHSM user guide, "Command modes" and every command page):
 * ```
 * [preamble lines]            optional, see below
 * { "error_code": <int>, "data": <object | string> }
 * [whitespace]
 * ```
 * - Success is `error_code` 0 with an object `data`; a failure is any other `error_code` with
 *   `data` the tool's message (documented failures use 1 and a string). A failure becomes a
 *   {@link CloudHsmCliCommandError} naming the command and carrying the (escaped) message.
 * - Preamble: blank lines; at most one echoed command line (`aws-cloudhsm > key list …`,
 *   `user@cluster-id > …`, `$ cloudhsm-cli key list …`) that must name this command; and the
 *   documented prompts `Enter password:`, `Confirm password:`, `Enter signed token file path
 *   (press enter if same as the unsigned token file):`. Anything else is a ParseError.
 * - CRLF line ends are accepted. Text after the JSON value is a ParseError (a second reply or a
 *   prompt means this is not one command's output).
 *
 * Bounded work: a reply above {@link MAX_REPLY_BYTES} is refused before it is read, nesting
 * deeper than {@link MAX_JSON_DEPTH} is refused before JSON.parse, bytes must be valid UTF-8.
 * The limit: one `key list --verbose` page may hold a whole hsm2m.medium cluster (16,666 keys).
 * The largest entry we can build within the grammar (an RSA-4096 public key shared with the 7
 * users a key can be shared with, 31-character usernames, a 4,096-character label, a 64-byte
 * id) is ~7.3 KiB pretty-printed, so that page is ~118 MiB; 128 MiB admits it and bounds
 * memory (test/drivers/cloudhsm-cli/limits.test.ts measures it). A page of documented-size
 * entries (~1.2 KiB) is ~19 MiB; at `--max-items 1000`, any page is below 8 MiB.
 */
import { HsmSentinelError, ParseError } from '#core/errors.ts';
import { asRecord, describe, hasUnsafeChar, MAX_MESSAGE_LENGTH, member, printable } from './fields.ts';

/** Largest reply accepted (bytes of UTF-8, or UTF-16 code units of a string). */
export const MAX_REPLY_BYTES = 128 * 1024 * 1024;
/** Deepest JSON nesting accepted; the deepest documented reply (`key list --verbose`) has 7. */
export const MAX_JSON_DEPTH = 16;

/** A reply as text, or as the bytes the process printed. */
export type CliReplyInput = string | Uint8Array;

export const CLOUDHSM_CLI_COMMAND_ERROR = 'CloudHsmCliCommandError';

/**
 * The tool answered with an error envelope (`error_code` other than 0). `toolMessage` is the
 * tool's `data`, with unsafe characters escaped and cut at {@link MAX_MESSAGE_LENGTH}.
 */
export class CloudHsmCliCommandError extends HsmSentinelError {
  readonly command: string;
  readonly errorCode: number;
  readonly toolMessage: string;
  constructor(command: string, errorCode: number, toolMessage: string, options: ErrorOptions = {}) {
    super(`cloudhsm-cli ${command} failed (error_code ${errorCode}): ${toolMessage}`, {
      ...options,
      context: { command, errorCode },
    });
    this.name = CLOUDHSM_CLI_COMMAND_ERROR;
    this.command = command;
    this.errorCode = errorCode;
    this.toolMessage = toolMessage;
  }
}

const PROMPTS: ReadonlySet<string> = new Set([
  'Enter password:',
  'Confirm password:',
  'Enter signed token file path (press enter if same as the unsigned token file):',
]);
/** `aws-cloudhsm > …` or, once logged in, `admin-user@cluster-1234abcdefg > …`. */
const PROMPT_ECHO = /^(?:aws-cloudhsm|[A-Za-z0-9_.@-]{1,31}@[A-Za-z0-9-]{1,64})\s?>\s?(.*)$/;
/** `$ cloudhsm-cli …`, `$ /opt/cloudhsm/bin/cloudhsm-cli …`, `sudo cloudhsm-cli …`. */
const SHELL_ECHO = /^(?:[$#]\s+)?(?:sudo\s+)?(?:\S*\/)?cloudhsm-cli(?:\.exe)?\s+(.*)$/;
/** Global options that may come before the command words in an echo. */
const GLOBAL_OPTION = /^--(?:config|cluster-id)(?:=\S+|\s+\S+)\s+/;

/** Longest echoed command or prompt line accepted before the JSON. */
const MAX_PREAMBLE_LINE = 4096;

const TEXT_DECODER = new TextDecoder('utf-8', { fatal: true });

function decode(command: string, input: CliReplyInput): string {
  if (typeof input === 'string') {
    if (input.length > MAX_REPLY_BYTES) throw tooLarge(command, input.length);
    return input;
  }
  if (input.byteLength > MAX_REPLY_BYTES) throw tooLarge(command, input.byteLength);
  try {
    return TEXT_DECODER.decode(input);
  } catch (cause) {
    throw new ParseError(command, 0, 'reply is not valid UTF-8', { cause });
  }
}

function tooLarge(command: string, size: number): ParseError {
  return new ParseError(command, 0, `reply is ${size} bytes, more than the ${MAX_REPLY_BYTES} accepted`);
}

/** Whether an echoed command line names `command` (its words, then an option or the end). */
function echoNames(rest: string, command: string): boolean {
  let text = rest.trim();
  for (let match = GLOBAL_OPTION.exec(text); match !== null; match = GLOBAL_OPTION.exec(text)) {
    text = text.slice(match[0].length);
  }
  const words = command.split(' ');
  const given = text.split(/\s+/);
  return words.every((word, i) => given[i] === word);
}

interface Located {
  /** The text from the first `{` line on. */
  json: string;
  /** Lines before it (0-based count), to turn JSON line numbers into reply line numbers. */
  linesBefore: number;
}

/** Checks the preamble and finds where the JSON starts. */
function locateJson(command: string, text: string): Located {
  let offset = 0;
  let lineNo = 0;
  let echoes = 0;
  /** An echoed command continued with a trailing `\` (AWS's multi-line examples). */
  let echo: string | null = null;
  const endEcho = (at: number) => {
    if (echo !== null && !echoNames(echo, command)) {
      throw new ParseError(command, at, `the echoed command ${printable(echo)} is not '${command}'`);
    }
    echo = null;
  };
  while (offset < text.length) {
    const end = text.indexOf('\n', offset);
    const lineEnd = end < 0 ? text.length : end;
    const line = text.slice(offset, lineEnd).replace(/\r$/, '');
    const trimmed = line.trim();
    lineNo += 1;
    if (echo === null && trimmed.startsWith('{')) {
      return { json: text.slice(offset), linesBefore: lineNo - 1 };
    }
    if (line.length > MAX_PREAMBLE_LINE) {
      throw new ParseError(command, lineNo, `a ${line.length}-character line before the JSON reply`);
    }
    if (hasUnsafeChar(line.replace(/\t/g, ' '))) {
      throw new ParseError(
        command,
        lineNo,
        `line ${printable(line)} holds a control or non-printable character`,
      );
    }
    const continued = trimmed.endsWith('\\');
    const words = continued ? trimmed.slice(0, -1).trim() : trimmed;
    if (echo !== null) {
      echo = `${echo} ${words}`;
      if (!continued) endEcho(lineNo);
    } else if (trimmed !== '' && !PROMPTS.has(trimmed)) {
      const match = PROMPT_ECHO.exec(words) ?? SHELL_ECHO.exec(words);
      if (match === null) {
        throw new ParseError(
          command,
          lineNo,
          `unrecognised line ${printable(trimmed)} (expected the JSON reply, an echoed command or a password prompt)`,
        );
      }
      echoes += 1;
      if (echoes > 1)
        throw new ParseError(command, lineNo, `a second echoed command line ${printable(trimmed)}`);
      echo = match[1] ?? '';
      if (!continued) endEcho(lineNo);
    }
    if (end < 0) break;
    offset = end + 1;
  }
  throw new ParseError(command, 0, 'no JSON reply (empty or cut before the opening brace)');
}

/**
 * Refuses nesting deeper than {@link MAX_JSON_DEPTH} before JSON.parse builds it. Strings are
 * skipped (a brace inside a label is not nesting).
 */
function checkDepth(command: string, json: string, linesBefore: number): void {
  let depth = 0;
  let inString = false;
  let line = linesBefore + 1;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 10) line += 1;
    if (inString) {
      if (c === 92) i += 1;
      else if (c === 34) inString = false;
    } else if (c === 34) {
      inString = true;
    } else if (c === 123 || c === 91) {
      depth += 1;
      if (depth > MAX_JSON_DEPTH) {
        throw new ParseError(command, line, `JSON nested deeper than ${MAX_JSON_DEPTH} levels`);
      }
    } else if (c === 125 || c === 93) {
      depth -= 1;
    }
  }
}

/** JSON.parse, with a message that never quotes the input (V8 quotes a snippet of it). */
function parseJson(command: string, located: Located): unknown {
  try {
    return JSON.parse(located.json);
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : '';
    const at = /\(line (\d+) column (\d+)\)/.exec(message);
    const line = at === null ? 0 : located.linesBefore + Number(at[1]);
    const where = at === null ? '' : ` at column ${at[2]}`;
    const what = /Unexpected end of JSON input|Unterminated string/.test(message)
      ? 'the JSON reply ends early (cut short?)'
      : /after JSON/.test(message)
        ? 'text after the JSON reply'
        : 'not valid JSON';
    throw new ParseError(command, line, `${what}${where}`, { cause });
  }
}

/** The tool's message, safe to print on one line. */
function toolMessageOf(data: string): string {
  return printable(data, MAX_MESSAGE_LENGTH).slice(1, -1);
}

/**
 * Reads one reply of `command` and returns its `data` object. Throws CloudHsmCliCommandError
 * for an error envelope, ParseError for anything else that is not a success envelope.
 *
 * @example readEnvelope('login', '{"error_code":0,"data":{"username":"admin","role":"admin"}}')
 * // -> { username: 'admin', role: 'admin' }
 */
export function readEnvelope(command: string, input: CliReplyInput): Record<string, unknown> {
  const text = decode(command, input);
  const located = locateJson(command, text);
  checkDepth(command, located.json, located.linesBefore);
  const envelope = asRecord(command, parseJson(command, located), 'reply');
  const code = member(command, envelope, 'error_code', 'reply');
  if (typeof code !== 'number' || !Number.isSafeInteger(code)) {
    throw new ParseError(command, 0, `reply.error_code: expected an integer, got ${describe(code)}`);
  }
  const data = member(command, envelope, 'data', 'reply');
  if (code !== 0) {
    if (typeof data !== 'string') {
      throw new ParseError(
        command,
        0,
        `reply.data: error_code ${code} with ${describe(data)} instead of a message`,
      );
    }
    throw new CloudHsmCliCommandError(command, code, toolMessageOf(data));
  }
  return asRecord(command, data, 'data');
}
