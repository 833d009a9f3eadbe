import type { StepLogger } from './deps.ts';

/** Structured log lines (one JSON object each) for CLI runs; only the fields the steps choose. */
export function jsonLineLogger(
  write: (line: string) => void,
  clock: () => Date = () => new Date(),
): StepLogger {
  const emit =
    (level: string) =>
    (message: string, fields: Record<string, unknown> = {}) =>
      write(`${JSON.stringify({ time: clock().toISOString(), level, message, ...fields })}\n`);
  return { info: emit('INFO'), warn: emit('WARN'), error: emit('ERROR') };
}
