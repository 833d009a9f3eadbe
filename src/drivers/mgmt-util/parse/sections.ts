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
 */
import { ParseError } from '#core/errors.ts';
import type { DialectProfile } from '../dialect.ts';
import type { Line, ServerRef } from './lines.ts';
import {
  cutLineError,
  failureLine,
  isIgnorable,
  NOT_CONNECTED,
  serverRef,
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

/** What one section gave: data, a failure the util reported, or output we could not parse. */
export type SectionOutcome<T> =
  | { kind: 'ok'; server: number; address: string | null; value: T }
  | { kind: 'failure'; server: number; address: string | null; failure: ServerFailure }
  | { kind: 'parse-error'; server: number; address: string | null; error: ParseError };

export interface Section {
  ref: ServerRef;
  /** The section header; null for a standalone failure line. */
  header: Line | null;
  body: Line[];
  /** Line number right after the section: where a section that is cut short "ends". */
  endNo: number;
}

export interface SectionSpec {
  command: string;
  /** Header regex; groups 1 and 2 are the server number and the optional address. */
  header: RegExp;
  /** Human text for "expected …" messages. */
  headerText: string;
}

type FailureMatch = { ref: ServerRef; error: string } | null;

function matchFailure(command: string, text: string): FailureMatch {
  const nc = NOT_CONNECTED.exec(text);
  if (nc) return { ref: serverRef(nc[1], nc[2]), error: 'not connected' };
  const f = failureLine(command).exec(text);
  if (f) return { ref: serverRef(f[2], f[3]), error: text.trim() };
  return null;
}

/**
 * Parses every section of a cluster-mode reply with `parseBody`. Throws a ParseError only
 * for lines that belong to no server (before the first section or after a standalone
 * failure line); everything else becomes a per-server outcome, in reply order.
 */
export function parseSections<T>(
  text: string,
  profile: DialectProfile,
  spec: SectionSpec,
  parseBody: (section: Section) => T,
): SectionOutcome<T>[] {
  const { lines, cut } = splitLines(text);
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
    const h = spec.header.exec(line.text);
    if (h) {
      close(line.no);
      current = { ref: serverRef(h[1], h[2]), header: line, body: [], endNo: 0 };
      continue;
    }
    const failure = matchFailure(spec.command, line.text);
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
    const { server, address } = section.ref;
    if (cut && i === sections.length - 1) {
      return { kind: 'parse-error', server, address, error: cutLineError(spec.command, cut) };
    }
    const failureAt = section.body.findIndex((l) => matchFailure(spec.command, l.text) !== null);
    if (failureAt >= 0) {
      const failureLineObj = section.body[failureAt] as Line;
      const trailing = section.body.slice(failureAt + 1).find((l) => !isIgnorable(l, profile));
      if (trailing) {
        return {
          kind: 'parse-error',
          server,
          address,
          error: unknownLine(spec.command, trailing, 'nothing after a failure line'),
        };
      }
      const f = matchFailure(spec.command, failureLineObj.text) as NonNullable<FailureMatch>;
      return { kind: 'failure', server, address, failure: { server, address, error: f.error } };
    }
    try {
      return { kind: 'ok', server, address, value: parseBody(section) };
    } catch (error) {
      if (error instanceof ParseError) return { kind: 'parse-error', server, address, error };
      throw error;
    }
  });
  return markDuplicates(spec.command, outcomes, sections);
}

/** A server that has two sections in one reply: both are replaced by one parse error. */
function markDuplicates<T>(
  command: string,
  outcomes: SectionOutcome<T>[],
  sections: Section[],
): SectionOutcome<T>[] {
  const seen = new Map<number, number>();
  const result: SectionOutcome<T>[] = [];
  outcomes.forEach((outcome, i) => {
    const first = seen.get(outcome.server);
    if (first === undefined) {
      seen.set(outcome.server, result.length);
      result.push(outcome);
      return;
    }
    const line = sections[i]?.header ?? sections[i]?.body[0];
    result[first] = {
      kind: 'parse-error',
      server: outcome.server,
      address: outcome.address,
      error: new ParseError(command, line?.no ?? 0, `server ${outcome.server} appears twice in one reply`),
    };
  });
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
  const match = pattern.exec(countLine.text);
  if (!match) throw unknownLine(command, countLine, shape);
  return Number(match[1]);
}
