/**
 * zod issues as one line, the same everywhere a schema checks outside input (Lambda and
 * Azure inputs, triggers, cluster files): `policy.dryRun: expected boolean; clusterId: …`.
 */
import type { z } from 'zod';
import { InvalidInputError } from '#core/errors.ts';
import { escapeForText } from '#core/printable.ts';

/**
 * An issue quotes what it refuses (an unknown key, a path through crafted input), which may be
 * anything: each is escaped (one line, nothing raw) and cut to this length.
 */
const ISSUE_MAX_CHARS = 300;
/** All the issues together: a crafted input may carry thousands. */
const ISSUES_MAX_CHARS = 1500;

function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}

/** A value from outside input, as an error or a log line quotes it: escaped, one line, cut to `max`. */
export function quotedInput(value: unknown, max = 200): string {
  return clip(escapeForText(String(value)), max);
}

export function describeIssues(error: z.ZodError, at: readonly string[] = []): string {
  const issues = error.issues.map((issue) => {
    const path = [...at, ...issue.path.map(String)].filter((p) => p !== '').join('.');
    return clip(escapeForText(`${path || '(top level)'}: ${issue.message}`), ISSUE_MAX_CHARS);
  });
  const text = issues.join('; ');
  return text.length <= ISSUES_MAX_CHARS
    ? text
    : `${text.slice(0, ISSUES_MAX_CHARS)}… (${issues.length} issues in all)`;
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
