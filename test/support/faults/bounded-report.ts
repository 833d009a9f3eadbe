/**
 * A fast-check reporter that keeps a failure readable: hostile cases hold megabytes of text, and
 * fast-check's own report prints the whole counterexample. This one prints the seed and path to
 * replay it, and the error and counterexample cut to a few thousand characters.
 */
import type fc from 'fast-check';

const MAX = 3000;

function cut(text: string): string {
  return text.length <= MAX ? text : `${text.slice(0, MAX)}… (${text.length} characters)`;
}

export function boundedReporter<T>(out: fc.RunDetails<T>): void {
  if (!out.failed) return;
  const error = out.errorInstance instanceof Error ? out.errorInstance.message : String(out.errorInstance);
  throw new Error(
    `property failed after ${out.numRuns} run(s) (seed ${out.seed}, path "${out.counterexamplePath}")\n` +
      `${cut(error)}\ncounterexample: ${cut(JSON.stringify(out.counterexample))}`,
  );
}
