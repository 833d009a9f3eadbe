/**
 * `hsm-sentinel parse <command> [--tool ID | --dialect aws|azure]`: one command's reply on
 * stdin, JSON on stdout; input it cannot parse exits 1 with a one-line error naming the line.
 * Each tool module lists what it can parse (`parsers`); `--dialect` is the older way to name
 * the mgmt-util tools.
 */
import { TOOL_MODULES, toolModule } from '#drivers/registry.ts';
import { parseOptions } from '../args.ts';
import { type CliIo, UsageError } from '../io.ts';

const DIALECT_TOOLS: Readonly<Record<string, string>> = { aws: 'mgmt-util-aws', azure: 'mgmt-util-azure' };

export function parseUsage(): string {
  const lines = TOOL_MODULES.map((m) => `    --tool ${m.id}: ${Object.keys(m.parsers).join(', ')}`);
  return [
    'usage: hsm-sentinel parse <command> [--tool ID] < reply',
    '  the commands each tool can parse:',
    ...lines,
    '  --dialect aws|azure  the older name of --tool mgmt-util-aws|mgmt-util-azure (default: aws)',
    '',
  ].join('\n');
}

export async function parseCommand(args: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseOptions(
    args,
    { tool: { type: 'string' }, dialect: { type: 'string' }, help: { type: 'boolean' } },
    true,
  );
  if (values.help) {
    io.stdout(parseUsage());
    return 0;
  }
  if (values.tool !== undefined && values.dialect !== undefined)
    throw new UsageError('give --tool or --dialect, not both');
  const toolId = values.tool ?? DIALECT_TOOLS[values.dialect ?? 'aws'];
  if (toolId === undefined)
    throw new UsageError(`--dialect must be one of ${Object.keys(DIALECT_TOOLS).join(', ')}`);
  let tool: ReturnType<typeof toolModule>;
  try {
    tool = toolModule(toolId);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const commands = Object.keys(tool.parsers);
  const [command, ...extra] = positionals;
  if (!command || extra.length > 0) throw new UsageError(`expected one command: ${commands.join(', ')}`);
  const parser = tool.parsers[command];
  if (!parser)
    throw new UsageError(`${tool.id} cannot parse '${command}': expected one of ${commands.join(', ')}`);
  const parsed = parser(await io.readStdin());
  io.stdout(`${JSON.stringify(parsed)}\n`);
  return 0;
}
