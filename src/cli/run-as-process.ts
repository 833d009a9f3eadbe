/**
 * The CLI as a process: main() with the real streams, and the ways out handled the same for
 * every command.
 * - A closed pipe (EPIPE on stdout or stderr: `demo | head -1`): what is written after is
 *   dropped, the command finishes its work (a sync is not cut in the middle of a write), and
 *   the process exits 0 with no stack trace.
 * - SIGINT / SIGTERM / SIGHUP: one line on stderr, every child process (the util a driver
 *   spawned) is stopped, every shutdown task runs (temp folders, util configs, an emulated
 *   cluster the command started), and the process ends by the same signal (a shell shows
 *   130 for Ctrl-C). Repeats of the signal while this runs are ignored (the launcher passes
 *   Ctrl-C on, so the terminal's and the launcher's arrive together); it is bounded in time.
 */
import { processIo } from './io.ts';
import { main } from './main.ts';
import { runShutdownTasks, stopChildren } from './shutdown.ts';

const SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export async function runAsProcess(argv: string[]): Promise<void> {
  const io = processIo();
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    io.stderr(`\nhsm-sentinel: ${signal}: stopping the tool's processes and removing temporary files\n`);
    void (async () => {
      await stopChildren();
      await runShutdownTasks();
      await stopChildren(500);
      for (const s of SIGNALS) process.removeAllListeners(s);
      process.kill(process.pid, signal);
    })();
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  let code: number;
  try {
    code = await main(argv, io);
  } finally {
    if (!stopping) await runShutdownTasks();
  }
  if (stopping) return; // the signal handler ends the process
  for (const signal of SIGNALS) process.off(signal, onSignal);
  process.exitCode = io.pipeClosed() ? 0 : code;
}
