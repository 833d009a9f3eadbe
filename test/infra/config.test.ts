import { describe, expect, it } from '@jest/globals';
import { ConfigError, parseImageUri, readConfig, scheduleIntervalHours } from '../../infra/config.ts';
import { CDK_JSON_CONTEXT, TEST_CONTEXT } from '../support/infra/test-context.ts';

const reader = (overrides: Record<string, unknown> = {}) => {
  const context: Record<string, unknown> = { ...CDK_JSON_CONTEXT, ...TEST_CONTEXT, ...overrides };
  return (key: string) => context[key];
};

describe('readConfig', () => {
  it('reads the cdk.json defaults a fresh clone synthesizes with', () => {
    const config = readConfig((key) => CDK_JSON_CONTEXT[key]);

    expect(config).toMatchObject({
      stackName: 'HsmSentinel',
      schedule: 'rate(6 hours)',
      staleAfterHours: 12,
      dryRunDefault: true,
      alertEmails: [],
      recoveryRegion: null,
      createVpcEndpoints: true,
      nodeAccessImageArchitecture: 'x86_64',
      mgmtUtilPath: '/opt/cloudhsm/bin/cloudhsm_mgmt_util',
    });
  });

  it('decodes values given on the command line (-c key=value arrives as a string)', () => {
    const config = readConfig(
      reader({
        clusterIds: '["cluster-abc123def45"]',
        dryRunDefault: 'false',
        alertWindowHours: '6',
        recoveryRegion: 'us-west-2',
      }),
    );

    expect(config.clusterIds).toEqual(['cluster-abc123def45']);
    expect(config.dryRunDefault).toBe(false);
    expect(config.alertWindowHours).toBe(6);
    expect(config.recoveryRegion).toBe('us-west-2');
  });

  it.each([
    [{ clusterIds: [] }, /"clusterIds" needs at least 1/],
    [{ clusterIds: ['igklspoyj5v'] }, /"clusterIds" item "igklspoyj5v"/],
    [{ vpcId: undefined }, /"vpcId" is required/],
    [{ availabilityZones: ['eu-west-1a'] }, /the AZ of each subnet \(3 subnet\(s\), 1 AZ\(s\)\)/],
    [{ coSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:co' }, /"coSecretArn"/],
    [{ nodeAccessImageUri: 'hsm-sentinel-node-access:latest' }, /not an ECR image URI/],
    [{ schedule: 'every 6 hours' }, /neither rate/],
    [{ schedule: 'cron(0 2 * * ? *)' }, /"staleAfterHours" is required/],
    [{ alertEmails: ['oncall'] }, /"alertEmails" item "oncall"/],
    [{ dryRunDefault: 'yes' }, /"dryRunDefault" must be true or false/],
    [{ nodeAccessImageArchitecture: 'ppc64' }, /must be one of/],
  ])('rejects %p, naming the parameter', (overrides, message) => {
    expect(() => readConfig(reader(overrides))).toThrow(ConfigError);
    expect(() => readConfig(reader(overrides))).toThrow(message);
  });
});

describe('scheduleIntervalHours', () => {
  it.each([
    ['rate(6 hours)', 6],
    ['rate(1 day)', 24],
    ['rate(30 minutes)', 0.5],
    ['cron(0 */6 * * ? *)', null],
  ])('%s → %p', (expression, hours) => {
    expect(scheduleIntervalHours(expression)).toBe(hours);
  });
});

describe('parseImageUri', () => {
  it('splits a tagged URI', () => {
    expect(
      parseImageUri('111122223333.dkr.ecr.eu-west-1.amazonaws.com/team/hsm-sentinel-node-access:0.1.0'),
    ).toEqual({
      account: '111122223333',
      region: 'eu-west-1',
      repositoryName: 'team/hsm-sentinel-node-access',
      tagOrDigest: '0.1.0',
    });
  });

  it('splits a URI pinned by digest', () => {
    const digest = `sha256:${'0f'.repeat(32)}`;

    expect(
      parseImageUri(`111122223333.dkr.ecr.us-east-1.amazonaws.com/node-access@${digest}`).tagOrDigest,
    ).toBe(digest);
  });

  it('refuses a URI without tag or digest (no silent latest)', () => {
    expect(() => parseImageUri('111122223333.dkr.ecr.us-east-1.amazonaws.com/node-access')).toThrow(
      ConfigError,
    );
  });
});

describe('readConfig: the SDK 5 cloudhsm-cli parameters', () => {
  const base = (extra: Record<string, unknown>) => (key: string) =>
    ({ ...CDK_JSON_CONTEXT, ...TEST_CONTEXT, ...extra })[key as keyof typeof CDK_JSON_CONTEXT];
  const arn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hsm-sentinel/alice-AbCdEf';

  it('reads the crypto users and their secret ARNs (an object, or JSON given with -c)', () => {
    const config = readConfig(
      base({ cryptoUsers: ['Alice'], cryptoUserSecrets: JSON.stringify({ Alice: arn }) }),
    );

    expect(config.cryptoUsers).toEqual(['alice']);
    expect(config.cryptoUserSecrets).toEqual({ alice: arn });
    expect(config.cloudHsmCliPath).toBe('/opt/cloudhsm/bin/cloudhsm-cli');
  });

  it('refuses a crypto user without a secret, and a secret that is not a complete ARN', () => {
    expect(() => readConfig(base({ cryptoUsers: ['bob'] }))).toThrow(/"cryptoUsers": bob has no secret/);
    expect(() => readConfig(base({ cryptoUserSecrets: { alice: 'Pa55word' } }))).toThrow(
      /"cryptoUserSecrets": "alice" must map a username to a complete secret ARN/,
    );
  });
});
