import { type ParseArgsConfig, parseArgs } from 'node:util';
import { UsageError } from './io.ts';

/** node:util parseArgs, with its errors turned into usage errors (exit 2, one line). */
export function parseOptions<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}
