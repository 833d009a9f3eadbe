/**
 * `hsm-sentinel parse <command> [--tool ID | --dialect aws|azure]`: one command's reply on
 * stdin, JSON on stdout; input it cannot parse exits 1 with a one-line error naming the line.
 * Each tool module lists what it can parse (`parsers`); `--dialect` is the older way to name
 * the mgmt-util tools. The output is JSON with or without --json.
 */
import { toolModule } from '#drivers/registry.ts';
import { type CommandContext, type ParsedArgs, stringOf } from '../command-spec.ts';
import { UsageError } from '../io.ts';

const DIALECT_TOOLS: Readonly<Record<string, string>> = { aws: 'mgmt-util-aws', azure: 'mgmt-util-azure' };

export async function parseCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const tool = stringOf(args, 'tool');
  const dialect = stringOf(args, 'dialect');
  if (tool !== undefined && dialect !== undefined) throw new UsageError('give --tool or --dialect, not both');
  const toolId = tool ?? DIALECT_TOOLS[dialect ?? 'aws'];
  if (toolId === undefined)
    throw new UsageError(`--dialect must be one of ${Object.keys(DIALECT_TOOLS).join(', ')}`);
  let module: ReturnType<typeof toolModule>;
  try {
    module = toolModule(toolId);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const commands = Object.keys(module.parsers);
  const [command] = args.positionals;
  if (!command) throw new UsageError(`expected one command: ${commands.join(', ')}`);
  const parser = module.parsers[command];
  if (!parser)
    throw new UsageError(`${module.id} cannot parse '${command}': expected one of ${commands.join(', ')}`);
  const parsed = parser(await ctx.io.readStdin());
  ctx.io.stdout(`${JSON.stringify(parsed)}\n`);
  return 0;
}
