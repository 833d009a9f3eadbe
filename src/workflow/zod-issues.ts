/**
 * zod issues as one line, the same everywhere a schema checks outside input (Lambda and
 * Azure inputs, triggers, cluster files): `policy.dryRun: expected boolean; clusterId: …`.
 */
import type { z } from 'zod';
import { InvalidInputError } from '#core/errors.ts';

export function describeIssues(error: z.ZodError, at: readonly string[] = []): string {
  return error.issues
    .map((issue) => {
      const path = [...at, ...issue.path.map(String)].filter((p) => p !== '').join('.');
      return `${path || '(top level)'}: ${issue.message}`;
    })
    .join('; ');
}

/**
 * `value` checked against `schema`; otherwise an InvalidInputError `<what>: <issues><suffix>`,
 * the paths prefixed with `at` (where `value` sits in the input).
 */
export function validated<T>(
  schema: z.ZodType<T>,
  value: unknown,
  what: string,
  options: { suffix?: string; at?: readonly string[] } = {},
): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  throw new InvalidInputError(`${what}: ${describeIssues(result.error, options.at)}${options.suffix ?? ''}`);
}
