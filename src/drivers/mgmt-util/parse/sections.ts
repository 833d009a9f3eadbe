/**
 * Cluster-mode replies are a list of per-server sections (`Users on server N(addr):`,
 * `Keys on server N(addr):`, `Key Info on server N(addr):`). This module splits a reply into
 * sections and parses each one on its own, so a section that is cut or malformed is an
 * error for that server only and never hides the other servers' data.
 *
 * Also recognised between sections, as a per-server failure (returned, not thrown):
 * `Server N(addr) is not connected` and `<command> failed: <TEXT> on server N(addr)`.
 * The same lines inside server N's own section make the section a failure (they must be
 * its last non-blank line).
 *
 * Every outcome carries the server reference as the util printed it (`server 0(10.0.2.9)`)
 * and its line, so a caller that knows which server is which (the driver writes the config)
 * can refuse a section that names another server or another address (`checkSection`).
 */
import { ParseError } from '#core/errors.ts';
import { escapeForText } from '#core/printable.ts';
import type { DialectProfile } from '../dialect.ts';
import type { Line, PrintedServerRef, ServerRef } from './lines.ts';
import {
  cutLineError,
  isIgnorable,
  matchFailureLine,
  matchNotConnected,
  matchRefLine,
  splitLines,
  unknownLine,
} from './lines.ts';

/** A server the util reported as failed for this command (contract shape). */
export interface ServerFailure {
  server: number;
  address: string | null;
  /** The util's line, verbatim (trimmed), or `not connected`. */
  error: string;
}

/** What every outcome says about where it came from. */
export interface SectionOrigin {
  server: number;
  address: string | null;
  /** The server reference as the util printed it: `server 0(10.0.2.9)`, `Server 1(10.0.2.6)` */
  printed: string;
  /** The reply line it was read from (the section header, or the failure line). */
  line: number;
  /** The command whose reply it is. */
  command: string;
}

/** What one section gave: data, a failure the util reported, or output we could not parse. */
export type SectionOutcome<T> =
  | (SectionOrigin & { kind: 'ok'; value: T })
  | (SectionOrigin & { kind: 'failure'; failure: ServerFailure })
  | (SectionOrigin & { kind: 'parse-error'; error: ParseError });

export interface Section {
  ref: PrintedServerRef;
  /** The section header; null for a standalone failure line. */
  header: Line | null;
  body: Line[];
  /** Line number right after the section: where a section that is cut short "ends". */
  endNo: number;
}

export interface SectionSpec {
  command: string;
  /** What the header says before `server N(addr):`, e.g. `Users on `. */
  headerPrefix: string;
  /** Human text for "expected …" messages. */
  headerText: string;
}

/** The spec of a section family: `Users on server N(addr):` for `listUsers`. */
export function sectionSpec(command: string, headerPrefix: string): SectionSpec {
  return { command, headerPrefix, headerText: `'${headerPrefix}server N(addr):'` };
}

/**
 * A command's per-server reading (the driver's: a malformed section is a parse error for
 * that server only) over its section body parser.
 */
export function sectionParser<T>(
  spec: SectionSpec,
  parseBody: (section: Section, profile: DialectProfile) => T,
): (text: string, profile: DialectProfile) => SectionOutcome<T>[] {
  return (text, profile) => parseSections(text, profile, spec, (section) => parseBody(section, profile));
}

/** The outcome of a section turned into a parse error for its server (same place, same server). */
function asParseError<T>(outcome: SectionOutcome<T>, error: ParseError): SectionOutcome<T> {
  const { server, address, printed, line, command } = outcome;
  return { server, address, printed, line, command, kind: 'parse-error', error };
}

type FailureMatch = { ref: PrintedServerRef; error: string } | null;

function matchFailure(command: string, line: Line): FailureMatch {
  const nc = matchNotConnected(line.trimmed);
  if (nc) return { ref: nc, error: 'not connected' };
  const f = matchFailureLine(line.trimmed, command);
  if (f) return { ref: f.ref, error: line.trimmed };
  return null;
}

/**
 * Parses every section of a cluster-mode reply with `parseBody`. Throws a ParseError only
 * for lines that belong to no server (before the first section or after a standalone
 * failure line), and for a reply over the size bounds; everything else becomes a per-server
 * outcome, in reply order.
 */
export function parseSections<T>(
  text: string,
  profile: DialectProfile,
  spec: SectionSpec,
  parseBody: (section: Section) => T,
): SectionOutcome<T>[] {
  const { lines, cut } = splitLines(spec.command, text);
  const sections: Section[] = [];
  let current: Section | null = null;
  const close = (endNo: number): void => {
    if (current) {
      current.endNo = endNo;
      sections.push(current);
      current = null;
    }
  };
  for (const line of lines) {
    const h = matchRefLine(line.trimmed, spec.headerPrefix, ':');
    if (h) {
      close(line.no);
      current = { ref: h, header: line, body: [], endNo: 0 };
      continue;
    }
    const failure = matchFailure(spec.command, line);
    if (failure && !(current && current.ref.server === failure.ref.server)) {
      close(line.no);
      sections.push({ ref: failure.ref, header: null, body: [line], endNo: line.no + 1 });
      continue;
    }
    if (current) {
      current.body.push(line);
    } else if (!isIgnorable(line, profile)) {
      throw unknownLine(spec.command, line, spec.headerText);
    }
  }
  const endNo = (lines.at(-1)?.no ?? 0) + 1;
  close(endNo);
  if (cut && sections.length === 0) throw cutLineError(spec.command, cut);

  const outcomes = sections.map((section, i): SectionOutcome<T> => {
    const origin = originOf(spec.command, section);
    const { server, address } = origin;
    if (cut && i === sections.length - 1) {
      return { ...origin, kind: 'parse-error', error: cutLineError(spec.command, cut) };
    }
    let failureAt = -1;
    let failure: FailureMatch = null;
    for (let k = 0; k < section.body.length && failure === null; k += 1) {
      failure = matchFailure(spec.command, section.body[k] as Line);
      if (failure) failureAt = k;
    }
    if (failure) {
      const trailing = section.body.slice(failureAt + 1).find((l) => !isIgnorable(l, profile));
      if (trailing) {
        return {
          ...origin,
          kind: 'parse-error',
          error: unknownLine(spec.command, trailing, 'nothing after a failure line'),
        };
      }
      return { ...origin, kind: 'failure', failure: { server, address, error: failure.error } };
    }
    try {
      return { ...origin, kind: 'ok', value: parseBody(section) };
    } catch (error) {
      if (error instanceof ParseError) return { ...origin, kind: 'parse-error', error };
      throw error;
    }
  });
  return markDuplicates(spec.command, outcomes);
}

function originOf(command: string, section: Section): SectionOrigin {
  const { server, address, printed } = section.ref;
  const line = section.header?.no ?? section.body[0]?.no ?? 0;
  return { server, address, printed, line, command };
}

/** A server that has two sections in one reply: both are replaced by one parse error. */
function markDuplicates<T>(command: string, outcomes: SectionOutcome<T>[]): SectionOutcome<T>[] {
  const seen = new Map<number, number>();
  const result: SectionOutcome<T>[] = [];
  for (const outcome of outcomes) {
    const first = seen.get(outcome.server);
    if (first === undefined) {
      seen.set(outcome.server, result.length);
      result.push(outcome);
      continue;
    }
    result[first] = asParseError(
      result[first] as SectionOutcome<T>,
      new ParseError(command, outcome.line, `server ${outcome.server} appears twice in one reply`),
    );
  }
  return result;
}

/** The strict reading: per-server failures stay in the result, the first parse error is thrown. */
export function strictOutcomes<T>(outcomes: readonly SectionOutcome<T>[]): Array<T | ServerFailure> {
  return outcomes.map((o) => {
    if (o.kind === 'parse-error') throw o.error;
    return o.kind === 'ok' ? o.value : o.failure;
  });
}

/** Iterates the non-ignorable lines of a section body. */
export function dataLines(section: Section, profile: DialectProfile): Line[] {
  return section.body.filter((l) => !isIgnorable(l, profile));
}

/**
 * The `Number of … found` line that opens a listing section: its count. A section that ends
 * before it was cut short; any other first line is not the documented grammar.
 */
export function leadingCount(
  command: string,
  section: Section,
  lines: readonly Line[],
  pattern: RegExp,
  shape: string,
): number {
  const countLine = lines[0];
  if (!countLine) {
    throw new ParseError(command, section.endNo, `section ends before ${shape} (reply cut short?)`);
  }
  const match = pattern.exec(countLine.trimmed);
  if (!match) throw unknownLine(command, countLine, shape);
  return Number(match[1]);
}

/** The server of the config written for the run, as the driver knows it. */
export interface ConfiguredServer {
  /** Position in the config (`server N`). */
  server: number;
  /** The `hostname` written for it. */
  address: string;
}

/**
 * Why `ref` is not `expected`, or null when it may be: the server numbers must be equal, and
 * an address, when the util printed one, must be the configured one (compared without case,
 * as host names are). A reference without an address (the Azure runbook's `on server 0`) is
 * checked by its number only.
 */
export function serverMismatch(ref: ServerRef, expected: ConfiguredServer): string | null {
  if (ref.server !== expected.server) {
    return `names server ${ref.server}, not server ${expected.server}`;
  }
  if (ref.address !== null && ref.address.toLowerCase() !== expected.address.toLowerCase()) {
    return `names address ${escapeForText(ref.address)}, but server ${expected.server} of the config written for this run is ${escapeForText(expected.address)}`;
  }
  return null;
}

/**
 * The driver's check of one section against the config it wrote: `outcome` unchanged when
 * its server number and printed address are those of `expected`, otherwise a parse-error
 * outcome naming both (so Verify never blames the wrong node for another server's data).
 *
 * @example
 * const o = parseListUsersSections(reply, profile).find((x) => x.server === i);
 * const checked = o && checkSection(o, { server: i, address: nodes[i].address });
 */
export function checkSection<T>(outcome: SectionOutcome<T>, expected: ConfiguredServer): SectionOutcome<T> {
  const problem = serverMismatch(outcome, expected);
  if (problem === null) return outcome;
  return asParseError(
    outcome,
    new ParseError(
      outcome.command,
      outcome.line,
      `the section of ${escapeForText(outcome.printed)} ${problem}`,
    ),
  );
}
