/**
 * What a command leaves behind is undone on every way out: normal end, error, a closed pipe,
 * SIGINT (Ctrl-C), SIGTERM, SIGHUP. Whoever creates something that must not outlive the
 * command (a temp folder, an emulated cluster, a util config) registers its undoing here;
 * the process entry (bin/hsm-sentinel.ts through runAsProcess) runs every task at the end,
 * and on a signal first stops every child process (the util a driver spawned) and then runs
 * them, then ends by that signal.
 */
import { readdirSync, readFileSync } from 'node:fs';

type Task = () => unknown;

const tasks = new Set<Task>();

/** Registers an undo; returns a function that unregisters it (the owner undid it itself). */
export function onShutdown(task: Task): () => void {
  tasks.add(task);
  return () => tasks.delete(task);
}

/** How many undo tasks are registered (a long-lived process must not grow this per run). */
export function shutdownTaskCount(): number {
  return tasks.size;
}

/** Runs every registered task once (newest first), each bounded by the deadline; never throws. */
export async function runShutdownTasks(deadlineMs = 10_000): Promise<void> {
  const pending = [...tasks].reverse();
  tasks.clear();
  const until = Date.now() + deadlineMs;
  for (const task of pending) {
    const left = until - Date.now();
    if (left <= 0) break;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.resolve()
        .then(task)
        .catch(() => undefined),
      new Promise((resolve) => {
        timer = setTimeout(resolve, left);
      }),
    ]);
    clearTimeout(timer);
  }
}

/** The direct children of this process (Linux /proc; elsewhere none are known). */
export function childProcessIds(pid = process.pid): number[] {
  const found: number[] = [];
  let threads: string[] = [];
  try {
    threads = readdirSync(`/proc/${pid}/task`);
  } catch {
    return found;
  }
  for (const thread of threads) {
    try {
      const text = readFileSync(`/proc/${pid}/task/${thread}/children`, 'utf8').trim();
      for (const child of text.split(/\s+/)) if (child) found.push(Number(child));
    } catch {
      // the thread ended meanwhile
    }
  }
  return [...new Set(found)];
}

const HAS_PROC = (() => {
  try {
    readdirSync('/proc/self');
    return true;
  } catch {
    return false;
  }
})();

/** Whether a process still runs (a zombie waiting for its parent has ended). */
function alive(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    if (HAS_PROC) return false;
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  }
}

/**
 * Sends SIGTERM to every child, waits up to graceMs for them to end, then SIGKILL to those
 * left. Returns the pids signalled.
 */
export async function stopChildren(graceMs = 2000): Promise<number[]> {
  const children = childProcessIds();
  for (const pid of children) {
    try {
      process.kill(pid, 'SIGTERM');
    } catch {
      // already gone
    }
  }
  const until = Date.now() + graceMs;
  while (children.some(alive) && Date.now() < until) await new Promise((r) => setTimeout(r, 20));
  for (const pid of children.filter(alive)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone in between
    }
  }
  return children;
}
