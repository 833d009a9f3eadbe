/**
 * Typed readers of a deployment's settings (a Lambda environment, Azure app settings, the
 * CLI's environment): read once at start, each throwing a ConfigurationError that names the
 * setting and what it should hold. One module for every adapter (Powertools' envUtils).
 */
import { ConfigurationError } from '#core/errors.ts';

export type Env = Readonly<Record<string, string | undefined>>;

export interface SettingsReader {
  readonly env: Env;
  /** The trimmed value, or a ConfigurationError saying what it must hold. */
  required(name: string, meaning: string): string;
  /** The trimmed value, or null when unset or blank. */
  optional(name: string): string | null;
  boolean(name: string, fallback: boolean): boolean;
  number(name: string, fallback: number, range: { min?: number; max?: number; integer?: boolean }): number;
  /** One of `allowed`, or `fallback` when unset. */
  oneOf<T extends string>(name: string, allowed: readonly T[], fallback: T): T;
  /** A list separated by commas, semicolons or white space. */
  list(name: string, meaning: string): string[];
}

/** `what` names settings in messages: `environment variable` (Lambda, CLI) or `app setting` (Azure). */
export function settingsReader(env: Env, what: 'environment variable' | 'app setting'): SettingsReader {
  const optional = (name: string): string | null => {
    const value = env[name]?.trim();
    return value ? value : null;
  };
  const bad = (name: string, value: string, expected: string) =>
    new ConfigurationError(`${what} ${name} is '${value}': expected ${expected}`);
  return {
    env,
    required(name, meaning) {
      const value = optional(name);
      if (value === null) throw new ConfigurationError(`${what} ${name} is not set: it must hold ${meaning}`);
      return value;
    },
    optional,
    boolean(name, fallback) {
      const value = optional(name);
      if (value === null) return fallback;
      if (value === 'true' || value === 'false') return value === 'true';
      throw bad(name, value, 'true or false');
    },
    number(name, fallback, range) {
      const value = optional(name);
      if (value === null) return fallback;
      const n = Number(value);
      const min = range.min ?? Number.NEGATIVE_INFINITY;
      const max = range.max ?? Number.POSITIVE_INFINITY;
      if (!Number.isFinite(n) || n < min || n > max || (range.integer && !Number.isInteger(n))) {
        const bounds = [
          range.min === undefined ? '' : `>= ${range.min}`,
          range.max === undefined ? '' : `<= ${range.max}`,
        ]
          .filter(Boolean)
          .join(' and ');
        throw bad(
          name,
          value,
          `${range.integer ? 'a whole number' : 'a number'}${bounds ? ` ${bounds}` : ''}`,
        );
      }
      return n;
    },
    oneOf(name, allowed, fallback) {
      const value = optional(name);
      if (value === null) return fallback;
      const found = allowed.find((a) => a === value);
      if (found === undefined) throw bad(name, value, allowed.join(' or '));
      return found;
    },
    list(name, meaning) {
      const items = (optional(name) ?? '').split(/[\s,;]+/).filter((part) => part !== '');
      if (items.length === 0)
        throw new ConfigurationError(`${what} ${name} is not set: it must hold ${meaning}`);
      return items;
    },
  };
}
