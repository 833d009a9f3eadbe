import { CloudHSMV2Client } from '@aws-sdk/client-cloudhsm-v2';
import {
  CloudWatchClient,
  GetMetricDataCommand,
  type GetMetricDataCommandInput,
} from '@aws-sdk/client-cloudwatch';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { CLOUDHSM_CLI_MODULE } from '#drivers/cloudhsm-cli/index.ts';
import { CloudHsmMetrics } from '#providers/aws/cloudhsm-metrics.ts';
import { CloudHsmProvider } from '#providers/aws/cloudhsm-provider.ts';
import { cloudhsmCommands, mockCloudHsm } from '../../support/aws/cloudhsm-mock.ts';

const CLUSTER = 'cluster-igklspoyj5v';
const NOW = new Date('2026-11-23T06:00:00.000Z');
const cloudwatch = mockClient(CloudWatchClient);
const cloudhsm = mockCloudHsm();

afterEach(() => {
  cloudwatch.reset();
  cloudhsm.reset();
});

const metrics = () =>
  new CloudHsmMetrics(new CloudWatchClient({ region: 'us-east-1' }), { clock: () => NOW });

describe('CloudHsmMetrics (CloudWatch AWS/CloudHSM by ClusterId and HsmId)', () => {
  it('asks GetMetricData for HsmUsersAvailable and HsmKeysTokenOccupied of every HSM over the last 15 minutes, and keeps the latest value', async () => {
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'u0', Values: [1019, 1018] },
        { Id: 'k0', Values: [13] },
        { Id: 'u1', Values: [1020] },
        { Id: 'k1', Values: [12, 13] },
      ],
    });

    const read = await metrics().read(CLUSTER, ['hsm-aaaaaaaaaaa', 'hsm-bbbbbbbbbbb']);

    expect([...read]).toEqual([
      ['hsm-aaaaaaaaaaa', { usersAvailable: 1019, tokenKeys: 13 }],
      ['hsm-bbbbbbbbbbb', { usersAvailable: 1020, tokenKeys: 12 }],
    ]);
    const input = cloudwatch.commandCalls(GetMetricDataCommand)[0]?.args[0]
      .input as GetMetricDataCommandInput;
    expect(input.StartTime).toEqual(new Date('2026-11-23T05:45:00.000Z'));
    expect(input.EndTime).toEqual(NOW);
    expect(input.ScanBy).toBe('TimestampDescending');
    expect(input.MetricDataQueries?.[3]).toEqual({
      Id: 'k1',
      MetricStat: {
        Metric: {
          Namespace: 'AWS/CloudHSM',
          MetricName: 'HsmKeysTokenOccupied',
          Dimensions: [
            { Name: 'ClusterId', Value: CLUSTER },
            { Name: 'HsmId', Value: 'hsm-bbbbbbbbbbb' },
          ],
        },
        Period: 60,
        Stat: 'Maximum',
      },
      ReturnData: true,
    });
  });

  it('follows NextToken, and leaves out an HSM without a recent datapoint', async () => {
    cloudwatch
      .on(GetMetricDataCommand)
      .resolvesOnce({ MetricDataResults: [{ Id: 'u0', Values: [1000] }], NextToken: 'more' })
      .resolvesOnce({
        MetricDataResults: [
          { Id: 'k0', Values: [7] },
          { Id: 'u1', Values: [] },
        ],
      });

    const read = await metrics().read(CLUSTER, ['hsm-a', 'hsm-b']);

    expect([...read]).toEqual([['hsm-a', { usersAvailable: 1000, tokenKeys: 7 }]]);
    expect(cloudwatch.commandCalls(GetMetricDataCommand)[1]?.args[0].input.NextToken).toBe('more');
  });

  it('puts the counts on the nodes the provider resolves; a refused read leaves them bare and says why', async () => {
    cloudhsm.on(cloudhsmCommands.DescribeClusters).resolves({
      Clusters: [
        {
          ClusterId: CLUSTER,
          State: 'ACTIVE',
          HsmType: 'hsm2m.medium',
          Hsms: [
            { HsmId: 'hsm-aaaaaaaaaaa', EniIp: '10.0.1.20', AvailabilityZone: 'us-east-1a', State: 'ACTIVE' },
            { HsmId: 'hsm-bbbbbbbbbbb', EniIp: '10.0.2.7', AvailabilityZone: 'us-east-1b', State: 'ACTIVE' },
          ],
        },
      ],
    });
    cloudwatch.on(GetMetricDataCommand).resolves({
      MetricDataResults: [
        { Id: 'u0', Values: [1019] },
        { Id: 'k0', Values: [13] },
        { Id: 'u1', Values: [1019] },
        { Id: 'k1', Values: [12] },
      ],
    });
    const provider = new CloudHsmProvider(new CloudHSMV2Client({ region: 'us-east-1' }), {
      toolFor: () => CLOUDHSM_CLI_MODULE,
      metrics: metrics(),
      clock: () => NOW,
    });

    const resolved = await provider.resolve(CLUSTER);
    cloudwatch.reset();
    cloudwatch
      .on(GetMetricDataCommand)
      .rejects(Object.assign(new Error('not allowed'), { name: 'AccessDeniedException' }));
    const denied = await provider.resolve(CLUSTER);

    expect(resolved.tool).toBe('cloudhsm-cli');
    expect(resolved.nodes.map((n) => [n.nodeId, n.port, n.metrics])).toEqual([
      ['hsm-aaaaaaaaaaa', 2223, { usersAvailable: 1019, tokenKeys: 13 }],
      ['hsm-bbbbbbbbbbb', 2223, { usersAvailable: 1019, tokenKeys: 12 }],
    ]);
    expect(resolved.metricsError).toBeUndefined();
    expect(denied.nodes.every((n) => n.metrics === undefined)).toBe(true);
    expect(denied.metricsError).toBe('AccessDeniedException: not allowed');
    expect(denied.membershipToken).toBe(resolved.membershipToken);
  });
});
