/**
 * `hsm-sentinel parse <command> [--dialect aws|azure]`: one command's transcript on stdin,
 * JSON on stdout; input it cannot parse exits 1 with a one-line error naming the line.
 */
import { DIALECTS, type Dialect } from '#core/model.ts';
import { parseOptions } from '../args.ts';
import { type CliIo, UsageError } from '../io.ts';
import { PARSEABLE_COMMANDS, parseTranscript } from '../parse-command.ts';

export async function parseCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    { dialect: { type: 'string', default: 'aws' }, help: { type: 'boolean' } },
    true,
  );
  if (values.help) {
    io.stdout(
      `usage: hsm-sentinel parse <${PARSEABLE_COMMANDS.join('|')}> [--dialect aws|azure] < transcript\n`,
    );
    return 0;
  }
  const [command, ...extra] = positionals;
  if (!command || extra.length > 0)
    throw new UsageError(`expected one command: ${PARSEABLE_COMMANDS.join(', ')}`);
  if (!(PARSEABLE_COMMANDS as readonly string[]).includes(command)) {
    throw new UsageError(`cannot parse '${command}': expected one of ${PARSEABLE_COMMANDS.join(', ')}`);
  }
  if (!(DIALECTS as readonly string[]).includes(values.dialect)) {
    throw new UsageError(`--dialect must be one of ${DIALECTS.join(', ')}`);
  }
  const text = await io.readStdin();
  const parsed = parseTranscript(
    command as (typeof PARSEABLE_COMMANDS)[number],
    text,
    values.dialect as Dialect,
  );
  io.stdout(`${JSON.stringify(parsed)}\n`);
  return 0;
}
