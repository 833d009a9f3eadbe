/**
 * `hsm-sentinel <command>`: the runbook CLI. Each command lives in commands/<name>.ts.
 * Exit codes: 0 ok, 1 the command failed (message on stderr), 2 wrong usage,
 * 3 the run finished but needs a human (attention / failed outcome) — for audit/sync/run.
 * An error is one line on stderr, whatever its message quotes (a util's output, a command
 * word): line breaks, control, format and bidi characters are printed as escapes.
 */
import { escapeForText } from '#core/printable.ts';
import { type CliIo, UsageError } from './io.ts';

type Command = (args: string[], io: CliIo) => Promise<number>;

const COMMANDS: Record<string, { summary: string; load: () => Promise<Command> }> = {
  demo: {
    summary: 'run the whole loop on an emulated 3-node cluster seeded with the seed scenarios',
    load: async () => (await import('./commands/demo.ts')).demoCommand,
  },
  audit: {
    summary: 'read every node of a cluster file and report (writes nothing)',
    load: async () => (await import('./commands/audit.ts')).auditCommand,
  },
  sync: {
    summary: 'audit, repair the gaps additively, verify, back up, alert',
    load: async () => (await import('./commands/audit.ts')).syncCommand,
  },
  run: {
    summary: 'one execution of the state machine for a cluster (local, or --remote)',
    load: async () => (await import('./commands/run.ts')).runCommand,
  },
  parse: {
    summary: 'parse one mgmt-util command transcript from stdin to JSON',
    load: async () => (await import('./commands/parse.ts')).parseCommand,
  },
  report: {
    summary: "render a run's stored report.json again: HTML page or text",
    load: async () => (await import('./commands/report.ts')).reportCommand,
  },
  emulator: {
    summary: 'start|stop|status|fault an emulated cluster, to practise the runbook',
    load: async () => (await import('./commands/emulator.ts')).emulatorCommand,
  },
};

export function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  const lines = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: hsm-sentinel <command> [options]',
    '',
    ...lines,
    '',
    'hsm-sentinel <command> --help for its options',
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout(usage());
    return name === undefined ? 2 : 0;
  }
  const entry = COMMANDS[name];
  if (!entry) {
    io.stderr(`hsm-sentinel: unknown command '${escapeForText(name)}'\n${usage()}`);
    return 2;
  }
  try {
    const command = await entry.load();
    return await command(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`hsm-sentinel ${name}: ${escapeForText(error.message)}\n`);
      return 2;
    }
    const err = error instanceof Error ? error : new Error(String(error));
    io.stderr(`hsm-sentinel ${name}: ${escapeForText(err.name)}: ${escapeForText(err.message)}\n`);
    return 1;
  }
}
