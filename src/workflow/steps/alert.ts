import { deliver } from '#alerts/alert-sink.ts';
import { buildAlert } from '#core/alert.ts';
import type { ActionResult, AuditResult, Plan, Verification } from '#core/model.ts';
import { renderReport } from '#core/render-report.ts';
import { renderReportHtml } from '#core/render-report-html.ts';
import { outcomeOf, type RunReport } from '#core/report.ts';
import { artifactKeys } from '#store/artifact-store.ts';
import type { AlertOutput, RunState } from '../contracts.ts';
import type { WorkflowDeps } from '../deps.ts';

/**
 * Step 8: assemble the run report, keep it (JSON with its outcome and alert, the text page and
 * report.html), and publish one alert when there is something to say. Also the failure path:
 * a Catch routes here with `failure` set.
 * A publish that fails is thrown: the run must not end green without its alert.
 * After delivery the cluster's run lock is released (a failed release is logged: the lease,
 * or the trigger's stale takeover, frees it anyway).
 */
export async function alertStep(state: RunState, deps: WorkflowDeps): Promise<AlertOutput> {
  const report = await assembleReport(state, deps);
  const built = buildAlert(report, state.cluster ? deps.tool(state.cluster.tool).runbook : null);
  // The alert links to the report page (report.html); the link is known before it is written.
  const link = built && deps.store.linkTo ? await reportLinkOf(deps, report.runId) : null;
  const alert = built && link ? { ...built, reportLink: link } : built;
  const reportRef = await deps.store.putJson(artifactKeys.report(report.runId), {
    ...report,
    outcome: outcomeOf(report),
    alert,
  } satisfies RunReport);
  const reportPageRef = await deps.store.putText(
    artifactKeys.reportPage(report.runId),
    `${renderReport(report, alert)}\n`,
  );
  await deps.store.putText(
    artifactKeys.reportHtml(report.runId),
    renderReportHtml(report, alert),
    'text/html; charset=utf-8',
  );
  const delivery = await deliver(alert, deps.alerts, deps.alertMemory, deps.alertWindowMs, deps.clock());
  deps.log.info('run finished', {
    outcome: outcomeOf(report),
    alertSent: delivery.sent,
    reason: delivery.reason,
  });
  await releaseRunLock(state, deps);
  return {
    reportRef,
    reportPageRef,
    outcome: outcomeOf(report),
    alertSent: delivery.sent,
    alertReason: delivery.reason,
    subject: alert?.subject ?? null,
  };
}

async function reportLinkOf(deps: WorkflowDeps, runId: string): Promise<string | null> {
  try {
    return (await deps.store.linkTo?.(artifactKeys.reportHtml(runId))) ?? null;
  } catch (error) {
    // A link the store cannot make must not cost the alert: it names the run id anyway.
    deps.log.warn('no link to the report for the alert', {
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
    return null;
  }
}

async function releaseRunLock(state: RunState, deps: WorkflowDeps): Promise<void> {
  if (!deps.runLock) return;
  const { clusterId, runId } = state.context;
  try {
    await deps.runLock.release(clusterId, runId);
  } catch (error) {
    deps.log.warn('run lock not released (its lease will expire)', {
      clusterId,
      runId,
      error: error instanceof Error ? `${error.name}: ${error.message}` : String(error),
    });
  }
}

export async function assembleReport(state: RunState, deps: WorkflowDeps): Promise<RunReport> {
  const { context } = state;
  const load = <T>(ref: string | undefined) => (ref ? deps.store.getJson<T>(ref) : Promise.resolve(null));
  const [before, thePlan, results, after, verification] = await Promise.all([
    load<AuditResult>(state.audit?.auditRef),
    load<Plan>(state.audit?.planRef),
    load<ActionResult[]>(state.sync?.resultsRef),
    load<AuditResult>(state.verify?.afterAuditRef),
    load<Verification>(state.verify?.verificationRef),
  ]);
  return {
    runId: context.runId,
    clusterId: context.clusterId,
    provider: state.cluster?.provider ?? context.provider,
    tool: state.cluster?.tool ?? null,
    startedAt: context.startedAt,
    finishedAt: deps.clock().toISOString(),
    policy: context.policy,
    cluster: state.cluster ?? null,
    before,
    plan: thePlan,
    results: results ?? [],
    after,
    verification,
    backup: state.backup ?? null,
    failure: state.failure ?? null,
    trigger: context.trigger,
    ...(deps.executionSteps ? { steps: deps.executionSteps() } : {}),
  };
}
