/**
 * The SDK 5 CLI in single-command mode: one process per command,
 *
 *   <binary> --config <cloudhsm-cli.cfg> <command words…> [--options]
 *
 * with the credentials in the child's environment only (`CLOUDHSM_ROLE`,
 * `CLOUDHSM_PIN=<username>:<password>`, AWS "Command modes"), never in argv. A password the
 * command asks for (`user create`'s `Enter password:` / `Confirm password:`) is written to
 * its stdin; stdin is closed at once otherwise, so a CLI that would prompt gets end-of-input
 * instead of waiting. `--config` is UNCONFIRMED as a global option of today's CLI (a 2023
 * help text shows it): the production image also links the default config path to the file
 * the driver writes (README.md), so either way the CLI reads the config of this run.
 *
 * Bounded: a reply above MAX_REPLY_BYTES or a command past its deadline kills the process.
 * What is kept for the transcript is redacted and cut (never the password, never stdin).
 */
import { spawn } from 'node:child_process';
import { CommandTimeoutError, ParseError, TransportError } from '#core/errors.ts';
import { redact, type Secret, withoutSecretValues } from '#core/secret.ts';
import { MAX_REPLY_BYTES } from './parse/envelope.ts';

/** The variables of the CLI's credentials: never inherited from the parent, only set per command. */
const CREDENTIAL_VARIABLES = [
  'CLOUDHSM_ROLE',
  'CLOUDHSM_PIN',
  'DESTINATION_CLOUDHSM_ROLE',
  'DESTINATION_CLOUDHSM_PIN',
];
/** Of stderr, only the end is kept (a message, not a flood). */
const STDERR_KEPT = 4096;
/** Of stdout, the transcript keeps the start of each reply. */
const TRANSCRIPT_REPLY_CHARS = 4096;

export type CliRole = 'admin' | 'crypto-user';

export interface CliLogin {
  role: CliRole;
  username: string;
  password: Secret;
}

export interface CliCommandOptions {
  /** Sets CLOUDHSM_ROLE and CLOUDHSM_PIN for this command only. */
  login?: CliLogin;
  /** Lines written to stdin (each followed by a newline), then stdin is closed. */
  stdinLines?: readonly Secret[];
}

export interface CliOutput {
  /** The command words, for messages (`key list`). */
  command: string;
  stdout: string;
  exitCode: number | null;
  /** The end of stderr, redacted. */
  stderr: string;
}

export interface CliSessionOptions {
  /** The program and its leading arguments (the vendor binary, or the emulator). */
  command: readonly string[];
  configPath: string;
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** Every secret the session may hold: redacted from anything it keeps. */
  secrets: readonly Secret[];
}

/** One call's processes (a collect or a sync), and their transcript. */
export class CloudHsmCliSession {
  readonly #options: CliSessionOptions;
  readonly #baseEnv: NodeJS.ProcessEnv;
  readonly #transcript: string[] = [];
  #processes = 0;

  constructor(options: CliSessionOptions) {
    this.#options = options;
    // Nothing inherited that holds one of the secrets (the variable a password was read from).
    const env: NodeJS.ProcessEnv = withoutSecretValues(options.env, options.secrets);
    for (const name of CREDENTIAL_VARIABLES) delete env[name];
    this.#baseEnv = env;
  }

  /** How many CLI processes this session started. */
  get processes(): number {
    return this.#processes;
  }

  /** What the session did, redacted: each command (with the credentials' names, not values), its exit and reply start. */
  transcript(): string {
    return redact(this.#transcript.join('\n'), this.#options.secrets);
  }

  async run(words: readonly string[], options: CliCommandOptions = {}): Promise<CliOutput> {
    const { command: program, configPath } = this.#options;
    const [binary, ...leading] = program;
    if (binary === undefined) throw new TransportError('cloudhsm-cli: no program to run');
    const argv = [...leading, '--config', configPath, ...words];
    const env: NodeJS.ProcessEnv = { ...this.#baseEnv };
    if (options.login !== undefined) {
      env.CLOUDHSM_ROLE = options.login.role;
      env.CLOUDHSM_PIN = `${options.login.username}:${options.login.password.reveal()}`;
    }
    const command = commandWords(words);
    const shown = `$ ${options.login ? `CLOUDHSM_ROLE=${options.login.role} CLOUDHSM_PIN=${options.login.username}:<redacted> ` : ''}cloudhsm-cli --config ${configPath} ${words.join(' ')}${
      options.stdinLines?.length ? `  (${options.stdinLines.length} line(s) on stdin, not kept)` : ''
    }`;
    this.#processes += 1;
    const output = await this.#spawn(binary, argv, env, command, options.stdinLines ?? []);
    this.#transcript.push(
      shown,
      output.stdout.length > TRANSCRIPT_REPLY_CHARS
        ? `${output.stdout.slice(0, TRANSCRIPT_REPLY_CHARS)}… (${output.stdout.length} characters in all)`
        : output.stdout.trimEnd(),
      ...(output.stderr === '' ? [] : [`[stderr] ${output.stderr.trimEnd()}`]),
      `[exit ${output.exitCode ?? 'signal'}]`,
    );
    return output;
  }

  #spawn(
    binary: string,
    argv: string[],
    env: NodeJS.ProcessEnv,
    command: string,
    stdinLines: readonly Secret[],
  ): Promise<CliOutput> {
    const { timeoutMs, secrets } = this.#options;
    return new Promise((resolve, reject) => {
      let child: ReturnType<typeof spawn>;
      try {
        child = spawn(binary, argv, { env, stdio: ['pipe', 'pipe', 'pipe'] });
      } catch (cause) {
        reject(new TransportError(`cloudhsm-cli ${command}: cannot start ${binary}`, { cause }));
        return;
      }
      const chunks: Buffer[] = [];
      let bytes = 0;
      let stderr = '';
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        fn();
      };
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        settle(() =>
          reject(new CommandTimeoutError(`cloudhsm-cli ${command} did not finish within ${timeoutMs} ms`)),
        );
      }, timeoutMs);
      child.stdout?.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (bytes > MAX_REPLY_BYTES) {
          child.kill('SIGKILL');
          settle(() =>
            reject(new ParseError(command, 0, `reply is more than the ${MAX_REPLY_BYTES} bytes accepted`)),
          );
          return;
        }
        chunks.push(chunk);
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEPT);
      });
      child.on('error', (cause) =>
        settle(() =>
          reject(new TransportError(`cloudhsm-cli ${command}: cannot run ${binary}: ${cause.message}`)),
        ),
      );
      child.on('close', (code) =>
        settle(() =>
          resolve({
            command,
            stdout: Buffer.concat(chunks).toString('utf8'),
            exitCode: code,
            stderr: redact(stderr, secrets),
          }),
        ),
      );
      child.stdin?.on('error', () => {
        // The CLI exited before reading stdin: its reply says why.
      });
      child.stdin?.end(stdinLines.map((line) => `${line.reveal()}\n`).join(''));
    });
  }
}

/** `key list --verbose --max-items 1000` → `key list` (the words before the first option). */
export function commandWords(words: readonly string[]): string {
  const first = words.findIndex((w) => w.startsWith('-'));
  return (first < 0 ? words : words.slice(0, first)).join(' ');
}
