/**
 * Progress of a local execution, always on stderr, from the local runner's state events:
 * - on a terminal, a live block: one line per state of the moment and, while CollectNodes
 *   runs, one line per node, each with its elapsed time, redrawn in place four times a second;
 * - otherwise plain lines: each state entered and done (with its time), and for anything still
 *   running a line every few seconds saying so (a slow node is never silent for long).
 */
import type { LocalStateEvent } from '#workflow/local-asl-runner.ts';
import type { Style } from './style.ts';

export interface RunProgress {
  /** A state was entered, exited, failed, retried or caught. */
  state(event: LocalStateEvent): void;
  /** A line of its own (between live blocks). */
  line(text: string): void;
  /** What the timer does (redraw, or the "still running" lines); tests call it with their clock. */
  tick(): void;
  /** Stops the timer and leaves the last block drawn. */
  finish(): void;
}

export interface ProgressOptions {
  write: (text: string) => void;
  /** Draw a live block (stderr is a terminal). */
  live: boolean;
  style: Style;
  /** Terminal width: live lines are cut to it. */
  columns?: number;
  /** Plain mode: a "still running" line for a state running longer than this (default 5 s). */
  heartbeatMs?: number;
  /** The clock (tests). */
  now?: () => number;
}

/** Progress that prints nothing (--json quiet runs keep stderr for errors). */
export const SILENT_PROGRESS: RunProgress = { state() {}, line() {}, tick() {}, finish() {} };

interface Running {
  key: string;
  label: string;
  indent: number;
  startedAt: number;
  endedAt: number | null;
  status: 'running' | 'done' | 'failed' | 'caught';
  note: string;
  lastBeat: number;
}

const SKIPPED_TYPES = new Set(['Pass', 'Choice', 'Succeed', 'Fail']);

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export function runProgress(options: ProgressOptions): RunProgress {
  const now = options.now ?? Date.now;
  const heartbeat = options.heartbeatMs ?? 5000;
  const { style } = options;
  /** The block drawn last (live) or the states running (plain). */
  let block: Running[] = [];
  let drawnLines = 0;
  let timer: NodeJS.Timeout | null = null;

  const labelOf = (e: LocalStateEvent) =>
    e.index === undefined ? e.state : `${e.state} [server ${e.index}]${e.item ? ` ${e.item}` : ''}`;
  const keyOf = (e: LocalStateEvent) => `${e.state}#${e.index ?? ''}`;

  const render = (r: Running): string => {
    const elapsed = seconds((r.endedAt ?? now()) - r.startedAt);
    const mark =
      r.status === 'running'
        ? style.yellow('…')
        : r.status === 'done'
          ? style.green('✓')
          : r.status === 'caught'
            ? style.yellow('!')
            : style.red('x');
    const text = `${' '.repeat(r.indent)}${mark} ${r.label}  ${style.dim(elapsed)}${r.note ? `  ${r.note}` : ''}`;
    return options.columns && visible(text) > options.columns ? cut(text, options.columns) : text;
  };

  const redraw = () => {
    if (!options.live) return;
    let out = drawnLines > 0 ? `\u001b[${drawnLines}A` : '';
    for (const r of block) out += `\r\u001b[2K${render(r)}\n`;
    drawnLines = block.length;
    options.write(out);
  };

  const startTimer = () => {
    if (timer) return;
    timer = setInterval(tick, options.live ? 250 : 1000);
    timer.unref();
  };

  function tick() {
    if (options.live) redraw();
    else beat();
  }

  const stopTimer = () => {
    if (timer) clearInterval(timer);
    timer = null;
  };

  const beat = () => {
    const t = now();
    for (const r of block) {
      if (r.status === 'running' && t - r.lastBeat >= heartbeat) {
        r.lastBeat = t;
        options.write(
          `${' '.repeat(r.indent)}  ... ${r.label}: still running after ${seconds(t - r.startedAt)}\n`,
        );
      }
    }
  };

  /** A new top-level state: the previous block is final, a new one begins. */
  const newBlock = () => {
    if (options.live) redraw();
    block = [];
    drawnLines = 0;
  };

  return {
    state(e) {
      if (SKIPPED_TYPES.has(e.stateType)) return;
      const key = keyOf(e);
      const nested = e.index !== undefined;
      if (e.kind === 'entered') {
        if (!nested) newBlock();
        const r: Running = {
          key,
          label: labelOf(e),
          indent: nested ? 2 : 0,
          startedAt: e.timestamp,
          endedAt: null,
          status: 'running',
          note: '',
          lastBeat: e.timestamp,
        };
        block = [...block.filter((b) => b.key !== key), r];
        if (options.live) redraw();
        else options.write(`${' '.repeat(r.indent)}> ${r.label}\n`);
        startTimer();
        return;
      }
      const r = block.find((b) => b.key === key);
      if (!r) return;
      const where = `${' '.repeat(r.indent)}  `;
      if (e.kind === 'retried') {
        r.status = 'running';
        r.endedAt = null;
        r.note = `retry ${e.attempt ?? ''}`;
        if (!options.live) options.write(`${where}! ${r.label}: retry ${e.attempt ?? ''} after an error\n`);
      } else if (e.kind === 'failed') {
        r.status = 'failed';
        r.endedAt = e.timestamp;
        r.note = e.error ?? 'failed';
        if (!options.live) options.write(`${where}x ${r.label}: ${e.error ?? 'failed'}\n`);
      } else if (e.kind === 'caught') {
        r.status = 'caught';
        r.endedAt = r.endedAt ?? e.timestamp;
        r.note = `caught ${r.note}`.trim();
        if (!options.live) options.write(`${where}! ${r.label}: caught\n`);
      } else {
        if (r.status === 'running') r.status = 'done';
        r.endedAt ??= e.timestamp;
        if (!options.live && e.stateType === 'Task')
          options.write(`${where}done ${r.label} (${seconds(r.endedAt - r.startedAt)})\n`);
      }
      if (options.live) redraw();
    },
    line(text) {
      if (options.live) {
        redraw();
        block = [];
        drawnLines = 0;
      }
      options.write(text.endsWith('\n') ? text : `${text}\n`);
    },
    tick,
    finish() {
      stopTimer();
      if (options.live) redraw();
      block = [];
      drawnLines = 0;
    },
  };
}

// biome-ignore lint/suspicious/noControlCharactersInRegex: matches the escape codes this file writes
const ESCAPES = /\u001b\[[0-9;]*m/g;
// biome-ignore lint/suspicious/noControlCharactersInRegex: splits on the escape codes this file writes
const ESCAPE_PARTS = /(\u001b\[[0-9;]*m)/;

function visible(text: string): number {
  return text.replace(ESCAPES, '').length;
}

/** Cuts a line to `columns` visible characters, keeping escape codes whole. */
function cut(text: string, columns: number): string {
  let out = '';
  let shown = 0;
  for (const part of text.split(ESCAPE_PARTS)) {
    if (part.startsWith('\u001b[')) out += part;
    else {
      const room = columns - 1 - shown;
      if (room <= 0) continue;
      out += part.slice(0, room);
      shown += Math.min(part.length, room);
    }
  }
  return `${out}\u001b[0m`;
}
