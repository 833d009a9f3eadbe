/**
 * The per-HSM counts AWS recommends alarming on ("differences in HSM user or key count to
 * identify synchronization issues", bp-monitoring.html), read from CloudWatch: namespace
 * `AWS/CloudHSM`, dimensions `ClusterId` + `HsmId` (the dimension names of every public
 * CloudWatch map; AWS's page says "cluster ID and HSM ID"), metrics `HsmUsersAvailable` and
 * `HsmKeysTokenOccupied` (both published for hsm2m.medium), with `GetMetricData`: the latest
 * value of each within the last `windowMinutes`. An HSM without a recent datapoint is left
 * out (it is not compared). IAM: `cloudwatch:GetMetricData` (no resource-level permission).
 */
import {
  type CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandOutput,
  type MetricDataQuery,
} from '@aws-sdk/client-cloudwatch';
import type { NodeMetrics } from '#core/model.ts';
import type { NodeMetricsSource } from '../cluster-provider.ts';

export const CLOUDHSM_NAMESPACE = 'AWS/CloudHSM';
const METRICS: ReadonlyArray<{ id: string; name: string; field: keyof NodeMetrics }> = [
  { id: 'u', name: 'HsmUsersAvailable', field: 'usersAvailable' },
  { id: 'k', name: 'HsmKeysTokenOccupied', field: 'tokenKeys' },
];
/** GetMetricData takes at most 500 queries per call. */
const QUERIES_PER_CALL = 500;

export interface CloudHsmMetricsOptions {
  /** How far back a datapoint still counts (default 15 minutes). */
  windowMinutes?: number;
  /** The statistic's period (default 60 s, CloudHSM's resolution). */
  periodSeconds?: number;
  clock?: () => Date;
}

export class CloudHsmMetrics implements NodeMetricsSource {
  readonly #client: CloudWatchClient;
  readonly #windowMs: number;
  readonly #period: number;
  readonly #clock: () => Date;

  constructor(client: CloudWatchClient, options: CloudHsmMetricsOptions = {}) {
    this.#client = client;
    this.#windowMs = (options.windowMinutes ?? 15) * 60_000;
    this.#period = options.periodSeconds ?? 60;
    this.#clock = options.clock ?? (() => new Date());
  }

  async read(clusterId: string, hsmIds: readonly string[]): Promise<ReadonlyMap<string, NodeMetrics>> {
    const queries: Array<{ query: MetricDataQuery; hsmId: string; field: keyof NodeMetrics }> = [];
    hsmIds.forEach((hsmId, i) => {
      for (const m of METRICS) {
        queries.push({
          hsmId,
          field: m.field,
          query: {
            Id: `${m.id}${i}`,
            MetricStat: {
              Metric: {
                Namespace: CLOUDHSM_NAMESPACE,
                MetricName: m.name,
                Dimensions: [
                  { Name: 'ClusterId', Value: clusterId },
                  { Name: 'HsmId', Value: hsmId },
                ],
              },
              Period: this.#period,
              Stat: 'Maximum',
            },
            ReturnData: true,
          },
        });
      }
    });
    const end = this.#clock();
    const start = new Date(end.getTime() - this.#windowMs);
    const latest = new Map<string, number>();
    for (let i = 0; i < queries.length; i += QUERIES_PER_CALL) {
      const chunk = queries.slice(i, i + QUERIES_PER_CALL).map((q) => q.query);
      let nextToken: string | undefined;
      do {
        const out: GetMetricDataCommandOutput = await this.#client.send(
          new GetMetricDataCommand({
            MetricDataQueries: chunk,
            StartTime: start,
            EndTime: end,
            ScanBy: 'TimestampDescending',
            ...(nextToken === undefined ? {} : { NextToken: nextToken }),
          }),
        );
        for (const result of out.MetricDataResults ?? []) {
          const value = result.Values?.[0];
          if (result.Id !== undefined && value !== undefined && !latest.has(result.Id))
            latest.set(result.Id, value);
        }
        nextToken = out.NextToken;
      } while (nextToken);
    }
    const byHsm = new Map<string, NodeMetrics>();
    for (const q of queries) {
      const value = latest.get(q.query.Id as string);
      if (value === undefined) continue;
      byHsm.set(q.hsmId, { ...byHsm.get(q.hsmId), [q.field]: value });
    }
    return byHsm;
  }
}
