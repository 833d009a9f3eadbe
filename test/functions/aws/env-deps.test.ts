import { CloudHSMV2Client } from '@aws-sdk/client-cloudhsm-v2';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ERROR_NAMES } from '#core/errors.ts';
import { MgmtUtilDriver } from '#drivers/mgmt-util/driver.ts';
import { MGMT_UTIL_AWS_MODULE } from '#drivers/mgmt-util/index.ts';
import { DynamoDbRunLock } from '#store/dynamodb-run-lock.ts';
import { type AwsClients, awsDeps } from '../../../functions/aws/deps.ts';
import { readEnv } from '../../../functions/aws/env.ts';
import { handler as deployedResolve, makeHandler as makeResolve } from '../../../functions/aws/resolve.ts';
import { cloudhsmCommands, mockCloudHsm } from '../../support/aws/cloudhsm-mock.ts';
import { lambdaContext, quietObservability } from '../../support/aws/lambda-test-kit.ts';
import { context } from '../../support/workflow/fake-deps.ts';

const quiet = { info() {}, warn() {}, error() {} };
const CLUSTER = 'cluster-igklspoyj5v';

function clients(): AwsClients {
  const region = { region: 'us-east-1' };
  return {
    cloudHsm: new CloudHSMV2Client(region),
    s3: new S3Client(region),
    secrets: new SecretsManagerClient(region),
    sns: new SNSClient(region),
    dynamo: new DynamoDBClient(region),
    sfn: new SFNClient(region),
  };
}

function thrown(fn: () => unknown): Error {
  try {
    fn();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected a throw');
}

describe('functions/aws/env', () => {
  it('names the missing or malformed variable and what it must hold', () => {
    const missing = thrown(() => readEnv.reportBucket({}));
    expect(missing.name).toBe(ERROR_NAMES.configuration);
    expect(missing.message).toBe(
      'environment variable REPORT_BUCKET is not set: it must hold the S3 bucket for inventories, plans and reports',
    );
    expect(() => readEnv.dryRunDefault({ DRY_RUN_DEFAULT: 'yes' })).toThrow(
      /DRY_RUN_DEFAULT is 'yes': expected true or false/,
    );
    expect(() => readEnv.alertWindowHours({ ALERT_WINDOW_HOURS: '-1' })).toThrow(/ALERT_WINDOW_HOURS/);
  });

  it('applies the documented defaults', () => {
    expect(readEnv.alertWindowHours({})).toBe(24);
    expect(readEnv.tool({})).toBeNull();
    expect(readEnv.recoveryRegion({ RECOVERY_REGION: ' ' })).toBeNull();
    expect(readEnv.clusterIds({ CLUSTER_IDS: 'cluster-a, cluster-b,' })).toEqual(['cluster-a', 'cluster-b']);
    expect(readEnv.dryRunDefault({})).toBe(true);
  });
});

describe('functions/aws/deps', () => {
  const cloudhsm = mockCloudHsm();
  afterEach(() => {
    cloudhsm.reset();
  });

  it('reads only the variables of the ports a function uses', () => {
    expect(() => awsDeps(['provider'], { env: {}, clients: clients(), log: quiet })).toThrow(/REPORT_BUCKET/);
    expect(() =>
      awsDeps(['nodes'], {
        env: { REPORT_BUCKET: 'b' },
        clients: clients(),
        log: quiet,
      }),
    ).toThrow(/CO_SECRET_ARN is not set/);
    // The node-access functions keep the lockout guard's memory in the state table.
    expect(() =>
      awsDeps(['nodes'], {
        env: { REPORT_BUCKET: 'b', CO_SECRET_ARN: 'arn:x' },
        clients: clients(),
        log: quiet,
      }),
    ).toThrow(/STATE_TABLE is not set/);
    expect(() =>
      awsDeps(['alerts'], { env: { REPORT_BUCKET: 'b' }, clients: clients(), log: quiet }),
    ).toThrow(/ALERT_TOPIC_ARN is not set/);
    // The audit function needs nothing but its bucket.
    expect(() => awsDeps([], { env: { REPORT_BUCKET: 'b' }, clients: clients(), log: quiet })).not.toThrow();
  });

  it('gives the alert function (and only it) the run lock in STATE_TABLE, with the lease of RUN_LOCK_LEASE_HOURS', () => {
    const env = { REPORT_BUCKET: 'b', ALERT_TOPIC_ARN: 'arn:aws:sns:us-east-1:1:t', STATE_TABLE: 'state' };

    const alert = awsDeps(['alerts'], { env, clients: clients(), log: quiet });
    const audit = awsDeps([], { env, clients: clients(), log: quiet });
    const short = awsDeps(['alerts'], {
      env: { ...env, RUN_LOCK_LEASE_HOURS: '1.5' },
      clients: clients(),
      log: quiet,
    });

    expect(alert.runLock).toBeInstanceOf(DynamoDbRunLock);
    expect((alert.runLock as DynamoDbRunLock).leaseSeconds).toBe(6 * 3600);
    expect((short.runLock as DynamoDbRunLock).leaseSeconds).toBe(5400);
    expect(audit.runLock).toBeUndefined();
  });

  it("builds the cluster's tool from the registry, its binary from the tool's own setting", async () => {
    const env = {
      REPORT_BUCKET: 'b',
      MGMT_UTIL_PATH: '/opt/custom/cloudhsm_mgmt_util',
      CO_SECRET_ARN: 'arn:aws:secretsmanager:us-east-1:111122223333:secret:hsm-co-AbCdEf',
      KEY_DETAILS: 'true',
      STATE_TABLE: 'state',
    };
    const deps = awsDeps(['nodes'], { env, clients: clients(), log: quiet });
    const audit = awsDeps([], { env, clients: clients(), log: quiet });

    const tool = deps.tool(MGMT_UTIL_AWS_MODULE.id);
    expect(tool.driver()).toBeInstanceOf(MgmtUtilDriver);
    expect(tool.runbook.inspect({ kind: 'user' } as never, [])[0]).toBe(
      '/opt/custom/cloudhsm_mgmt_util /opt/cloudhsm/etc/cloudhsm_mgmt_util.cfg',
    );
    expect(() => deps.tool('no-such-tool')).toThrow(/unknown tool 'no-such-tool'/);
    // A function without the nodes port has the rules and the runbook, never a driver.
    expect(audit.tool(MGMT_UTIL_AWS_MODULE.id).rules).toBe(MGMT_UTIL_AWS_MODULE.rules);
    expect(() => audit.tool(MGMT_UTIL_AWS_MODULE.id).driver()).toThrow(/without the 'nodes' port/);
    await expect(deps.alerts.publish({} as never)).rejects.toThrow(/without the 'alerts' port/);
  });

  it("picks the tool by the cluster's HsmType, and says so when no tool serves it", async () => {
    const deps = awsDeps(['provider'], { env: { REPORT_BUCKET: 'b' }, clients: clients(), log: quiet });
    const hsm = {
      HsmId: 'hsm-aaaaaaaaaaa',
      EniIp: '10.0.1.9',
      AvailabilityZone: 'us-east-1a',
      State: 'ACTIVE',
    };
    cloudhsm
      .on(cloudhsmCommands.DescribeClusters)
      .resolvesOnce({
        Clusters: [{ ClusterId: CLUSTER, State: 'ACTIVE', HsmType: 'hsm1.medium', Hsms: [hsm] }],
      })
      .resolvesOnce({
        Clusters: [{ ClusterId: CLUSTER, State: 'ACTIVE', HsmType: 'hsm9.huge', Hsms: [hsm] }],
      });

    expect((await deps.provider.resolve(CLUSTER)).tool).toBe(MGMT_UTIL_AWS_MODULE.id);
    await expect(deps.provider.resolve(CLUSTER)).rejects.toThrow(/HSM type hsm9\.huge/);
  });

  it('resolves through CloudHSM DescribeClusters (aws-sdk-client-mock)', async () => {
    cloudhsm.on(cloudhsmCommands.DescribeClusters).resolves({
      Clusters: [
        {
          ClusterId: CLUSTER,
          State: 'ACTIVE',
          Hsms: [
            { HsmId: 'hsm-bbbbbbbbbbb', EniIp: '10.0.2.7', AvailabilityZone: 'us-east-1b', State: 'ACTIVE' },
            { HsmId: 'hsm-aaaaaaaaaaa', EniIp: '10.0.1.9', AvailabilityZone: 'us-east-1a', State: 'ACTIVE' },
          ],
        },
      ],
    });
    const deps = awsDeps(['provider'], { env: { REPORT_BUCKET: 'b' }, clients: clients(), log: quiet });

    const out = await makeResolve(deps, quietObservability())({ context: context(CLUSTER) }, lambdaContext());

    expect(out.nodes.map((n) => [n.nodeId, n.address])).toEqual([
      ['hsm-aaaaaaaaaaa', '10.0.1.9'],
      ['hsm-bbbbbbbbbbb', '10.0.2.7'],
    ]);
    expect(cloudhsm.commandCalls(cloudhsmCommands.DescribeClusters)[0]?.args[0].input).toMatchObject({
      Filters: { clusterIds: [CLUSTER] },
    });
  });

  it('fails the deployed handler with a ConfigurationError naming the variable when the environment lacks it', async () => {
    const saved = process.env.REPORT_BUCKET;
    delete process.env.REPORT_BUCKET;
    try {
      await expect(deployedResolve({ context: context(CLUSTER) }, lambdaContext())).rejects.toMatchObject({
        name: ERROR_NAMES.configuration,
        message: expect.stringContaining('REPORT_BUCKET'),
      });
    } finally {
      if (saved !== undefined) process.env.REPORT_BUCKET = saved;
    }
  });
});
