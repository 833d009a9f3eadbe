/**
 * Alarms and the dashboard over the per-run metrics the alert function emits
 * (docs/CONTRACTS-aws.md: namespace HsmSentinel, dimension ClusterId) and the state
 * machine's own metrics. Every alarm notifies the alert topic.
 *
 * Per configured cluster:
 * - `SingleNode`: ObjectsSingleNode > 0 (an object lives on one HSM only: highest risk);
 * - `RunFailed`: RunFailed >= 1;
 * - `NoSuccessfulRun`: RunSucceeded sum < 1 over `staleAfterHours` (default twice the
 *   schedule), missing data breaching: also fires when nothing runs at all.
 * For the state machine: failed or timed-out executions (a run that could not even alert).
 */
import { Duration } from 'aws-cdk-lib';
import {
  Alarm,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  type IMetric,
  MathExpression,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import {
  METRICS_DIMENSION,
  METRICS_NAMESPACE,
  RUN_METRIC_NAMES,
  type RunMetricName,
} from '#workflow/run-metrics.ts';

export { METRICS_NAMESPACE, RUN_METRIC_NAMES as RUN_METRICS, type RunMetricName };

/** A per-run metric of one cluster. */
export function runMetric(
  clusterId: string,
  name: RunMetricName,
  statistic: string,
  period: Duration,
): Metric {
  return new Metric({
    namespace: METRICS_NAMESPACE,
    metricName: name,
    dimensionsMap: { [METRICS_DIMENSION]: clusterId },
    statistic,
    period,
  });
}

export interface SentinelObservabilityProps {
  clusterIds: string[];
  staleAfterHours: number;
  topic: ITopic;
  stateMachine: StateMachine;
}

export class SentinelObservability extends Construct {
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: SentinelObservabilityProps) {
    super(scope, id);
    const action = new SnsAction(props.topic);
    const add = (alarm: Alarm) => {
      alarm.addAlarmAction(action);
      alarm.addOkAction(action);
      this.alarms.push(alarm);
    };
    const runPeriod = Duration.minutes(5);
    for (const clusterId of props.clusterIds) {
      const clusterScope = new Construct(this, clusterId);
      add(
        new Alarm(clusterScope, 'SingleNode', {
          alarmDescription: `hsm-sentinel ${clusterId}: objects exist on one HSM only (lost if that HSM fails). See the run report and alert for the runbook command.`,
          metric: runMetric(clusterId, 'ObjectsSingleNode', 'Maximum', runPeriod),
          comparisonOperator: ComparisonOperator.GREATER_THAN_THRESHOLD,
          threshold: 0,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
      add(
        new Alarm(clusterScope, 'RunFailed', {
          alarmDescription: `hsm-sentinel ${clusterId}: a run failed. The alert and the execution history name the step and the error.`,
          metric: runMetric(clusterId, 'RunFailed', 'Sum', runPeriod),
          comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          threshold: 1,
          evaluationPeriods: 1,
          treatMissingData: TreatMissingData.NOT_BREACHING,
        }),
      );
      add(new Alarm(clusterScope, 'NoSuccessfulRun', noSuccessAlarmProps(clusterId, props.staleAfterHours)));
    }
    add(
      new Alarm(this, 'ExecutionsFailed', {
        alarmDescription:
          'hsm-sentinel: a state machine execution failed or timed out (possibly without its own alert). See the execution history.',
        metric: new MathExpression({
          expression: 'failed + timedOut',
          usingMetrics: {
            failed: props.stateMachine.metricFailed({ statistic: 'Sum', period: runPeriod }),
            timedOut: props.stateMachine.metricTimedOut({ statistic: 'Sum', period: runPeriod }),
          },
          label: 'Failed + timed out executions',
          period: runPeriod,
        }),
        comparisonOperator: ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        threshold: 1,
        evaluationPeriods: 1,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
    this.dashboard = new Dashboard(this, 'Dashboard', {
      defaultInterval: Duration.days(7),
      widgets: [
        [
          new TextWidget({
            markdown:
              '# hsm-sentinel\nPer-run metrics of each cluster (emitted once per run by the alert step) and the state machine.',
            width: 24,
            height: 2,
          }),
        ],
        [
          new SingleValueWidget({
            title: 'Single-node objects (last run)',
            metrics: props.clusterIds.map((c) =>
              runMetric(c, 'ObjectsSingleNode', 'Maximum', Duration.hours(1)).with({ label: c }),
            ),
            width: 24,
            height: 4,
          }),
        ],
        [
          graph('Objects missing on some nodes', props.clusterIds, 'ObjectsMissing', 'Maximum'),
          graph('Single-node objects', props.clusterIds, 'ObjectsSingleNode', 'Maximum'),
          graph('Divergent objects', props.clusterIds, 'ObjectsDivergent', 'Maximum'),
        ],
        [
          graph('Unreadable nodes', props.clusterIds, 'NodesUnreadable', 'Maximum'),
          graph('Actions taken (synced)', props.clusterIds, 'ActionsTaken', 'Sum'),
          graph('Run duration (s)', props.clusterIds, 'RunDurationSeconds', 'Maximum'),
        ],
        [
          graph('Runs succeeded', props.clusterIds, 'RunSucceeded', 'Sum'),
          graph('Runs failed', props.clusterIds, 'RunFailed', 'Sum'),
          new GraphWidget({
            title: 'State machine executions',
            left: [
              props.stateMachine.metricStarted({ label: 'started' }),
              props.stateMachine.metricSucceeded({ label: 'succeeded' }),
              props.stateMachine.metricFailed({ label: 'failed' }),
              props.stateMachine.metricTimedOut({ label: 'timed out' }),
            ],
            width: 8,
          }),
        ],
      ],
    });
  }
}

function graph(title: string, clusterIds: string[], name: RunMetricName, statistic: string): GraphWidget {
  const left: IMetric[] = clusterIds.map((c) =>
    runMetric(c, name, statistic, Duration.hours(1)).with({ label: c }),
  );
  return new GraphWidget({ title, left, width: 8 });
}

/**
 * "No successful run within staleAfterHours": one period of that length when it fits in a
 * day (CloudWatch's longest alarm period), else that many one-hour periods, all breaching.
 */
function noSuccessAlarmProps(clusterId: string, staleAfterHours: number) {
  const hours = Math.ceil(staleAfterHours);
  const single = hours <= 24;
  return {
    alarmDescription: `hsm-sentinel ${clusterId}: no successful run in the last ${hours} h (the schedule, the trigger or every run is failing).`,
    metric: runMetric(clusterId, 'RunSucceeded', 'Sum', single ? Duration.hours(hours) : Duration.hours(1)),
    comparisonOperator: ComparisonOperator.LESS_THAN_THRESHOLD,
    threshold: 1,
    evaluationPeriods: single ? 1 : hours,
    datapointsToAlarm: single ? 1 : hours,
    treatMissingData: TreatMissingData.BREACHING,
  };
}
