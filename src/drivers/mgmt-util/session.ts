/**
 * One running mgmt util: a child process on pipes, driven one command at a time.
 *
 * - `start` spawns `[...command, configPath]` and waits for the first prompt; what came
 *   before it is `startupText`.
 * - `run(line, {timeoutMs})` writes one line and returns the raw reply up to the next prompt
 *   (`aws-cloudhsm>` / `cloudmgmt>` / `server N>`, at the start of a line, with or without a
 *   trailing space or line break). The prompt seen last is `prompt`.
 * - A command that does not answer in time rejects with CommandTimeoutError and leaves the
 *   session unusable (its reply may still arrive); process exit, spawn failure and EPIPE
 *   reject with TransportError.
 * - Output is bounded: it is read line by line as it arrives (never rescanned), and a line
 *   longer than `MAX_LINE_CHARS` or a reply longer than `MAX_REPLY_CHARS` ends the session:
 *   the command waiting for that reply (or, when none is, the next one) rejects with a
 *   one-line ParseError naming it and the reply line, everything the util prints afterwards
 *   is dropped, and `close` kills it. A ParseError, not a TransportError: the driver then
 *   records the nodes `protocol-error` (unknown, never empty) and nothing retries a util that
 *   floods its output.
 * - `close` sends `quit`, waits, then kills: no orphan process.
 * - Secrets: a command given as parts may contain `Secret`s; they are revealed only into the
 *   child's stdin. The transcript, every error message and the stderr tail are redacted.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import {
  CommandTimeoutError,
  ConfigurationError,
  InvalidInputError,
  ParseError,
  TransportError,
} from '#core/errors.ts';
import type { Secret } from '#core/secret.ts';
import { redact, Secret as SecretClass } from '#core/secret.ts';
import type { DialectProfile, PromptState } from './dialect.ts';
import { matchPrompt } from './dialect.ts';
import { MAX_LINE_CHARS, MAX_REPLY_CHARS } from './parse/lines.ts';

/** A command line: plain text, or parts where secrets are revealed only into stdin. */
export type CommandLine = string | readonly (string | Secret)[];

export interface MgmtUtilSessionOptions {
  /** Program and leading arguments; the config path is appended as the last argument. */
  command: readonly string[];
  configPath: string;
  profile: DialectProfile;
  startupTimeoutMs: number;
  /** How long `close` waits for the util to exit after `quit` before killing it. */
  closeTimeoutMs?: number;
  /** Secrets to redact from the transcript and errors besides those passed to `run`. */
  secrets?: readonly Secret[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
}

export interface RunOptions {
  timeoutMs: number;
}

interface Pending {
  label: string;
  resolve: (reply: string) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
}

const STDERR_TAIL = 2000;
/** A prompt line is short: longer lines are never compared with the prompts. */
const PROMPT_MAX_CHARS = 64;
/**
 * The most reply text the transcript keeps (4 × the reply cap): every reply is bounded, but a
 * session of thousands of commands (`getKeyInfo` per key) must not keep them all in memory.
 */
const MAX_TRANSCRIPT_CHARS = 4 * MAX_REPLY_CHARS;

export class MgmtUtilSession {
  readonly profile: DialectProfile;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #secrets: Secret[];
  readonly #closeTimeoutMs: number;
  readonly #transcript: string[] = [];
  /** Characters of reply text in #transcript. */
  #transcriptSize = 0;
  readonly #closed: Promise<void>;
  /** Resolves when the process itself has ended ('exit'), even while a descendant keeps its pipes open. */
  readonly #gone: Promise<void>;
  /** Complete lines of the reply being received (each with its line break). */
  #replyLines: string[] = [];
  /** Characters in #replyLines. */
  #replySize = 0;
  /** The line being received: no line break yet (at most MAX_LINE_CHARS characters). */
  #partial = '';
  /** Set when the output broke a bound while no command was waiting: the next `run` gets it. */
  #overflow: { line: number; message: string } | null = null;
  #stderr = '';
  #pending: Pending | null = null;
  #prompt: PromptState = { mode: 'global' };
  #broken: string | null = null;
  #exited = false;
  #startupText = '';

  private constructor(options: MgmtUtilSessionOptions, child: ChildProcessWithoutNullStreams) {
    this.profile = options.profile;
    this.#child = child;
    this.#secrets = [...(options.secrets ?? [])];
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 5000;
    this.#closed = new Promise((resolve) => {
      child.once('close', (code, signal) => {
        this.#exited = true;
        this.#onExit(code, signal);
        resolve();
      });
    });
    this.#gone = new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.once('close', () => resolve());
    });
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => this.#receive(chunk));
    child.stderr.on('data', (chunk: string) => {
      // Redacted before it is cut: a tail that starts inside a password would keep part of it.
      this.#stderr = this.#redact(this.#stderr + chunk).slice(-STDERR_TAIL);
    });
    child.stdin.on('error', (error) =>
      this.#fail(this.#transportError(`cannot write to ${this.profile.toolName}`, error)),
    );
    child.on('error', (error) => {
      // Spawn failure (ENOENT, EACCES): 'close' may never follow. The program is not there or
      // cannot run: the deployment is wrong, not the nodes.
      if (child.pid === undefined) {
        this.#exited = true;
        const code = (error as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'EACCES' || code === 'ENOTDIR') {
          this.#fail(
            new ConfigurationError(
              `cannot run ${this.profile.toolName} (${options.command[0]}: ${code}): install it there or point the tool's path setting at it`,
              { cause: error, context: { tool: this.profile.toolName } },
            ),
          );
          return;
        }
      }
      this.#fail(this.#transportError(`cannot run ${this.profile.toolName}`, error));
    });
  }

  /** Spawns the util and waits for its first prompt. Rejects (and kills the child) on failure. */
  static async start(options: MgmtUtilSessionOptions): Promise<MgmtUtilSession> {
    const [program, ...args] = options.command;
    if (program === undefined) throw new TransportError('mgmt util command is empty');
    const child = spawn(program, [...args, options.configPath], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: withoutSecrets(options.env ?? process.env, options.secrets ?? []),
      ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    });
    const session = new MgmtUtilSession(options, child);
    try {
      session.#startupText = await session.#await('start-up', options.startupTimeoutMs);
      session.#keep(session.#startupText);
      return session;
    } catch (error) {
      await session.close();
      throw error;
    }
  }

  /** Everything the util printed before its first prompt (redacted). */
  get startupText(): string {
    return this.#redact(this.#startupText);
  }

  /** The prompt the util showed last: cluster mode or server mode on server N. */
  get prompt(): PromptState {
    return this.#prompt;
  }

  /** Process id of the util (undefined when it could not be spawned). */
  get pid(): number | undefined {
    return this.#child.pid;
  }

  get alive(): boolean {
    return !this.#exited && this.#broken === null;
  }

  /** Runs one command and returns its raw reply (without the prompt that ends it). */
  async run(command: CommandLine, options: RunOptions): Promise<string> {
    const parts = typeof command === 'string' ? [command] : command;
    if (parts.some((p) => /[\r\n]/.test(typeof p === 'string' ? p : p.reveal()))) {
      // One command per line: a line break inside a part would smuggle in a second command.
      throw new InvalidInputError(`${this.profile.toolName}: a command part contains a line break`);
    }
    for (const part of parts)
      if (part instanceof SecretClass && !this.#secrets.includes(part)) this.#secrets.push(part);
    const shown = parts.map((p) => (typeof p === 'string' ? p : String(p))).join(' ');
    const verb = shown.split(/\s+/)[0] ?? shown;
    if (this.#pending)
      throw new TransportError(`${this.profile.toolName}: "${verb}" sent while another command is running`);
    const overflow = this.#overflow;
    if (overflow !== null) {
      // The util broke a bound while no command was waiting: this command is the first to know.
      this.#overflow = null;
      throw new ParseError(verb, overflow.line, overflow.message, {
        context: { tool: this.profile.toolName },
      });
    }
    if (this.#broken !== null)
      throw new TransportError(`${this.profile.toolName} session unusable: ${this.#broken}`);
    if (this.#exited) throw new TransportError(`${this.profile.toolName} is not running (before "${verb}")`);
    this.#transcript.push(`${this.#promptText()} ${shown}\n`);
    const reply = this.#await(verb, options.timeoutMs);
    const line = parts.map((p) => (typeof p === 'string' ? p : p.reveal())).join(' ');
    this.#child.stdin.write(`${line}\n`);
    const text = await reply;
    this.#keep(text);
    return text;
  }

  /** The session so far as a terminal would show it, every secret replaced by `<redacted>`. */
  transcript(): string {
    return this.#redact(this.#transcript.join(''));
  }

  /** Sends `quit`, waits up to the close timeout, then kills the process. Never rejects. */
  async close(): Promise<void> {
    if (!this.#exited) {
      if (this.#pending === null && this.#broken === null) {
        // A util that answers commands gets the chance to log out and disconnect cleanly.
        this.#transcript.push(`${this.#promptText()} quit\n`);
        this.#child.stdin.write('quit\n');
      } else {
        this.#child.kill('SIGTERM');
      }
      this.#child.stdin.end();
    }
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), this.#closeTimeoutMs);
    await this.#gone;
    clearTimeout(timer);
    // A descendant of the util (a wrapper script's child) may hold its pipes open: 'close'
    // would never come. Give the last output a moment, then stop reading.
    const drained = setTimeout(
      () => {
        this.#child.stdout.destroy();
        this.#child.stderr.destroy();
        this.#child.stdin.destroy();
      },
      Math.min(this.#closeTimeoutMs, 1000),
    );
    await this.#closed;
    clearTimeout(drained);
    this.#fail(new TransportError(`${this.profile.toolName} session closed`));
  }

  /** Keeps a reply in the transcript, or a line saying it was left out once the transcript is full. */
  #keep(reply: string): void {
    if (this.#transcriptSize + reply.length > MAX_TRANSCRIPT_CHARS) {
      this.#transcript.push(`[reply of ${reply.length} characters not kept: the transcript is full]\n`);
      return;
    }
    this.#transcriptSize += reply.length;
    this.#transcript.push(withNewline(reply));
  }

  #promptText(): string {
    return this.#prompt.mode === 'global' ? this.profile.globalPrompt : `server${this.#prompt.server}>`;
  }

  #await(label: string, timeoutMs: number): Promise<string> {
    return new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending = null;
        this.#broken = `"${label}" did not answer within ${timeoutMs} ms`;
        reject(
          new CommandTimeoutError(
            `${this.profile.toolName}: "${label}" did not answer within ${timeoutMs} ms`,
            {
              context: { command: label, timeoutMs },
            },
          ),
        );
      }, timeoutMs);
      this.#pending = { label, resolve, reject, timer };
    });
  }

  /**
   * Reads a chunk of output line by line, once: each complete line is checked against the
   * line limit and compared with the prompts (only when short), then kept for the reply; the
   * last, unterminated part is kept aside (a prompt is usually printed without a line break).
   */
  #receive(chunk: string): void {
    if (this.#broken !== null || this.#exited) return; // nobody reads it any more: drop it
    let start = 0;
    for (;;) {
      const nl = chunk.indexOf('\n', start);
      if (nl < 0) break;
      const line = `${this.#partial}${chunk.slice(start, nl + 1)}`;
      this.#partial = '';
      start = nl + 1;
      if (!this.#onLine(line)) return;
    }
    if (start < chunk.length) {
      this.#partial += chunk.slice(start);
      if (this.#partial.length > MAX_LINE_CHARS) {
        this.#outOfBounds(
          this.#replyLines.length + 1,
          `${this.profile.toolName} printed a line longer than ${MAX_LINE_CHARS} characters (the line limit) without a line break: output refused, session ended`,
        );
        return;
      }
      // A prompt at the end of the output so far, with or without trailing blanks.
      if (this.#isPrompt(this.#partial)) {
        const prompt = this.#partial;
        this.#partial = '';
        this.#onPrompt(prompt);
      }
    }
  }

  /** One complete line (with its line break); false when the session ended on it. */
  #onLine(line: string): boolean {
    const body = line.endsWith('\r\n') ? line.slice(0, -2) : line.slice(0, -1);
    if (body.length > MAX_LINE_CHARS) {
      this.#outOfBounds(
        this.#replyLines.length + 1,
        `${this.profile.toolName} printed a line longer than ${MAX_LINE_CHARS} characters (the line limit): output refused, session ended`,
      );
      return false;
    }
    if (this.#isPrompt(body)) return this.#onPrompt(body);
    this.#replyLines.push(line);
    this.#replySize += line.length;
    if (this.#replySize > MAX_REPLY_CHARS) {
      this.#outOfBounds(
        this.#replyLines.length,
        `${this.profile.toolName}'s reply grew to more than ${MAX_REPLY_CHARS} characters (the reply cap) without a prompt: output refused, session ended`,
      );
      return false;
    }
    return true;
  }

  /** `text` is a prompt line: the global or a server prompt, alone but for spaces and tabs. */
  #isPrompt(text: string): boolean {
    if (text.length > PROMPT_MAX_CHARS) return false;
    const bare = trimBlanks(text);
    return bare !== '' && matchPrompt(this.profile, bare) !== null && bare === text.trim();
  }

  /**
   * A prompt line: it ends the pending command's reply. A prompt while no command is running
   * means the util printed one more prompt than it answered commands (or a prompt line inside
   * a reply): any reply read from now on could belong to an earlier command, so the session
   * is unusable. False when the session ended on it.
   */
  #onPrompt(promptText: string): boolean {
    const pending = this.#pending;
    if (!pending) {
      this.#broken = 'output out of step with the commands (a prompt no command was waiting for)';
      this.#dropOutput();
      return false;
    }
    const reply = this.#replyLines.join('');
    this.#replyLines = [];
    this.#replySize = 0;
    this.#prompt = matchPrompt(this.profile, trimBlanks(promptText)) ?? { mode: 'global' };
    this.#pending = null;
    clearTimeout(pending.timer);
    pending.resolve(reply);
    return true;
  }

  /** The output broke a bound at reply line `line`: the waiting command (or the next one) gets a ParseError. */
  #outOfBounds(line: number, message: string): void {
    this.#broken = message;
    this.#dropOutput();
    const pending = this.#pending;
    if (pending) {
      this.#fail(new ParseError(pending.label, line, message, { context: { tool: this.profile.toolName } }));
    } else {
      this.#overflow = { line, message };
    }
    // It keeps printing: stop it now rather than read what nobody will use.
    if (!this.#exited) this.#child.kill('SIGTERM');
  }

  #dropOutput(): void {
    this.#replyLines = [];
    this.#replySize = 0;
    this.#partial = '';
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const label = this.#pending?.label;
    this.#fail(
      this.#transportError(`${this.profile.toolName} exited (${how})${label ? ` during "${label}"` : ''}`),
    );
  }

  #fail(error: TransportError | ParseError | ConfigurationError): void {
    const pending = this.#pending;
    if (!pending) return;
    this.#pending = null;
    clearTimeout(pending.timer);
    pending.reject(error);
  }

  #transportError(message: string, cause?: unknown): TransportError {
    const stderr = this.#stderr.trim();
    // Duck-typed: errors from node internals may come from another realm (test VMs).
    const causeMessage = (cause as { message?: unknown } | undefined)?.message;
    const detail = typeof causeMessage === 'string' ? `: ${causeMessage}` : '';
    const text = this.#redact(
      `${message}${detail}${stderr ? `; stderr: ${stderr.split('\n').slice(-5).join(' / ')}` : ''}`,
    );
    return new TransportError(text, { cause, context: { tool: this.profile.toolName } });
  }

  #redact(text: string): string {
    return redact(text, this.#secrets);
  }
}

/** The child's environment without any variable holding a secret (e.g. HSM_CO_PASSWORD). */
function withoutSecrets(env: NodeJS.ProcessEnv, secrets: readonly Secret[]): NodeJS.ProcessEnv {
  const values = new Set(secrets.map((s) => s.reveal()).filter((v) => v !== ''));
  return Object.fromEntries(
    Object.entries(env).filter(([, value]) => value === undefined || !values.has(value.trim())),
  );
}

function withNewline(text: string): string {
  return text === '' || text.endsWith('\n') ? text : `${text}\n`;
}

/** `text` without leading and trailing spaces and tabs (what may surround a prompt). */
function trimBlanks(text: string): string {
  let a = 0;
  let b = text.length;
  while (a < b && (text[a] === ' ' || text[a] === '\t')) a += 1;
  while (b > a && (text[b - 1] === ' ' || text[b - 1] === '\t')) b -= 1;
  return text.slice(a, b);
}
