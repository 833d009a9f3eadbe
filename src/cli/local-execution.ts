/**
 * One execution of the real state machine definition on this machine (aws-local-stepfunctions),
 * every Task bound to the step the Lambda runs, with progress (progress.ts) as states run.
 */
import { relative } from 'node:path';
import { alertOfReport } from '#core/alert.ts';
import { RunLockedError } from '#core/errors.ts';
import type { ToolId } from '#core/model.ts';
import { PLAIN_TEXT, renderReport, type TextStyle } from '#core/render-report.ts';
import type { RunReport } from '#core/report.ts';
import type { Runbook } from '#core/tool-rules.ts';
import type { RunContext } from '#workflow/contracts.ts';
import type { WorkflowDeps } from '#workflow/deps.ts';
import { type LocalRunResult, runStateMachineLocally } from '#workflow/local-asl-runner.ts';
import type { RunProgress } from './progress.ts';
import { PROJECT_ROOT } from './project-root.ts';
import { onShutdown } from './shutdown.ts';

export interface LocalExecution {
  result: LocalRunResult;
  /** Null only when the run failed before the alert step could write it. */
  report: RunReport | null;
}

export async function executeLocally(
  context: RunContext,
  deps: WorkflowDeps,
  progress: RunProgress,
  retryIntervalMs = 0,
  /** Every Wait state's time instead of the definition's (the demo shortens it); default: the definition's. */
  waitTimeMs?: number,
): Promise<LocalExecution> {
  // The deployed trigger takes the cluster's lock before StartExecution; a local run here.
  const lock = deps.runLock;
  if (lock) {
    const taken = await lock.acquire(context.clusterId, context.runId, new Date());
    if (!taken.acquired) {
      throw new RunLockedError(
        `another run of ${context.clusterId} holds its run lock (${taken.heldBy}${taken.acquiredAt ? `, since ${taken.acquiredAt}` : ''}): wait for it to finish; nothing was started`,
      );
    }
  }
  // Ctrl-C ends the process before the finally below: the lock goes with the other undoings.
  const forgetLock = lock ? onShutdown(() => lock.release(context.clusterId, context.runId)) : () => {};
  let result: LocalRunResult;
  try {
    result = await runStateMachineLocally({
      input: { context },
      deps,
      onState: (e) => progress.state(e),
      retryIntervalMs,
      ...(waitTimeMs === undefined ? {} : { waitTimeMs }),
    });
  } finally {
    // The Alert step releases it; a run that died before its Alert must not keep it.
    forgetLock();
    await lock?.release(context.clusterId, context.runId);
  }
  progress.finish();
  const reportRef = result.state?.alert?.reportRef;
  const report = reportRef ? await deps.store.getJson<RunReport>(reportRef) : null;
  progress.line(
    `Executed ${relative(PROJECT_ROOT, result.definitionPath)} (sha256 ${result.definitionSha256.slice(0, 12)}…) locally: ` +
      `${result.status}; states ${result.visited.join(' > ')}; largest state payload ${result.largestPayload.bytes} bytes (${result.largestPayload.state})`,
  );
  return { result, report };
}

/** The runbook of a tool by id: the local deps' binding, or (for a remote run) the registry's text. */
export type RunbookLookup = (tool: ToolId) => Runbook;

/** The text report of a run, with its alert (alertOfReport). */
export function reportText(
  report: RunReport,
  runbookOf: RunbookLookup,
  style: TextStyle = PLAIN_TEXT,
): string {
  return renderReport(report, alertOfReport(report, runbookOf), style);
}
