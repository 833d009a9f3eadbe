/**
 * What a command declares about itself, and what every command gets from it the same way
 * (main.ts): its --help (every flag with its default, the environment it reads, its exit
 * codes), --version, --json, flag parsing with one-line usage errors (exit 2). A command with
 * sub-actions (`emulator start|stop|status|fault`) declares one spec per action.
 *
 * A spec is light (no import of what the command runs): `load` brings the implementation in
 * only when the command runs, so `hsm-sentinel --help` stays fast.
 */
import { parseArgs } from 'node:util';
import { EXIT_MEANINGS, type ExitCode } from './exit-codes.ts';
import { type CliIo, UsageError } from './io.ts';
import type { Style } from './style.ts';

export interface OptionSpec {
  type: 'string' | 'boolean';
  /** What the flag does, for --help. */
  help: string;
  /** The value's placeholder in --help: `FILE`, `N`. */
  value?: string;
  /** The default value; --help prints it. */
  default?: string | boolean;
  /** How --help shows a default that is not a literal value ("the cluster file's reportDir"). */
  defaultText?: string;
}

export type OptionSpecs = Readonly<Record<string, OptionSpec>>;

export interface ParsedArgs {
  values: Readonly<Record<string, string | boolean | undefined>>;
  positionals: readonly string[];
}

/** What a command gets besides its arguments. */
export interface CommandContext {
  io: CliIo;
  /** --json: stdout holds one JSON document and nothing else; everything else goes to stderr. */
  json: boolean;
  /** Colour for stdout and stderr (no colour in a pipe, with NO_COLOR, or under --json). */
  style: { stdout: Style; stderr: Style };
}

export type CommandRun = (args: ParsedArgs, ctx: CommandContext) => Promise<number>;

export interface CommandSpec {
  /** `audit`, or `emulator start` for an action. */
  name: string;
  /** One line, for the command list. */
  summary: string;
  /** Synopsis lines, each after `hsm-sentinel `. */
  usage: readonly string[];
  /** Paragraphs after the synopsis. */
  description?: readonly string[];
  options?: OptionSpecs;
  /** Positional arguments: their names for --help; absent: none allowed. */
  positionals?: readonly { name: string; help: string }[];
  /** Environment variables read, and what for. */
  environment?: Readonly<Record<string, string>>;
  /** What each exit code means for this command (the ones it can return). */
  exitCodes: Partial<Record<ExitCode, string>>;
  /** More --help text computed when asked (the demos of each tool, the parsers of each tool). */
  details?: () => Promise<readonly string[]>;
  load?: () => Promise<CommandRun>;
  /** Sub-actions, by name: `hsm-sentinel emulator <action>`. */
  actions?: Readonly<Record<string, CommandSpec>>;
}

/** The flags every command and action takes. */
export const COMMON_OPTIONS: OptionSpecs = {
  json: {
    type: 'boolean',
    default: false,
    help: 'print one JSON document on stdout (and nothing else there)',
  },
  help: { type: 'boolean', default: false, help: 'print this help' },
  version: { type: 'boolean', default: false, help: 'print the version of hsm-sentinel' },
};

export function allOptions(spec: CommandSpec): OptionSpecs {
  return { ...(spec.options ?? {}), ...COMMON_OPTIONS };
}

/** Parses argv against the spec; every mistake is one UsageError line. */
export function parseCommandArgs(spec: CommandSpec, argv: readonly string[]): ParsedArgs {
  const options: Record<string, { type: 'string' | 'boolean'; default?: string | boolean }> = {};
  for (const [name, option] of Object.entries(allOptions(spec))) {
    options[name] = {
      type: option.type,
      ...(option.default !== undefined ? { default: option.default } : {}),
    };
  }
  let parsed: ReturnType<typeof parseArgs>;
  try {
    parsed = parseArgs({ args: [...argv], options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(
      `${(error as Error).message.replace(/\s+/g, ' ').trim()} (see hsm-sentinel ${spec.name} --help)`,
    );
  }
  const { values, positionals } = parsed;
  if (!values.help && !values.version) {
    const allowed = spec.positionals?.length ?? 0;
    if (positionals.length > allowed) {
      const extra = positionals[allowed] ?? '';
      throw new UsageError(
        allowed === 0
          ? `unexpected argument '${extra}' (see hsm-sentinel ${spec.name} --help)`
          : `expected ${spec.positionals?.map((p) => p.name).join(' ')}, got also '${extra}'`,
      );
    }
  }
  return { values: values as ParsedArgs['values'], positionals };
}

/** A string flag's value (undefined when not given and without default). */
export function stringOf(args: ParsedArgs, name: string): string | undefined {
  const value = args.values[name];
  return typeof value === 'string' ? value : undefined;
}

export function flagOf(args: ParsedArgs, name: string): boolean {
  return args.values[name] === true;
}

/** A whole number flag, with the flag named in the usage error. */
export function countOf(args: ParsedArgs, name: string, min = 0): number | undefined {
  const text = stringOf(args, name);
  if (text === undefined) return undefined;
  if (!/^\d+$/.test(text) || Number(text) < min)
    throw new UsageError(`--${name} takes a whole number of ${min} or more, not '${text}'`);
  return Number(text);
}

/** The --help text of a command or action. */
export async function helpText(spec: CommandSpec): Promise<string> {
  const out: string[] = [];
  out.push(`hsm-sentinel ${spec.name}: ${spec.summary}`, '', 'usage:');
  for (const line of spec.usage) out.push(`  hsm-sentinel ${line}`);
  if (spec.description?.length) out.push('', ...spec.description);
  if (spec.actions) {
    out.push('', 'actions:');
    const width = Math.max(...Object.keys(spec.actions).map((a) => a.length));
    for (const [name, action] of Object.entries(spec.actions))
      out.push(`  ${name.padEnd(width)}  ${action.summary}`);
    out.push('', `hsm-sentinel ${spec.name} <action> --help for the flags of each`);
  }
  if (spec.positionals?.length) {
    out.push('', 'arguments:');
    for (const p of spec.positionals) out.push(`  ${p.name}  ${p.help}`);
  }
  out.push('', 'flags:');
  const flags = Object.entries(allOptions(spec)).map(([name, o]) => {
    const head = `--${name}${o.type === 'string' ? ` ${o.value ?? 'VALUE'}` : ''}`;
    const shown =
      o.defaultText ?? (o.type === 'string' && typeof o.default === 'string' ? o.default : undefined);
    return { head, text: `${o.help}${shown !== undefined ? ` (default: ${shown})` : ''}` };
  });
  const width = Math.max(...flags.map((f) => f.head.length));
  for (const f of flags) out.push(`  ${f.head.padEnd(width)}  ${f.text}`);
  if (spec.environment && Object.keys(spec.environment).length > 0) {
    out.push('', 'environment:');
    const w = Math.max(...Object.keys(spec.environment).map((v) => v.length));
    for (const [name, meaning] of Object.entries(spec.environment))
      out.push(`  ${name.padEnd(w)}  ${meaning}`);
  }
  if (spec.details) {
    const more = await spec.details();
    if (more.length > 0) out.push('', ...more);
  }
  out.push('', 'exit codes:');
  for (const [code, meaning] of Object.entries(spec.exitCodes))
    out.push(`  ${code}  ${meaning ?? EXIT_MEANINGS[Number(code) as ExitCode]}`);
  return `${out.join('\n')}\n`;
}

/** --help --json: the same facts as data. */
export async function helpJson(spec: CommandSpec): Promise<unknown> {
  return {
    command: spec.name,
    summary: spec.summary,
    usage: spec.usage.map((u) => `hsm-sentinel ${u}`),
    options: Object.fromEntries(
      Object.entries(allOptions(spec)).map(([name, o]) => [
        `--${name}`,
        { type: o.type, help: o.help, default: o.defaultText ?? o.default ?? null },
      ]),
    ),
    actions: spec.actions ? Object.keys(spec.actions) : [],
    environment: spec.environment ?? {},
    exitCodes: spec.exitCodes,
    details: spec.details ? await spec.details() : [],
  };
}
