/**
 * The trailer lunacm prints after a command.
 *
 * Documented: `Command Result : No Error` (lunacm 7 and later, e.g. the Luna 6.0 autorecovery
 * page), `Command Result : 0 (Success)` (older clients and lunash).
 * UNCONFIRMED (no public example): the failure form. We accept
 * `Command Result : <code> (<NAME>)` and `Command Result : <code>`, where code is hex
 * (`0x…` or bare hex digits) or decimal and NAME is a return-code name such as
 * `CKR_PIN_INCORRECT` or `LUNA_RET_…`. Any other text after `Command Result :` is a ParseError.
 */
import { ParseError } from '#core/errors.ts';
import type { Line } from './lines.ts';
import { quote, splitField, tokens } from './lines.ts';

export type CommandResult =
  | { ok: true; text: string }
  | {
      ok: false;
      /** The code as printed (`0x000000a0`, `160`). */
      code: string;
      /** The return-code name in parentheses, or null when none was printed. */
      name: string | null;
      text: string;
    };

function isHexOrDecimal(text: string): boolean {
  const digits = text.startsWith('0x') || text.startsWith('0X') ? text.slice(2) : text;
  if (digits.length === 0 || digits.length > 16) return false;
  for (let i = 0; i < digits.length; i += 1) {
    const c = digits.charCodeAt(i) | 0x20;
    if (!((c >= 0x30 && c <= 0x39) || (c >= 0x61 && c <= 0x66))) return false;
  }
  return true;
}

function isReturnName(text: string): boolean {
  if (text.length === 0 || text.length > 80) return false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    const ok = (c >= 0x41 && c <= 0x5a) || (c >= 0x30 && c <= 0x39) || c === 0x5f;
    if (!ok) return false;
  }
  return true;
}

/** True when the line is a `Command Result :` trailer (well-formed or not). */
export function isCommandResultLine(line: Line): boolean {
  return splitField(line.text, ':')?.key === 'Command Result';
}

/** Reads a trailer line; throws ParseError when its value is not one of the forms above. */
export function parseCommandResult(command: string, line: Line): CommandResult {
  const field = splitField(line.text, ':');
  if (field?.key !== 'Command Result') {
    throw new ParseError(command, line.no, `expected 'Command Result : …', got ${quote(line.text)}`);
  }
  const text = field.value;
  if (text === 'No Error' || text === '0 (Success)') return { ok: true, text };
  const t = tokens(text);
  const code = t[0]?.text ?? '';
  const rest = t.length === 2 ? (t[1]?.text ?? '') : '';
  if (t.length === 1 && isHexOrDecimal(code)) return { ok: false, code, name: null, text };
  if (
    t.length === 2 &&
    isHexOrDecimal(code) &&
    rest.startsWith('(') &&
    rest.endsWith(')') &&
    isReturnName(rest.slice(1, -1))
  ) {
    return { ok: false, code, name: rest.slice(1, -1), text };
  }
  throw new ParseError(command, line.no, `unrecognised command result ${quote(text)}`);
}
