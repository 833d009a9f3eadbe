/** A CliIo in memory, to run commands in process (main) and read what they printed. */
import type { CliIo, TerminalInfo } from '#cli/io.ts';

export interface MemoryIo {
  io: CliIo;
  out: { stdout: string; stderr: string };
}

export function memoryIo(
  options: {
    cwd?: string;
    env?: NodeJS.ProcessEnv;
    stdin?: string;
    tty?: TerminalInfo;
    answers?: string[];
  } = {},
): MemoryIo {
  const out = { stdout: '', stderr: '' };
  const answers = [...(options.answers ?? [])];
  return {
    io: {
      stdout: (text) => {
        out.stdout += text;
      },
      stderr: (text) => {
        out.stderr += text;
      },
      readStdin: async () => options.stdin ?? '',
      env: options.env ?? {},
      cwd: options.cwd ?? process.cwd(),
      ...(options.tty ? { tty: options.tty } : {}),
      ...(options.answers
        ? {
            ask: async (question: string) => {
              out.stderr += question;
              return answers.shift() ?? null;
            },
          }
        : {}),
    },
    out,
  };
}
