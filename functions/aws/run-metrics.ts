/**
 * The per-run metrics of docs/CONTRACTS-aws.md (namespace HsmSentinel, dimension ClusterId),
 * added by the alert handler once per run. Object counts describe the cluster as the run
 * left it: the Verify audit when there was one, else the first audit; unknown (a run that
 * failed before Audit) is not reported as zero.
 */
import { type Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RunState } from '#workflow/contracts.ts';
import type { WorkflowDeps } from '#workflow/deps.ts';
import { METRICS_DIMENSION, RUN_METRIC_NAMES } from '#workflow/run-metrics.ts';

export { RUN_METRIC_NAMES };

export async function addRunMetrics(
  metrics: Metrics,
  state: RunState,
  deps: WorkflowDeps,
  failed: boolean,
): Promise<void> {
  metrics.addDimension(METRICS_DIMENSION, state.context.clusterId);
  // The cluster as the run left it: Verify's audit when there was one (its counts travel in the state).
  const counts = state.verify?.counts ?? state.audit?.counts;
  if (counts) {
    metrics.addMetric('ObjectsMissing', MetricUnit.Count, counts.missing);
    metrics.addMetric('ObjectsSingleNode', MetricUnit.Count, counts['single-node']);
    metrics.addMetric('ObjectsDivergent', MetricUnit.Count, counts.divergent);
  }
  const unreadable = (state.verify ?? state.audit)?.unreadableNodes.length;
  if (unreadable !== undefined) metrics.addMetric('NodesUnreadable', MetricUnit.Count, unreadable);
  metrics.addMetric('ActionsTaken', MetricUnit.Count, state.sync?.synced ?? 0);
  const seconds = (deps.clock().getTime() - Date.parse(state.context.startedAt)) / 1000;
  metrics.addMetric('RunDurationSeconds', MetricUnit.Seconds, Math.max(0, seconds));
  metrics.addMetric('RunFailed', MetricUnit.Count, failed ? 1 : 0);
  metrics.addMetric('RunSucceeded', MetricUnit.Count, failed ? 0 : 1);
}
