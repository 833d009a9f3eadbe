/**
 * The story a demo cluster must tell, and whether its run told it. The demo's exit code is
 * this check, not the run's outcome: the seed stories end with an object left for a human
 * (outcome `attention`) on purpose, and a demo that shows exactly that works as it should.
 */
import type { RunOutcome, RunReport } from '#core/report.ts';

export interface DemoStory {
  /** The outcome the run ends with. */
  outcome: RunOutcome;
  /** Objects (ids) found not consistent, copied, and verified on every node. */
  repaired?: readonly string[];
  /** Objects (ids) the run must leave untouched for a human (in the plan's skipped list). */
  leftForHuman?: readonly string[];
}

/** What differs from the story (empty: told). Without a story, the run must have completed. */
export function storyDifferences(report: RunReport, story: DemoStory | undefined): string[] {
  const outcome = report.outcome ?? 'failed';
  if (!story)
    return outcome === 'failed' ? [`the run failed (${report.failure?.errorName ?? 'no report'})`] : [];
  const differences: string[] = [];
  if (outcome !== story.outcome) differences.push(`outcome ${outcome}, expected ${story.outcome}`);
  const after = new Map((report.after ?? report.before)?.objects.map((f) => [f.objectId, f]) ?? []);
  const found = new Set(
    report.before?.objects.filter((f) => f.status !== 'consistent').map((f) => f.objectId),
  );
  const synced = new Set(report.results.filter((r) => r.outcome === 'synced').map((r) => r.action.objectId));
  for (const id of story.repaired ?? []) {
    if (!found.has(id)) differences.push(`${id} was not found out of place`);
    else if (!synced.has(id)) differences.push(`${id} was not copied`);
    else if (after.get(id)?.status !== 'consistent')
      differences.push(`${id} is not consistent after the run`);
  }
  const skipped = new Set(report.plan?.skipped.map((s) => s.objectId));
  const touched = new Set(report.results.map((r) => r.action.objectId));
  for (const id of story.leftForHuman ?? []) {
    if (!skipped.has(id)) differences.push(`${id} was not left for a human`);
    if (touched.has(id)) differences.push(`${id} was written to, and must not be`);
  }
  return differences;
}
