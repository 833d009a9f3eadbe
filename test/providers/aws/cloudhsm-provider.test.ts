import { CloudHSMV2Client, type Hsm } from '@aws-sdk/client-cloudhsm-v2';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ERROR_NAMES } from '#core/errors.ts';
import { MGMT_UTIL_AWS_MODULE } from '#drivers/mgmt-util/index.ts';
import { CloudHsmProvider } from '#providers/aws/cloudhsm-provider.ts';
import { cloudhsmCommands, mockCloudHsm } from '../../support/aws/cloudhsm-mock.ts';

const CLUSTER = 'cluster-igklspoyj5v';
const NOW = new Date('2026-11-23T06:00:00.000Z');
const cloudhsm = mockCloudHsm();

function hsm(id: string, ip: string, zone: string, state = 'ACTIVE'): Hsm {
  return {
    HsmId: id,
    EniIp: ip,
    EniId: `eni-${id}`,
    AvailabilityZone: zone,
    ClusterId: CLUSTER,
    SubnetId: `subnet-${zone}`,
    State: state,
  };
}

const THREE = [
  hsm('hsm-ccccccccccc', '10.0.2.7', 'us-east-1b'),
  hsm('hsm-aaaaaaaaaaa', '10.0.1.20', 'us-east-1a'),
  hsm('hsm-bbbbbbbbbbb', '10.0.1.9', 'us-east-1a'),
];

function provider(operatorConfig?: () => Promise<string | null>): CloudHsmProvider {
  return new CloudHsmProvider(new CloudHSMV2Client({ region: 'us-east-1' }), {
    toolFor: () => MGMT_UTIL_AWS_MODULE,
    clock: () => NOW,
    ...(operatorConfig ? { operatorConfig } : {}),
  });
}

function operatorCfg(hostnames: string[]): string {
  return JSON.stringify({
    scard: { enable: 'no', port: 2225 },
    servers: hostnames.map((h) => ({ name: h, hostname: h, port: 2225, enable: 'yes' })),
  });
}

describe('CloudHsmProvider', () => {
  afterEach(() => {
    cloudhsm.reset();
  });

  it('resolves the cluster into nodes ordered by zone then address, with a membership token', async () => {
    // Arrange
    cloudhsm
      .on(cloudhsmCommands.DescribeClusters)
      .resolves({ Clusters: [{ ClusterId: CLUSTER, State: 'ACTIVE', Hsms: THREE }] });

    // Act
    const cluster = await provider().resolve(CLUSTER);

    // Assert
    const calls = cloudhsm.commandCalls(cloudhsmCommands.DescribeClusters);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({ Filters: { clusterIds: [CLUSTER] } });
    expect(cluster).toEqual({
      clusterId: CLUSTER,
      provider: 'aws',
      tool: 'mgmt-util-aws',
      nodes: [
        { nodeId: 'hsm-bbbbbbbbbbb', address: '10.0.1.9', port: 2225, state: 'ACTIVE', zone: 'us-east-1a' },
        { nodeId: 'hsm-aaaaaaaaaaa', address: '10.0.1.20', port: 2225, state: 'ACTIVE', zone: 'us-east-1a' },
        { nodeId: 'hsm-ccccccccccc', address: '10.0.2.7', port: 2225, state: 'ACTIVE', zone: 'us-east-1b' },
      ],
      resolvedAt: NOW.toISOString(),
      membershipToken:
        'hsm-bbbbbbbbbbb@10.0.1.9:2225,hsm-aaaaaaaaaaa@10.0.1.20:2225,hsm-ccccccccccc@10.0.2.7:2225',
      configDrift: null,
    });
  });

  it('gives the same order and token whatever order DescribeClusters lists the HSMs in', async () => {
    cloudhsm
      .on(cloudhsmCommands.DescribeClusters)
      .resolvesOnce({ Clusters: [{ ClusterId: CLUSTER, State: 'ACTIVE', Hsms: THREE }] })
      .resolvesOnce({ Clusters: [{ ClusterId: CLUSTER, State: 'ACTIVE', Hsms: [...THREE].reverse() }] });

    const first = await provider().resolve(CLUSTER);
    const second = await provider().resolve(CLUSTER);

    expect(second.membershipToken).toBe(first.membershipToken);
  });

  it('follows NextToken pages and keeps DEGRADED HSMs with their state, dropping DELETED ones', async () => {
    cloudhsm
      .on(cloudhsmCommands.DescribeClusters, { Filters: { clusterIds: [CLUSTER] } })
      .resolves({ Clusters: [], NextToken: 'page-2' })
      .on(cloudhsmCommands.DescribeClusters, { Filters: { clusterIds: [CLUSTER] }, NextToken: 'page-2' })
      .resolves({
        Clusters: [
          {
            ClusterId: CLUSTER,
            State: 'DEGRADED',
            Hsms: [
              hsm('hsm-aaaaaaaaaaa', '10.0.1.20', 'us-east-1a', 'DEGRADED'),
              hsm('hsm-ddddddddddd', '10.0.1.30', 'us-east-1a', 'DELETED'),
            ],
          },
        ],
      });

    const cluster = await provider().resolve(CLUSTER);

    const inputs = cloudhsm.commandCalls(cloudhsmCommands.DescribeClusters).map((c) => c.args[0].input);
    expect(inputs).toEqual([
      { Filters: { clusterIds: [CLUSTER] } },
      { Filters: { clusterIds: [CLUSTER] }, NextToken: 'page-2' },
    ]);
    expect(cluster.nodes).toEqual([
      { nodeId: 'hsm-aaaaaaaaaaa', address: '10.0.1.20', port: 2225, state: 'DEGRADED', zone: 'us-east-1a' },
    ]);
  });

  it('fails with a retryable ClusterNotStableError naming the HSMs being created or deleted', async () => {
    cloudhsm.on(cloudhsmCommands.DescribeClusters).resolves({
      Clusters: [
        {
          ClusterId: CLUSTER,
          State: 'ACTIVE',
          Hsms: [
            ...THREE,
            hsm('hsm-ted36yp5b2x', '10.0.1.12', 'us-east-1b', 'CREATE_IN_PROGRESS'),
            hsm('hsm-eeeeeeeeeee', '10.0.1.13', 'us-east-1b', 'DELETE_IN_PROGRESS'),
          ],
        },
      ],
    });

    const error = await provider()
      .resolve(CLUSTER)
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: ERROR_NAMES.clusterNotStable });
    expect((error as Error).message).toContain('hsm-ted36yp5b2x CREATE_IN_PROGRESS');
    expect((error as Error).message).toContain('hsm-eeeeeeeeeee DELETE_IN_PROGRESS');
  });

  it('treats a cluster in UPDATE_IN_PROGRESS as not stable', async () => {
    cloudhsm
      .on(cloudhsmCommands.DescribeClusters)
      .resolves({ Clusters: [{ ClusterId: CLUSTER, State: 'UPDATE_IN_PROGRESS', Hsms: THREE }] });

    await expect(provider().resolve(CLUSTER)).rejects.toMatchObject({
      name: ERROR_NAMES.clusterNotStable,
      message: expect.stringContaining('UPDATE_IN_PROGRESS'),
    });
  });

  it('names the cluster id when DescribeClusters does not know it', async () => {
    cloudhsm.on(cloudhsmCommands.DescribeClusters).resolves({ Clusters: [] });

    await expect(provider().resolve(CLUSTER)).rejects.toMatchObject({
      name: ERROR_NAMES.invalidInput,
      message: expect.stringContaining(`cluster ${CLUSTER} not found`),
    });
  });

  it('refuses a deleted cluster without retrying', async () => {
    cloudhsm
      .on(cloudhsmCommands.DescribeClusters)
      .resolves({ Clusters: [{ ClusterId: CLUSTER, State: 'DELETED', Hsms: [] }] });

    await expect(provider().resolve(CLUSTER)).rejects.toMatchObject({ name: ERROR_NAMES.invalidInput });
  });

  it('maps API failures to errors the state machine can tell apart', async () => {
    const throttled = Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException' });
    const denied = Object.assign(new Error('denied'), { name: 'CloudHsmAccessDeniedException' });
    cloudhsm.on(cloudhsmCommands.DescribeClusters).rejectsOnce(throttled).rejectsOnce(denied);

    await expect(provider().resolve(CLUSTER)).rejects.toMatchObject({
      name: ERROR_NAMES.transport,
      cause: throttled,
    });
    await expect(provider().resolve(CLUSTER)).rejects.toMatchObject({
      name: ERROR_NAMES.configuration,
      message: expect.stringContaining('cloudhsm:DescribeClusters'),
    });
  });

  it('reports drift between the cluster and the operator config', async () => {
    cloudhsm
      .on(cloudhsmCommands.DescribeClusters)
      .resolves({ Clusters: [{ ClusterId: CLUSTER, State: 'ACTIVE', Hsms: THREE }] });
    const reader = async () => operatorCfg(['10.0.1.20', '10.0.1.9', '10.0.9.9']);

    const cluster = await provider(reader).resolve(CLUSTER);

    expect(cluster.configDrift).toEqual({
      missingFromConfig: ['hsm-ccccccccccc'],
      unknownInConfig: ['10.0.9.9'],
    });
  });

  it('reports no drift when the operator config lists exactly the nodes, and null when there is none', async () => {
    cloudhsm
      .on(cloudhsmCommands.DescribeClusters)
      .resolves({ Clusters: [{ ClusterId: CLUSTER, State: 'ACTIVE', Hsms: THREE }] });

    const listed = await provider(async () => operatorCfg(['10.0.2.7', '10.0.1.9', '10.0.1.20'])).resolve(
      CLUSTER,
    );
    const none = await provider(async () => null).resolve(CLUSTER);

    expect(listed.configDrift).toEqual({ missingFromConfig: [], unknownInConfig: [] });
    expect(none.configDrift).toBeNull();
  });

  it('rejects a malformed operator config with a clear InvalidInputError', async () => {
    cloudhsm
      .on(cloudhsmCommands.DescribeClusters)
      .resolves({ Clusters: [{ ClusterId: CLUSTER, State: 'ACTIVE', Hsms: THREE }] });

    await expect(provider(async () => '{"servers": [{"name": "x"}]}').resolve(CLUSTER)).rejects.toMatchObject(
      {
        name: ERROR_NAMES.invalidInput,
        message: expect.stringMatching(/operator's mgmt-util-aws config .* is malformed .*hostname/),
      },
    );
    await expect(provider(async () => 'not json').resolve(CLUSTER)).rejects.toMatchObject({
      name: ERROR_NAMES.invalidInput,
    });
  });
});
