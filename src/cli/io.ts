/**
 * What a CLI command may touch: streams, the terminal and the environment, injected so tests
 * can run commands in-process. `processIo()` is the real one: a closed stdout or stderr (a
 * pipe whose reader left, `hsm-sentinel demo | head -1`) drops what is written after, quietly.
 */
import { createInterface } from 'node:readline';

export interface TerminalInfo {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  /** Width of the terminal stderr draws on (live progress lines are cut to it). */
  columns?: number;
}

export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  readStdin(): Promise<string>;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Which streams are terminals (absent: none, as in a pipe). */
  tty?: TerminalInfo;
  /** Asks one question on stderr and reads one line of stdin (null: end of input). */
  ask?(question: string): Promise<string | null>;
}

export interface ProcessIo extends CliIo {
  /** True once a write found stdout or stderr closed (EPIPE): the command then ends quietly, exit 0. */
  readonly pipeClosed: () => boolean;
}

export function processIo(): ProcessIo {
  let closed = false;
  const guard = (stream: NodeJS.WriteStream) => {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code === 'EPIPE' || error.code === 'ERR_STREAM_DESTROYED') {
        closed = true;
        return;
      }
      throw error;
    });
    return (text: string) => {
      if (closed || stream.destroyed || stream.writableEnded) return;
      stream.write(text);
    };
  };
  const stdout = guard(process.stdout);
  const stderr = guard(process.stderr);
  return {
    stdout,
    stderr,
    readStdin: async () => {
      const chunks: Buffer[] = [];
      for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
      return Buffer.concat(chunks).toString('utf8');
    },
    env: process.env,
    cwd: process.cwd(),
    tty: {
      stdin: process.stdin.isTTY === true,
      stdout: process.stdout.isTTY === true,
      stderr: process.stderr.isTTY === true,
      ...(process.stderr.columns ? { columns: process.stderr.columns } : {}),
    },
    ask: (question) =>
      new Promise((resolve) => {
        const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: false });
        let answered = false;
        process.stderr.write(question);
        rl.once('line', (line) => {
          answered = true;
          rl.close();
          resolve(line);
        });
        rl.once('close', () => {
          if (!answered) resolve(null);
        });
      }),
    pipeClosed: () => closed,
  };
}

/** Thrown for wrong command-line words, a file named that cannot be used, a missing setting: exit 2. */
export class UsageError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'UsageError';
  }
}
