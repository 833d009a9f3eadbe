/**
 * `hsm-sentinel <command>`: the runbook CLI. The commands are listed in command-registry.ts,
 * each declared by a CommandSpec (command-spec.ts); this file gives every one of them, and
 * every action of those that have actions, the same conventions:
 * - `--help` (every flag with its default, the environment read, the exit codes), `--version`,
 *   `--json` (stdout holds one JSON document: the result, or `{"error", "exitCode"}`);
 * - exit codes (exit-codes.ts): 0 clean or repaired, 3 a human must act, 1 the run failed,
 *   2 wrong usage;
 * - an error is one line on stderr, whatever its message quotes (a util's output, a command
 *   word): line breaks, control, format and bidi characters are printed as escapes.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeForText } from '#core/printable.ts';
import { COMMANDS, commandNamed } from './command-registry.ts';
import { type CommandSpec, helpJson, helpText, parseCommandArgs } from './command-spec.ts';
import { EXIT, EXIT_MEANINGS } from './exit-codes.ts';
import { type CliIo, UsageError } from './io.ts';
import { PROJECT_ROOT } from './project-root.ts';
import { runShutdownTasks } from './shutdown.ts';
import { NO_STYLE, styleFor } from './style.ts';

export function version(): string {
  const pkg = JSON.parse(readFileSync(join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}

export function usage(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  const lines = COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return [
    'usage: hsm-sentinel <command> [flags]',
    '',
    ...lines,
    '',
    'hsm-sentinel <command> --help for its flags, defaults and exit codes; --version; --json on every command',
    '',
    'exit codes:',
    ...Object.entries(EXIT_MEANINGS).map(([code, meaning]) => `  ${code}  ${meaning}`),
    '',
  ].join('\n');
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  const [first, ...rest] = argv;
  let where = 'hsm-sentinel';
  try {
    if (first === undefined) {
      io.stderr(usage());
      return EXIT.usage;
    }
    if (first === '--help' || first === '-h' || first === 'help') {
      if (json) printJson(io, { commands: COMMANDS.map((c) => ({ name: c.name, summary: c.summary })) });
      else io.stdout(usage());
      return EXIT.ok;
    }
    if (first === '--version' || first === '-V' || first === 'version') return printVersion(io, json);
    const command = commandNamed(first);
    if (!command)
      throw new UsageError(`unknown command '${first}': one of ${COMMANDS.map((c) => c.name).join(', ')}`);
    where = `hsm-sentinel ${command.name}`;
    const { spec, args } = actionOf(command, rest);
    where = `hsm-sentinel ${spec.name}`;
    const parsed = parseCommandArgs(spec, args);
    if (parsed.values.help || spec.load === undefined) {
      if (spec.load === undefined && !parsed.values.help && !parsed.values.version) {
        throw new UsageError(`expected an action: ${Object.keys(spec.actions ?? {}).join(', ')}`);
      }
      if (parsed.values.version) return printVersion(io, json);
      if (json) printJson(io, await helpJson(spec));
      else io.stdout(await helpText(spec));
      return EXIT.ok;
    }
    if (parsed.values.version) return printVersion(io, json);
    const run = await spec.load();
    return await run(parsed, {
      io,
      json,
      style: json
        ? { stdout: NO_STYLE, stderr: styleFor(io, 'stderr') }
        : { stdout: styleFor(io, 'stdout'), stderr: styleFor(io, 'stderr') },
    });
  } catch (error) {
    const usageError = error instanceof UsageError;
    const err = error instanceof Error ? error : new Error(String(error));
    const code = usageError ? EXIT.usage : EXIT.failed;
    io.stderr(
      usageError
        ? `${where}: ${escapeForText(err.message)}\n`
        : `${where}: ${escapeForText(err.name)}: ${escapeForText(err.message)}\n`,
    );
    if (json) printJson(io, { error: { name: err.name, message: err.message }, exitCode: code });
    return code;
  } finally {
    // What the command left to undo (temp folders, an emulated cluster it started).
    await runShutdownTasks();
  }
}

/** `emulator start …` → the action's spec and its arguments; a command without actions is itself. */
function actionOf(command: CommandSpec, args: string[]): { spec: CommandSpec; args: string[] } {
  if (!command.actions) return { spec: command, args };
  const [action, ...rest] = args;
  if (action === undefined || action.startsWith('-')) return { spec: command, args };
  const spec = command.actions[action];
  if (!spec) {
    throw new UsageError(
      `unknown action '${action}': one of ${Object.keys(command.actions).join(', ')} (see hsm-sentinel ${command.name} --help)`,
    );
  }
  return { spec, args: rest };
}

function printVersion(io: CliIo, json: boolean): number {
  if (json) printJson(io, { name: 'hsm-sentinel', version: version(), node: process.versions.node });
  else io.stdout(`hsm-sentinel ${version()} (Node ${process.versions.node})\n`);
  return EXIT.ok;
}

export function printJson(io: CliIo, value: unknown): void {
  io.stdout(`${JSON.stringify(value, null, 2)}\n`);
}
