/**
 * Typed readers for the JSON of a `cloudhsm-cli` reply. Every reader names the JSON path it
 * reads (`data.users[2].locked`), and every failure is a ParseError naming the command, so a
 * reply that does not follow the documented grammar is never read as a shorter list.
 *
 * Text that the product prints into reports and terminals (usernames, labels, the tool's own
 * messages) is refused when it holds a character that is not printable text: C0/C1 controls
 * (ESC, NUL, DEL…), format characters (bidi overrides and isolates, zero-width characters, BOM),
 * lone surrogates, private-use and unassigned code points, line/paragraph separators, and
 * U+FFFD (what invalid UTF-8 decodes to).
 */
import { ParseError } from '#core/errors.ts';

/** What a reply may never carry in a name, label or message. */
const UNSAFE_CHAR = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\uFFFD]/u;
const UNSAFE_CHAR_GLOBAL = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\uFFFD]/gu;

/**
 * Usernames: SDK 5 documents at most 31 characters, `_` as the only special character,
 * case-insensitive, displayed lowercase; AWS's own examples also print `-`
 * (`example-inconsistent-user`, `crypto-user-1`), and users migrated from SDK 3 may carry `.`
 * or `@`. Upper case is accepted as printed (the product compares names case-insensitively).
 */
export const USERNAME_PATTERN = /^[A-Za-z0-9_.@-]{1,31}$/;
/** No documented limit; 4,096 is above any real label and keeps one report line printable. */
export const MAX_LABEL_LENGTH = 4096;
/** Longest tool message kept in an error (the rest is cut, marked with `…`). */
export const MAX_MESSAGE_LENGTH = 500;

/** True when the text holds a character a report or terminal must not receive. */
export function hasUnsafeChar(text: string): boolean {
  return UNSAFE_CHAR.test(text);
}

/**
 * Text safe to put in a one-line message: JSON-quoted, every unsafe character escaped as
 * `\u{…}`, cut after `max` characters.
 */
export function printable(text: string, max = 80): string {
  const cut = text.length > max ? `${text.slice(0, max)}…` : text;
  return JSON.stringify(cut).replace(
    UNSAFE_CHAR_GLOBAL,
    (c) => `\\u{${(c.codePointAt(0) ?? 0).toString(16)}}`,
  );
}

/** A short, safe description of any JSON value, for "got …" in messages. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (typeof value === 'string') return `the string ${printable(value, 40)}`;
  if (typeof value === 'object') return 'an object';
  return `${typeof value} ${String(value)}`;
}

/** The ParseError for a value at a JSON path (line 0: the problem is in the JSON, not a line). */
export function invalidAt(command: string, path: string, message: string): ParseError {
  return new ParseError(command, 0, `${path}: ${message}`);
}

export type JsonRecord = Record<string, unknown>;

export function asRecord(command: string, value: unknown, path: string): JsonRecord {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidAt(command, path, `expected an object, got ${describe(value)}`);
  }
  return value as JsonRecord;
}

/** A field that must be present. */
export function member(command: string, record: JsonRecord, key: string, path: string): unknown {
  if (!Object.hasOwn(record, key)) throw invalidAt(command, `${path}.${key}`, 'missing');
  return record[key];
}

export function readArray(
  command: string,
  record: JsonRecord,
  key: string,
  path: string,
  maxItems: number,
): unknown[] {
  const value = member(command, record, key, path);
  if (!Array.isArray(value)) {
    throw invalidAt(command, `${path}.${key}`, `expected an array, got ${describe(value)}`);
  }
  if (value.length > maxItems) {
    throw invalidAt(command, `${path}.${key}`, `${value.length} entries, more than the ${maxItems} allowed`);
  }
  return value;
}

/** A count: a non-negative safe integer. */
export function readCount(command: string, record: JsonRecord, key: string, path: string): number {
  const value = member(command, record, key, path);
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidAt(command, `${path}.${key}`, `expected a non-negative integer, got ${describe(value)}`);
  }
  return value;
}

export interface StringRule {
  /** Longest accepted value. */
  max: number;
  /** When given, the whole value must match. */
  pattern?: RegExp;
  /** What the pattern means, for the message. */
  expected?: string;
}

/** A string of printable text (see the module comment), within the rule. */
export function checkString(command: string, value: unknown, path: string, rule: StringRule): string {
  if (typeof value !== 'string') throw invalidAt(command, path, `expected a string, got ${describe(value)}`);
  if (value.length > rule.max) {
    throw invalidAt(command, path, `${value.length} characters, more than the ${rule.max} allowed`);
  }
  if (hasUnsafeChar(value)) {
    throw invalidAt(command, path, `${printable(value)} holds a control or non-printable character`);
  }
  if (rule.pattern !== undefined && !rule.pattern.test(value)) {
    throw invalidAt(command, path, `${printable(value)} is not ${rule.expected ?? 'in the expected form'}`);
  }
  return value;
}

export function readString(
  command: string,
  record: JsonRecord,
  key: string,
  path: string,
  rule: StringRule,
): string {
  return checkString(command, member(command, record, key, path), `${path}.${key}`, rule);
}

/** A string that must be one of the documented values. */
export function readEnum<T extends string>(
  command: string,
  record: JsonRecord,
  key: string,
  path: string,
  values: readonly T[],
): T {
  const value = member(command, record, key, path);
  if (typeof value !== 'string' || !(values as readonly string[]).includes(value)) {
    throw invalidAt(
      command,
      `${path}.${key}`,
      `expected ${values.map((v) => JSON.stringify(v)).join(' or ')}, got ${describe(value)}`,
    );
  }
  return value as T;
}

export function readUsername(command: string, record: JsonRecord, key: string, path: string): string {
  return readString(command, record, key, path, {
    max: 31,
    pattern: USERNAME_PATTERN,
    expected: 'a username (1-31 of A-Z a-z 0-9 _ . @ -)',
  });
}

/** A short identifier-like token (roles, strategies, key classes and types). */
export const TOKEN_RULE: StringRule = {
  max: 64,
  pattern: /^[A-Za-z0-9][A-Za-z0-9_()-]*$/,
  expected: 'a token of letters, digits, _ - ( )',
};

/** The reply's `role` for login / user create: the two documented values. */
export const SDK5_ROLES = ['admin', 'crypto-user'] as const;
export type Sdk5Role = (typeof SDK5_ROLES)[number];

/** `{"username": …, "role": …}`: the data of `login`, `user create`, `user change-password`. */
export function readUserAndRole(command: string, data: JsonRecord): { username: string; role: Sdk5Role } {
  return {
    username: readUsername(command, data, 'username', 'data'),
    role: readEnum(command, data, 'role', 'data', SDK5_ROLES),
  };
}
