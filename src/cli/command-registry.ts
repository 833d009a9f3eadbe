/**
 * The commands of `hsm-sentinel`, one line each. A command is a CommandSpec (command-spec.ts):
 * listed here, it gets --help, --version, --json, the exit codes and the process handling
 * (EPIPE, signals, cleanup) from main.ts and run-as-process.ts like every other.
 */
import type { CommandSpec } from './command-spec.ts';
import { AUDIT_COMMAND, SYNC_COMMAND } from './specs/audit-sync.ts';
import { DEMO_COMMAND } from './specs/demo.ts';
import { EMULATOR_COMMAND } from './specs/emulator.ts';
import { PARSE_COMMAND, REPORT_COMMAND } from './specs/parse-report.ts';
import { RUN_COMMAND } from './specs/run.ts';

export const COMMANDS: readonly CommandSpec[] = [
  DEMO_COMMAND,
  AUDIT_COMMAND,
  SYNC_COMMAND,
  RUN_COMMAND,
  PARSE_COMMAND,
  REPORT_COMMAND,
  EMULATOR_COMMAND,
];

export function commandNamed(name: string): CommandSpec | undefined {
  return COMMANDS.find((c) => c.name === name);
}
