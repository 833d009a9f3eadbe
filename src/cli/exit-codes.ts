/**
 * The exit codes of every command, defined once: the help of each command, the README and the
 * tests read this table.
 */
import type { RunOutcome } from '#core/report.ts';

export const EXIT = {
  /** clean or repaired (and, for commands that run nothing, done). */
  ok: 0,
  /** the run (or the command) failed. */
  failed: 1,
  /** wrong usage: an unknown flag, a missing or unusable file, a setting the command needs. */
  usage: 2,
  /** the run finished and a human must act. */
  attention: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** The default meaning of each code, as --help prints it (a command may say more). */
export const EXIT_MEANINGS: Readonly<Record<ExitCode, string>> = {
  0: 'clean or repaired',
  1: 'the run failed',
  2: 'wrong usage (an unknown flag, a missing or invalid file, a missing setting)',
  3: 'a human must act',
};

/** The exit code of a finished run. */
export function exitForOutcome(outcome: RunOutcome): ExitCode {
  if (outcome === 'failed') return EXIT.failed;
  return outcome === 'attention' ? EXIT.attention : EXIT.ok;
}
