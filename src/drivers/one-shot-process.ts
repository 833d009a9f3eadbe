/**
 * One vendor process per command (the SDK 5 CLI's single-command mode, `lunacm -q`), bounded:
 * started without a shell, killed past its deadline or past the reply size its parsers accept,
 * settled once whatever happens first (exit, spawn failure, deadline, flood). Secrets never go
 * in argv: the caller puts them in the child's environment or writes them to stdin, either all
 * at once (`stdin`) or in answer to what the program prints (`respond`, for prompts).
 *
 * Keeps no transcript and redacts nothing: the caller knows its secrets and what to keep.
 */
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import { CommandTimeoutError, ParseError, TransportError } from '#core/errors.ts';

/** Of stderr, only the end is kept (a message, not a flood). */
const STDERR_KEPT = 4096;

export interface OneShotCommand {
  /** The tool's name for messages (`cloudhsm-cli`, `lunacm`). */
  tool: string;
  /** The command words, for messages and a ParseError (`user list`, `hagroup listgroups`). */
  command: string;
  program: string;
  args: readonly string[];
  env: NodeJS.ProcessEnv;
  timeoutMs: number;
  /** More stdout than this kills the process: a ParseError naming the command. */
  maxReplyBytes: number;
  /** Written to stdin at once, then stdin is closed (the program gets end-of-input, never waits on a prompt). */
  stdin?: string;
  /**
   * Called with all of stdout so far after each chunk; a string it returns is written to stdin
   * (an answer to a prompt). stdin stays open until the program exits.
   */
  respond?: (stdoutSoFar: string) => string | null;
}

export interface OneShotResult {
  stdout: string;
  /** The last few KiB of stderr, as printed (not redacted). */
  stderrTail: string;
  /** Null when a signal ended the process. */
  exitCode: number | null;
}

export function runOneShot(cmd: OneShotCommand): Promise<OneShotResult> {
  const label = `${cmd.tool} ${cmd.command}`;
  return new Promise((resolve, reject) => {
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(cmd.program, [...cmd.args], { env: cmd.env, stdio: ['pipe', 'pipe', 'pipe'] });
    } catch (cause) {
      reject(new TransportError(`${label}: cannot start ${cmd.program}`, { cause }));
      return;
    }
    const decoder = new StringDecoder('utf8');
    let stdout = '';
    let bytes = 0;
    let stderr = '';
    let settled = false;
    const settle = (fn: () => void) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      fn();
    };
    const kill = (error: Error) => {
      child.kill('SIGKILL');
      settle(() => reject(error));
    };
    const timer = setTimeout(
      () => kill(new CommandTimeoutError(`${label} did not finish within ${cmd.timeoutMs} ms`)),
      cmd.timeoutMs,
    );
    child.stdout?.on('data', (chunk: Buffer) => {
      if (settled) return;
      bytes += chunk.length;
      if (bytes > cmd.maxReplyBytes) {
        kill(new ParseError(cmd.command, 0, `reply is more than the ${cmd.maxReplyBytes} bytes accepted`));
        return;
      }
      stdout += decoder.write(chunk);
      const answer = cmd.respond?.(stdout);
      if (answer != null) child.stdin?.write(answer);
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_KEPT);
    });
    child.stdin?.on('error', () => {
      // The program exited before reading stdin: its output says why.
    });
    child.on('error', (cause) =>
      settle(() =>
        reject(new TransportError(`${label}: cannot run ${cmd.program}: ${cause.message}`, { cause })),
      ),
    );
    child.on('close', (code) =>
      settle(() => resolve({ stdout: stdout + decoder.end(), stderrTail: stderr, exitCode: code })),
    );
    // Nothing to type and nothing to answer: end-of-input at once, so a prompt cannot wait.
    if (cmd.stdin !== undefined || !cmd.respond) child.stdin?.end(cmd.stdin ?? '');
  });
}
