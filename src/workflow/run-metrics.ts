/**
 * The per-run metrics, named once: the alert Lambda emits them (functions/aws/run-metrics.ts)
 * and the CDK stack builds its alarms and dashboard on them (infra/constructs).
 */
export const METRICS_NAMESPACE = 'HsmSentinel';
export const METRICS_DIMENSION = 'ClusterId';

export const RUN_METRIC_NAMES = [
  'ObjectsMissing',
  'ObjectsSingleNode',
  'ObjectsDivergent',
  'NodesUnreadable',
  'ActionsTaken',
  'RunDurationSeconds',
  'RunFailed',
  'RunSucceeded',
] as const;
export type RunMetricName = (typeof RUN_METRIC_NAMES)[number];
