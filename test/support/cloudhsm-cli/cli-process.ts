/**
 * Runs the emulated cloudhsm-cli as a real child process (single-command mode), the way the
 * driver will: argv, environment, optional stdin; collects stdout, stderr and the exit status,
 * with a deadline (no sleeps).
 */
import { spawn } from 'node:child_process';
import { cloudHsmCliCommand } from '#emulator/cloudhsm-cli/main.ts';

export interface CliRun {
  stdout: string;
  stderr: string;
  code: number | null;
  ms: number;
}

export interface CliRunOptions {
  env?: Record<string, string>;
  /** Written to stdin, then stdin is closed. */
  input?: string;
  timeoutMs?: number;
}

export function runCli(args: readonly string[], options: CliRunOptions = {}): Promise<CliRun> {
  const { command, args: argv } = cloudHsmCliCommand(args);
  const started = performance.now();
  const env: Record<string, string | undefined> = { ...process.env, ...options.env };
  if (options.env?.CLOUDHSM_PIN === undefined) delete env.CLOUDHSM_PIN;
  if (options.env?.CLOUDHSM_ROLE === undefined) delete env.CLOUDHSM_ROLE;
  return new Promise((resolve, reject) => {
    const child = spawn(command, argv, { env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => {
      child.kill();
      reject(
        new Error(
          `cloudhsm-cli ${args.join(' ')}: no exit within ${options.timeoutMs ?? 20000} ms; stdout ${stdout}`,
        ),
      );
    }, options.timeoutMs ?? 20000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString('utf8');
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ stdout, stderr, code, ms: performance.now() - started });
    });
    child.stdin.end(options.input ?? '');
  });
}
