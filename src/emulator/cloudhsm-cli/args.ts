/**
 * The emulated `cloudhsm-cli` command line (single-command mode):
 * ```
 * cloudhsm-cli [--config <path>] [--cluster-id <id>] <words…> [--option [value…]]…
 * ```
 * `--config` / `--cluster-id` may appear anywhere (global options). Options follow the command
 * words, as `--name value` or `--name=value`; `--filter` takes every following token up to the
 * next option (the documented "space separated list"); `-v` is `--verbose`. Text that could
 * be a secret (option values, unknown words) is never repeated in an error.
 */

/** How an option takes its value. */
export type OptionKind = 'flag' | 'value' | 'values';

/** The commands the emulator implements and their options. */
export const COMMAND_OPTIONS: Readonly<Record<string, Readonly<Record<string, OptionKind>>>> = {
  'user list': {},
  'user create': { username: 'value', role: 'value', password: 'value', approval: 'value' },
  login: { username: 'value', role: 'value', password: 'value' },
  'key list': { filter: 'values', 'max-items': 'value', 'starting-token': 'value', verbose: 'flag' },
  'cluster hsm-info': {},
};

const SHORT: Readonly<Record<string, string>> = { '-v': '--verbose', '-h': '--help' };
const GLOBAL = new Set(['config', 'cluster-id']);
const SAFE_WORD = /^[a-z][a-z0-9-]{0,31}$/;

export interface CliArgs {
  configPath: string | null;
  clusterId: string | null;
  /** The command words as typed (`['key', 'list']`). */
  words: string[];
  /** The implemented command, or null (then `words` say what was asked). */
  command: string | null;
  options: Map<string, string | string[] | true>;
}

/** A command line the emulator refuses; the message never quotes a value. */
export class CliUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CliUsageError';
  }
}

/** `words` for a message: as typed when they look like command words, else a placeholder. */
export function describeWords(words: readonly string[]): string {
  return words.length > 0 && words.every((w) => SAFE_WORD.test(w)) ? words.join(' ') : 'the given command';
}

function optionName(token: string): string | null {
  const long = SHORT[token] ?? token;
  if (!long.startsWith('--') || long.length < 3) return null;
  const name = long.slice(2).split('=')[0] as string;
  return name;
}

/** Reads argv (without the program). Throws CliUsageError. */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const rest: string[] = [];
  let configPath: string | null = null;
  let clusterId: string | null = null;
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i] as string;
    const name = optionName(token);
    if (name !== null && GLOBAL.has(name)) {
      const inline = token.includes('=') ? token.slice(token.indexOf('=') + 1) : undefined;
      const value = inline ?? argv[++i];
      if (value === undefined || value === '') throw new CliUsageError(`--${name} needs a value`);
      if (name === 'config') configPath = value;
      else clusterId = value;
    } else {
      rest.push(token);
    }
  }
  const firstOption = rest.findIndex((t) => t.startsWith('-'));
  const words = firstOption < 0 ? rest : rest.slice(0, firstOption);
  const tokens = firstOption < 0 ? [] : rest.slice(firstOption);
  const joined = words.join(' ');
  const command = Object.hasOwn(COMMAND_OPTIONS, joined) ? joined : null;
  const options = new Map<string, string | string[] | true>();
  if (command === null) return { configPath, clusterId, words, command, options };

  const spec = COMMAND_OPTIONS[command] as Readonly<Record<string, OptionKind>>;
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i] as string;
    const name = optionName(token);
    if (name === null) throw new CliUsageError(`'${command}' takes no further words`);
    if (name === 'help') throw new CliUsageError(`help is not implemented by the emulated cloudhsm-cli`);
    const kind = spec[name];
    if (kind === undefined) {
      throw new CliUsageError(
        SAFE_WORD.test(name) ? `'${command}' has no option --${name}` : `'${command}' got an unknown option`,
      );
    }
    if (options.has(name)) throw new CliUsageError(`--${name} is given twice`);
    const inline = token.includes('=') ? token.slice(token.indexOf('=') + 1) : undefined;
    if (kind === 'flag') {
      if (inline !== undefined) throw new CliUsageError(`--${name} takes no value`);
      options.set(name, true);
    } else if (kind === 'value') {
      const value = inline ?? tokens[++i];
      if (value === undefined) throw new CliUsageError(`--${name} needs a value`);
      options.set(name, value);
    } else {
      const values = inline === undefined ? [] : [inline];
      while (i + 1 < tokens.length && !(tokens[i + 1] as string).startsWith('-'))
        values.push(tokens[++i] as string);
      if (values.length === 0) throw new CliUsageError(`--${name} needs at least one value`);
      options.set(name, values);
    }
  }
  return { configPath, clusterId, words, command, options };
}

/** A single-valued option, or undefined. */
export function optionValue(args: CliArgs, name: string): string | undefined {
  const value = args.options.get(name);
  return typeof value === 'string' ? value : undefined;
}
