/**
 * One execution of the real state machine definition on this machine (aws-local-stepfunctions),
 * every Task bound to the step the Lambda runs, with progress printed as states run.
 */
import { relative } from 'node:path';
import { buildAlert } from '#core/alert.ts';
import { RunLockedError } from '#core/errors.ts';
import type { ToolId } from '#core/model.ts';
import { renderReport } from '#core/render-report.ts';
import type { RunReport } from '#core/report.ts';
import type { Runbook } from '#core/tool-rules.ts';
import type { RunContext } from '#workflow/contracts.ts';
import type { WorkflowDeps } from '#workflow/deps.ts';
import {
  type LocalRunResult,
  type LocalStateEvent,
  runStateMachineLocally,
} from '#workflow/local-asl-runner.ts';
import { PROJECT_ROOT } from './project-root.ts';

export interface LocalExecution {
  result: LocalRunResult;
  /** Null only when the run failed before the alert step could write it. */
  report: RunReport | null;
}

export async function executeLocally(
  context: RunContext,
  deps: WorkflowDeps,
  write: (text: string) => void,
  retryIntervalMs = 0,
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
  let result: LocalRunResult;
  try {
    result = await runStateMachineLocally({
      input: { context },
      deps,
      onState: (e) => progress(e, write),
      retryIntervalMs,
    });
  } finally {
    // The Alert step releases it; a run that died before its Alert must not keep it.
    await lock?.release(context.clusterId, context.runId);
  }
  const reportRef = result.state?.alert?.reportRef;
  const report = reportRef ? await deps.store.getJson<RunReport>(reportRef) : null;
  write(
    `\nExecuted ${relative(PROJECT_ROOT, result.definitionPath)} (sha256 ${result.definitionSha256.slice(0, 12)}…) locally: ` +
      `${result.status}; states ${result.visited.join(' > ')}; largest state payload ${result.largestPayload.bytes} bytes (${result.largestPayload.state})\n`,
  );
  return { result, report };
}

function progress(event: LocalStateEvent, write: (text: string) => void): void {
  const where = event.index === undefined ? event.state : `${event.state} [server ${event.index}]`;
  const indent = event.index === undefined ? '' : '  ';
  if (event.kind === 'entered' && event.stateType !== 'Pass') write(`${indent}> ${where}\n`);
  else if (event.kind === 'retried')
    write(`${indent}  ! ${where}: retry ${event.attempt ?? ''} after ${event.error ?? 'error'}\n`);
  else if (event.kind === 'caught') write(`${indent}  ! ${where}: caught ${event.error ?? 'error'}\n`);
  else if (event.kind === 'failed') write(`${indent}  x ${where}: ${event.error ?? 'failed'}\n`);
}

/** The runbook of a tool by id: the local deps' binding, or (for a remote run) the registry's text. */
export type RunbookLookup = (tool: ToolId) => Runbook;

/** The text report of a run, with the alert its tool's runbook fills in. */
export function reportText(report: RunReport, runbookOf: RunbookLookup): string {
  return renderReport(report, buildAlert(report, report.tool ? runbookOf(report.tool) : null));
}
