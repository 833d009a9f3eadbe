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
 * - `close` sends `quit`, waits, then kills: no orphan process.
 * - Secrets: a command given as parts may contain `Secret`s; they are revealed only into the
 *   child's stdin. The transcript, every error message and the stderr tail are redacted.
 */
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import { CommandTimeoutError, InvalidInputError, TransportError } from '#core/errors.ts';
import type { Secret } from '#core/secret.ts';
import { redact, Secret as SecretClass } from '#core/secret.ts';
import type { DialectProfile, PromptState } from './dialect.ts';
import { matchPrompt } from './dialect.ts';

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

export class MgmtUtilSession {
  readonly profile: DialectProfile;
  readonly #child: ChildProcessWithoutNullStreams;
  readonly #secrets: Secret[];
  readonly #closeTimeoutMs: number;
  readonly #promptLine: RegExp;
  readonly #transcript: string[] = [];
  readonly #closed: Promise<void>;
  /** Resolves when the process itself has ended ('exit'), even while a descendant keeps its pipes open. */
  readonly #gone: Promise<void>;
  #buffer = '';
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
    const prompts = [escapeRegExp(options.profile.globalPrompt), stripAnchors(options.profile.serverPrompt)];
    this.#promptLine = new RegExp(String.raw`(?:^|\n)[ \t]*((?:${prompts.join('|')}))[ \t]*(\r?\n|$)`);
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
    child.stdout.on('data', (chunk: string) => {
      this.#buffer += chunk;
      this.#drain();
      this.#checkInStep();
    });
    child.stderr.on('data', (chunk: string) => {
      this.#stderr = (this.#stderr + chunk).slice(-STDERR_TAIL);
    });
    child.stdin.on('error', (error) =>
      this.#fail(this.#transportError(`cannot write to ${this.profile.toolName}`, error)),
    );
    child.on('error', (error) => {
      // Spawn failure (ENOENT, EACCES): 'close' may never follow.
      if (child.pid === undefined) this.#exited = true;
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
      session.#transcript.push(withNewline(session.#startupText));
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
    if (this.#exited) throw new TransportError(`${this.profile.toolName} is not running (before "${verb}")`);
    if (this.#broken !== null)
      throw new TransportError(`${this.profile.toolName} session unusable: ${this.#broken}`);
    this.#checkInStep();
    if (this.#broken !== null)
      throw new TransportError(`${this.profile.toolName} session unusable: ${this.#broken}`);
    this.#transcript.push(`${this.#promptText()} ${shown}\n`);
    const reply = this.#await(verb, options.timeoutMs);
    const line = parts.map((p) => (typeof p === 'string' ? p : p.reveal())).join(' ');
    this.#child.stdin.write(`${line}\n`);
    const text = await reply;
    this.#transcript.push(withNewline(text));
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
      this.#drain();
    });
  }

  /** Resolves the pending command when a prompt line has arrived. */
  #drain(): void {
    const pending = this.#pending;
    if (!pending) return;
    const m = this.#promptLine.exec(this.#buffer);
    if (!m) return;
    const start = m.index + (m[0].startsWith('\n') ? 1 : 0);
    const reply = this.#buffer.slice(0, start);
    this.#buffer = this.#buffer.slice(m.index + m[0].length);
    this.#prompt = matchPrompt(this.profile, m[1] ?? '') ?? { mode: 'global' };
    this.#pending = null;
    clearTimeout(pending.timer);
    pending.resolve(reply);
  }

  /**
   * A prompt while no command is running: the util printed one more prompt than it answered
   * commands (or a prompt line inside a reply). Any reply read from now on could belong to an
   * earlier command, so the session is unusable.
   */
  #checkInStep(): void {
    if (this.#pending || this.#broken !== null || this.#exited) return;
    if (this.#promptLine.test(this.#buffer))
      this.#broken = 'output out of step with the commands (a prompt no command was waiting for)';
  }

  #onExit(code: number | null, signal: NodeJS.Signals | null): void {
    const how = signal ? `signal ${signal}` : `code ${code}`;
    const label = this.#pending?.label;
    this.#fail(
      this.#transportError(`${this.profile.toolName} exited (${how})${label ? ` during "${label}"` : ''}`),
    );
  }

  #fail(error: TransportError): void {
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

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** The pattern of an anchored prompt regex, without its `^…$` anchors. */
function stripAnchors(re: RegExp): string {
  return re.source.replace(/^\^/, '').replace(/\$$/, '');
}
