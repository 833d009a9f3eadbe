/**
 * Template assertions on the synthesized stack (issue 4): the state machine, the functions
 * and their network, the triggers, the data, the alarms and dashboard, and least privilege.
 * One file, so aws-cdk-lib is loaded once; the app is synthesized once per parameter set.
 */
import { describe, expect, it } from '@jest/globals';
import { Duration, Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { NODE_ACCESS_HANDLERS } from '../../infra/bundling.ts';
import { stepSubstitutions, substitutionsFor } from '../../infra/constructs/audit-and-sync-machine.ts';
import { RUN_METRICS } from '../../infra/constructs/sentinel-observability.ts';
import { retentionAtLeast, taskTimeouts } from '../../infra/hsm-sentinel-stack.ts';

/** `${ResolveFunctionArn}` → `resolve`: derived from the workflow's step list. */
const STEP_SUBSTITUTIONS = stepSubstitutions();

import {
  aslDefinition,
  functionConstruct,
  functionLogicalId,
  resourcesOf,
  synthesized,
  TEST_CONTEXT,
} from '../support/infra/synth-fixture.ts';

// ---- state machine ----
const constructIdOf = (handler: string) =>
  handler
    .split('-')
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');

describe('the audit-and-sync state machine', () => {
  const synth = synthesized();
  const [machine] = Object.values(resourcesOf(synth.template, 'AWS::StepFunctions::StateMachine'));
  const props = machine?.Properties ?? {};

  it('is the ASL file, unchanged, with its placeholders left for definitionSubstitutions', () => {
    // Arrange
    const asl = aslDefinition();

    // Act
    const definition = JSON.parse(props.DefinitionString as string);

    // Assert
    expect(definition).toEqual(asl);
    for (const name of ['Resolve', 'CollectNodes', 'Audit', 'WriteAllowed?', 'Sync', 'Verify', 'Protect']) {
      expect(Object.keys(definition.States)).toContain(name);
    }
    expect(Object.keys(definition.States.CollectNodes.ItemProcessor.States)).toEqual([
      'CollectNode',
      'MarkUnreadable',
    ]);
    for (const name of ['Alert', 'FailureAlert', 'RunFailed', 'Done'])
      expect(definition.States).toHaveProperty(name);
  });

  it('substitutes each of the eight function ARNs with the ARN of its own function', () => {
    const substitutions = props.DefinitionSubstitutions as Record<string, unknown>;

    expect(Object.keys(substitutions).sort()).toEqual(Object.keys(STEP_SUBSTITUTIONS).sort());
    for (const [name, handler] of Object.entries(STEP_SUBSTITUTIONS)) {
      expect(substitutions[name]).toEqual({
        'Fn::GetAtt': [functionLogicalId(synth, constructIdOf(handler)), 'Arn'],
      });
    }
    const placeholders = new Set(
      [...(props.DefinitionString as string).matchAll(/\$\{(\w+)\}/g)].map((m) => m[1]),
    );
    expect([...placeholders].sort()).toEqual(Object.keys(STEP_SUBSTITUTIONS).sort());
  });

  it('logs ALL events to its own log group without execution data, and traces with X-Ray', () => {
    expect(props.LoggingConfiguration).toMatchObject({ IncludeExecutionData: false, Level: 'ALL' });
    expect(props.TracingConfiguration).toEqual({ Enabled: true });
    expect(props.StateMachineType).toBe('STANDARD');
    const logGroups = resourcesOf(synth.template, 'AWS::Logs::LogGroup');
    const target = (
      props.LoggingConfiguration as { Destinations: { CloudWatchLogsLogGroup: { LogGroupArn: unknown } }[] }
    ).Destinations[0]?.CloudWatchLogsLogGroup.LogGroupArn as { 'Fn::GetAtt': [string, string] };
    const name = JSON.stringify(logGroups[target['Fn::GetAtt'][0]]?.Properties.LogGroupName);
    expect(name).toContain('"/aws/vendedlogs/states/HsmSentinel-audit-and-sync-"');
    expect(name).toContain('"AWS::StackId"');
    expect(logGroups[target['Fn::GetAtt'][0]]?.Properties.RetentionInDays).toBe(365);
  });

  it('may invoke exactly the nine step functions, no other function and no alias wildcard', () => {
    const policies = resourcesOf(synth.template, 'AWS::IAM::Policy');
    const roleRef = props.RoleArn as { 'Fn::GetAtt': [string, string] };
    const mine = Object.values(policies).filter((p) =>
      (p.Properties.Roles as { Ref: string }[]).some((r) => r.Ref === roleRef['Fn::GetAtt'][0]),
    );
    const invoke = mine
      .flatMap((p) => (p.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement)
      .filter((s) => [s.Action].flat().includes('lambda:InvokeFunction'));

    expect(invoke).toHaveLength(1);
    const expected = Object.values(STEP_SUBSTITUTIONS).map((h) => ({
      'Fn::GetAtt': [functionLogicalId(synth, constructIdOf(h)), 'Arn'],
    }));
    expect(invoke[0]?.Resource).toEqual(expect.arrayContaining(expected));
    expect(invoke[0]?.Resource).toHaveLength(9);
    expect(invoke[0]?.Action).toBe('lambda:InvokeFunction');
  });
});

describe('substitutionsFor', () => {
  const fakeSteps = Object.fromEntries(
    Object.values(STEP_SUBSTITUTIONS).map((h) => [h, `arn:${h}`]),
  ) as Record<string, string>;
  const arnOf = (handler: string) => fakeSteps[handler] ?? `no function ${handler}`;

  it('maps every placeholder to its function ARN', () => {
    const asl = JSON.stringify(aslDefinition());

    expect(substitutionsFor(asl, arnOf)).toMatchObject({
      SyncFunctionArn: 'arn:sync',
      AlertFunctionArn: 'arn:alert',
    });
  });

  it('fails the synth on a placeholder the contract does not know, naming it', () => {
    const asl = `${JSON.stringify(aslDefinition())}\${BackupFunctionArn}`;

    expect(() => substitutionsFor(asl, arnOf)).toThrow(/placeholders without a step: \[BackupFunctionArn\]/);
  });

  it('fails the synth when the ASL no longer calls one of the functions', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL placeholder, not a template literal
    const asl = JSON.stringify(aslDefinition()).replaceAll('${ProtectFunctionArn}', 'arn:aws:lambda:x');

    expect(() => substitutionsFor(asl, arnOf)).toThrow(/steps never called: \[ProtectFunctionArn\]/);
  });
});

describe('taskTimeouts', () => {
  it("gives each function its Task's TimeoutSeconds, the shortest when two states call it", () => {
    const timeouts = taskTimeouts(JSON.stringify(aslDefinition()));
    const asl = aslDefinition();

    expect(timeouts.of('resolve').toSeconds()).toBe(asl.States.Resolve?.TimeoutSeconds);
    expect(timeouts.of('alert').toSeconds()).toBe(
      Math.min(asl.States.Alert?.TimeoutSeconds as number, asl.States.FailureAlert?.TimeoutSeconds as number),
    );
    expect(timeouts.of('mark-unreadable').toSeconds()).toBeLessThanOrEqual(900);
  });

  it('never exceeds the Lambda maximum of 900 s', () => {
    const asl = JSON.stringify({
      // biome-ignore lint/suspicious/noTemplateCurlyInString: an ASL placeholder, not a template literal
      States: { Sync: { Type: 'Task', Resource: '${SyncFunctionArn}', TimeoutSeconds: 3600 } },
    });

    expect(taskTimeouts(asl).of('sync').toSeconds()).toBe(900);
  });

  it('sets the deployed function timeouts from the ASL', () => {
    const synth = synthesized();
    const fn = functionConstruct(synth, 'Audit').node.findChild('Function').node.defaultChild as unknown as {
      timeout: number;
    };
    const asl = aslDefinition();

    expect(fn.timeout).toBe(Duration.seconds(asl.States.Audit?.TimeoutSeconds as number).toSeconds());
    expect(Stack.of(synth.stack.stateMachine).stackName).toBe('HsmSentinel');
  });
});

// ---- functions ----
type Props = Record<string, unknown>;

const BUNDLED = {
  Resolve: 'resolve',
  MarkUnreadable: 'mark-unreadable',
  Audit: 'audit',
  Protect: 'protect',
  Alert: 'alert',
  Trigger: 'trigger',
  RunbookUrl: 'runbook-url',
} as const;
const NODE_ACCESS = {
  CollectNode: 'collect-node',
  CollectCluster: 'collect-cluster',
  Sync: 'sync',
  Verify: 'verify',
} as const;
/** The node-access tools' settings (mgmt-util and SDK 5 cloudhsm-cli) every node-access function gets. */
const TOOL_ENV = [
  'MGMT_UTIL_PATH',
  'CLOUDHSM_CLI_PATH',
  'CLOUDHSM_CLI_CRYPTO_USERS',
  'CLOUDHSM_CLI_USER_SECRETS',
  'CLOUDHSM_CLI_CONFIG_COPY',
];

/** docs/CONTRACTS-aws.md, "Environment variables of the Lambda functions" (+ the trigger's two). */
const EXPECTED_ENV: Record<string, string[]> = {
  Resolve: ['REPORT_BUCKET'],
  CollectNode: ['REPORT_BUCKET', 'CO_SECRET_ARN', 'STATE_TABLE', ...TOOL_ENV, 'KEY_DETAILS'],
  CollectCluster: ['REPORT_BUCKET', 'CO_SECRET_ARN', 'STATE_TABLE', ...TOOL_ENV],
  MarkUnreadable: ['REPORT_BUCKET'],
  Audit: ['REPORT_BUCKET'],
  Sync: ['REPORT_BUCKET', 'CO_SECRET_ARN', 'STATE_TABLE', ...TOOL_ENV],
  Verify: ['REPORT_BUCKET', 'CO_SECRET_ARN', 'STATE_TABLE', ...TOOL_ENV, 'KEY_DETAILS'],
  Protect: ['REPORT_BUCKET', 'RECOVERY_REGION'],
  Alert: ['REPORT_BUCKET', 'ALERT_TOPIC_ARN', 'STATE_TABLE', 'ALERT_WINDOW_HOURS'],
  Trigger: ['STATE_MACHINE_ARN', 'CLUSTER_IDS', 'DRY_RUN_DEFAULT', 'STATE_TABLE'],
  RunbookUrl: ['STATE_MACHINE_ARN', 'CLUSTER_IDS', 'DRY_RUN_DEFAULT', 'STATE_TABLE'],
};

describe('the Lambda functions', () => {
  const synth = synthesized();
  const functions = resourcesOf(synth.template, 'AWS::Lambda::Function');
  const propsOf = (constructId: string): Props =>
    functions[functionLogicalId(synth, constructId)]?.Properties ?? {};

  it('are the eleven handlers of the contract, each with its own role', () => {
    expect(Object.keys(functions)).toHaveLength(11);
    const roles = Object.values(functions).map((f) => JSON.stringify(f.Properties.Role));
    expect(new Set(roles).size).toBe(11);
  });

  it.each(Object.keys(BUNDLED))(
    '%s is bundled for nodejs24.x on arm64 with active tracing and JSON logs',
    (id) => {
      const props = propsOf(id);

      expect(props).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogFormat: 'JSON' },
      });
      expect(props.VpcConfig).toBeUndefined();
    },
  );

  it.each(Object.entries(NODE_ACCESS))(
    '%s runs the node-access image (no build at synth) with its own handler, in the VPC',
    (id, handler) => {
      const props = propsOf(id);
      const [, digest] = (TEST_CONTEXT.nodeAccessImageUri as string).split('@');

      expect(props.PackageType).toBe('Image');
      expect(JSON.stringify((props.Code as Props).ImageUri)).toContain(`/hsm-sentinel-node-access@${digest}`);
      expect(JSON.stringify((props.Code as Props).ImageUri)).toContain('123456789012.dkr.ecr.eu-west-1.');
      expect(props.ImageConfig).toEqual({ Command: [`${handler}.handler`] });
      expect(props.Architectures).toEqual(['x86_64']);
      expect(props.TracingConfig).toEqual({ Mode: 'Active' });
      expect((props.VpcConfig as Props).SubnetIds).toEqual(TEST_CONTEXT.subnetIds);
      const [sg] = (props.VpcConfig as { SecurityGroupIds: { 'Fn::GetAtt': [string, string] }[] })
        .SecurityGroupIds;
      expect(sg?.['Fn::GetAtt'][0]).toMatch(/^NetworkNodeAccessSecurityGroup/);
    },
  );

  it('puts exactly the node-access handlers in the VPC', () => {
    const inVpc = Object.entries(functions)
      .filter(([, f]) => f.Properties.VpcConfig !== undefined)
      .map(([logicalId]) => logicalId)
      .sort();

    expect(inVpc).toEqual(
      Object.keys(NODE_ACCESS)
        .map((id) => functionLogicalId(synth, id))
        .sort(),
    );
    expect(Object.values(NODE_ACCESS)).toEqual([...NODE_ACCESS_HANDLERS]);
  });

  it.each(Object.entries(EXPECTED_ENV))('%s gets the environment of the contract', (id, names) => {
    const env = ((propsOf(id).Environment as { Variables: Record<string, unknown> }).Variables ??
      {}) as Record<string, unknown>;

    for (const name of [...names, 'POWERTOOLS_SERVICE_NAME', 'POWERTOOLS_METRICS_NAMESPACE']) {
      expect(env).toHaveProperty(name);
    }
    expect(env.POWERTOOLS_SERVICE_NAME).toBe('hsm-sentinel');
    expect(env.POWERTOOLS_METRICS_NAMESPACE).toBe('HsmSentinel');
    if ('CO_SECRET_ARN' in env) expect(env.CO_SECRET_ARN).toBe(TEST_CONTEXT.coSecretArn);
    if ('RECOVERY_REGION' in env) expect(env.RECOVERY_REGION).toBe('eu-central-1');
    if ('CLUSTER_IDS' in env) expect(env.CLUSTER_IDS).toBe('cluster-igklspoyj5v,cluster-jxhlf7644ne');
    if ('DRY_RUN_DEFAULT' in env) expect(env.DRY_RUN_DEFAULT).toBe('true');
    // Secrets never travel in the environment: only the secret's ARN (SDK 5: a map of them, checked here).
    expect(
      Object.keys(env).filter((k) => /PASSWORD|SECRET(?!_ARN)/.test(k) && k !== 'CLOUDHSM_CLI_USER_SECRETS'),
    ).toEqual([]);
    // The default deployment names no crypto user's secret (the SDK 5 block checks a configured one).
    if ('CLOUDHSM_CLI_USER_SECRETS' in env) expect(env.CLOUDHSM_CLI_USER_SECRETS).toBe('{}');
  });

  it('writes each function log to its own log group with a retention', () => {
    const groups = resourcesOf(synth.template, 'AWS::Logs::LogGroup');
    const used = Object.values(functions).map(
      (f) => ((f.Properties.LoggingConfig as Props).LogGroup as { Ref: string }).Ref,
    );

    expect(new Set(used).size).toBe(11);
    for (const ref of used) expect(groups[ref]?.Properties.RetentionInDays).toBe(365);
  });
});

describe('the node-access network', () => {
  const synth = synthesized();
  const egress = Object.values(resourcesOf(synth.template, 'AWS::EC2::SecurityGroupEgress')).map(
    (r) => r.Properties,
  );
  const ingress = Object.values(resourcesOf(synth.template, 'AWS::EC2::SecurityGroupIngress')).map(
    (r) => r.Properties,
  );
  const groups = resourcesOf(synth.template, 'AWS::EC2::SecurityGroup');
  const nodeSgId = Object.keys(groups).find((id) => id.startsWith('NetworkNodeAccessSecurityGroup')) ?? '';
  const endpointSgId = Object.keys(groups).find((id) => id.startsWith('NetworkEndpointSecurityGroup')) ?? '';
  const isNodeSg = (ref: unknown) =>
    JSON.stringify(ref) === JSON.stringify({ 'Fn::GetAtt': [nodeSgId, 'GroupId'] });

  it('lets the node-access group out only to the HSMs on TCP 2223-2225 and to the endpoints on 443', () => {
    const mine = egress.filter((e) => isNodeSg(e?.GroupId));

    expect(groups[nodeSgId]?.Properties.SecurityGroupEgress).toBeUndefined();
    expect(mine).toHaveLength(2);
    expect(mine).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          IpProtocol: 'tcp',
          FromPort: 2223,
          ToPort: 2225,
          DestinationSecurityGroupId: TEST_CONTEXT.hsmSecurityGroupId,
        }),
        expect.objectContaining({
          IpProtocol: 'tcp',
          FromPort: 443,
          ToPort: 443,
          DestinationSecurityGroupId: { 'Fn::GetAtt': [endpointSgId, 'GroupId'] },
        }),
      ]),
    );
    expect(mine.some((e) => e?.CidrIp !== undefined)).toBe(false);
  });

  it('opens the cluster security group to the node-access group on TCP 2223-2225 only', () => {
    const toHsm = ingress.filter((i) => i?.GroupId === TEST_CONTEXT.hsmSecurityGroupId);

    expect(toHsm).toEqual([
      expect.objectContaining({
        IpProtocol: 'tcp',
        FromPort: 2223,
        ToPort: 2225,
        SourceSecurityGroupId: expect.anything(),
      }),
    ]);
    expect(isNodeSg(toHsm[0]?.SourceSecurityGroupId)).toBe(true);
  });

  it('creates interface endpoints for S3, Secrets Manager and CloudHSM, one subnet per AZ, HTTPS from the functions only', () => {
    const endpoints = Object.values(resourcesOf(synth.template, 'AWS::EC2::VPCEndpoint')).map(
      (r) => r.Properties,
    );
    const services = endpoints.map((e) => JSON.stringify(e?.ServiceName));

    expect(endpoints).toHaveLength(3);
    for (const name of ['.s3"', '.secretsmanager"', '.cloudhsmv2"']) {
      expect(services.some((s) => s.endsWith(`${name}]]}`))).toBe(true);
    }
    for (const e of endpoints) {
      expect(e).toMatchObject({
        VpcEndpointType: 'Interface',
        PrivateDnsEnabled: true,
        VpcId: TEST_CONTEXT.vpcId,
      });
      expect(e?.SubnetIds).toEqual(['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002']);
    }
    const toEndpoints = ingress.filter(
      (i) => JSON.stringify(i?.GroupId) === JSON.stringify({ 'Fn::GetAtt': [endpointSgId, 'GroupId'] }),
    );
    expect(toEndpoints).toHaveLength(1);
    expect(isNodeSg(toEndpoints[0]?.SourceSecurityGroupId)).toBe(true);
  });

  it('gives the S3 interface endpoint private DNS for every resolver (no S3 gateway endpoint is assumed)', () => {
    // With private DNS on and no DnsOptions, EC2 turns on "private DNS only for inbound
    // endpoints" for S3, which needs a gateway endpoint in the VPC (the deployment fails
    // without one; with one, VPC traffic goes to the gateway, which the node-access group
    // does not allow): the functions must reach S3 through this interface endpoint.
    const s3 = Object.values(resourcesOf(synth.template, 'AWS::EC2::VPCEndpoint'))
      .map((r) => r.Properties)
      .find((e) => JSON.stringify(e?.ServiceName).endsWith('.s3"]]}'));

    expect(s3?.DnsOptions).toEqual({ PrivateDnsOnlyForInboundResolverEndpoint: 'AllResolvers' });
  });

  it('without endpoints, allows HTTPS out through the VPC instead, and nothing else new', () => {
    const alt = synthesized({ createVpcEndpoints: false, manageHsmIngress: false });
    const altGroups = resourcesOf(alt.template, 'AWS::EC2::SecurityGroup');
    const altNodeSg = Object.keys(altGroups).find((id) => id.startsWith('NetworkNodeAccessSecurityGroup'));

    expect(Object.keys(resourcesOf(alt.template, 'AWS::EC2::VPCEndpoint'))).toHaveLength(0);
    expect(Object.keys(resourcesOf(alt.template, 'AWS::EC2::SecurityGroupIngress'))).toHaveLength(0);
    expect(altGroups[altNodeSg ?? '']?.Properties.SecurityGroupEgress).toEqual([
      expect.objectContaining({ CidrIp: '0.0.0.0/0', IpProtocol: 'tcp', FromPort: 443, ToPort: 443 }),
    ]);
    const altEgress = Object.values(resourcesOf(alt.template, 'AWS::EC2::SecurityGroupEgress')).map(
      (r) => r.Properties,
    );
    expect(altEgress).toEqual([
      expect.objectContaining({
        FromPort: 2223,
        ToPort: 2225,
        DestinationSecurityGroupId: TEST_CONTEXT.hsmSecurityGroupId,
      }),
    ]);
  });
});

// ---- triggers and data ----
describe('the triggers', () => {
  const synth = synthesized();
  const trigger = { 'Fn::GetAtt': [functionLogicalId(synth, 'Trigger'), 'Arn'] };

  it('start the periodic resync on the schedule (default every 6 hours) through the trigger function', () => {
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(6 hours)',
      State: 'ENABLED',
      Targets: [
        Match.objectLike({
          Arn: trigger,
          RetryPolicy: { MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 3600 },
        }),
      ],
    });
  });

  it('start a run when CloudTrail records CreateHsm or DeleteHsm on a configured cluster', () => {
    synth.template.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aws.cloudhsm'],
        'detail-type': ['AWS API Call via CloudTrail'],
        detail: {
          eventSource: ['cloudhsm.amazonaws.com'],
          eventName: ['CreateHsm', 'DeleteHsm'],
          requestParameters: { clusterId: TEST_CONTEXT.clusterIds },
        },
      },
      Targets: [Match.objectLike({ Arn: trigger })],
    });
    expect(Object.keys(resourcesOf(synth.template, 'AWS::Events::Rule'))).toHaveLength(2);
  });

  it('let EventBridge (and only EventBridge, for these two rules) invoke the trigger function', () => {
    const permissions = Object.values(resourcesOf(synth.template, 'AWS::Lambda::Permission')).map(
      (p) => p.Properties,
    );

    expect(permissions).toHaveLength(2);
    for (const p of permissions) {
      expect(p).toMatchObject({
        Action: 'lambda:InvokeFunction',
        Principal: 'events.amazonaws.com',
        FunctionName: trigger,
      });
      expect(p?.SourceArn).toEqual({
        'Fn::GetAtt': [expect.stringMatching(/^Triggers(Schedule|Scaling)Rule/), 'Arn'],
      });
    }
  });

  it('offer the runbook entry as a Function URL with AWS_IAM auth', () => {
    synth.template.hasResourceProperties('AWS::Lambda::Url', {
      AuthType: 'AWS_IAM',
      TargetFunctionArn: { 'Fn::GetAtt': [functionLogicalId(synth, 'RunbookUrl'), 'Arn'] },
    });
    expect(Object.keys(resourcesOf(synth.template, 'AWS::Lambda::Url'))).toHaveLength(1);
  });

  it('take another schedule from the parameters', () => {
    const alt = synthesized({ schedule: 'cron(0 */4 * * ? *)', staleAfterHours: 9 });

    alt.template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(0 */4 * * ? *)' });
  });
});

describe('the data', () => {
  const synth = synthesized();

  it('encrypts the alert topic with a customer managed key that rotates, and enforces TLS', () => {
    const [keyId] = Object.keys(resourcesOf(synth.template, 'AWS::KMS::Key'));
    synth.template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    synth.template.hasResourceProperties('AWS::SNS::Topic', {
      KmsMasterKeyId: { 'Fn::GetAtt': [keyId, 'Arn'] },
    });
    synth.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Effect: 'Deny',
            Action: 'sns:Publish',
            Principal: '*',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      },
    });
  });

  it('lets CloudWatch alarms use the topic key (else their notifications to the encrypted topic are dropped)', () => {
    synth.template.hasResourceProperties('AWS::KMS::Key', {
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({
            Principal: { Service: 'cloudwatch.amazonaws.com' },
            Action: ['kms:Decrypt', 'kms:GenerateDataKey'],
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      },
    });
  });

  it('subscribes each alert e-mail address from the parameters', () => {
    const subscriptions = Object.values(resourcesOf(synth.template, 'AWS::SNS::Subscription')).map(
      (s) => s.Properties,
    );

    expect(subscriptions.map((s) => s?.Endpoint).sort()).toEqual(
      [...(TEST_CONTEXT.alertEmails as string[])].sort(),
    );
    for (const s of subscriptions) expect(s?.Protocol).toBe('email');
  });

  it('keeps reports in an encrypted, private, TLS-only, versioned bucket whose runs expire', () => {
    synth.template.hasResourceProperties('AWS::S3::Bucket', {
      BucketEncryption: {
        ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
      },
      PublicAccessBlockConfiguration: {
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      },
      VersioningConfiguration: { Status: 'Enabled' },
      LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'report-bucket/' }),
      LifecycleConfiguration: {
        Rules: Match.arrayWith([
          Match.objectLike({ Id: 'ExpireRuns', Prefix: 'runs/', ExpirationInDays: 90, Status: 'Enabled' }),
        ]),
      },
    });
    const policies = Object.values(resourcesOf(synth.template, 'AWS::S3::BucketPolicy'));
    expect(policies).toHaveLength(2);
    for (const p of policies) {
      expect((p.Properties.PolicyDocument as { Statement: unknown[] }).Statement).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Effect: 'Deny',
            Condition: { Bool: { 'aws:SecureTransport': 'false' } },
          }),
        ]),
      );
    }
    for (const b of Object.values(resourcesOf(synth.template, 'AWS::S3::Bucket'))) {
      expect(b.Properties.PublicAccessBlockConfiguration).toEqual({
        BlockPublicAcls: true,
        BlockPublicPolicy: true,
        IgnorePublicAcls: true,
        RestrictPublicBuckets: true,
      });
    }
  });

  it('keeps the alert memory in an on-demand, point-in-time-recoverable, encrypted table with TTL', () => {
    synth.template.hasResourceProperties('AWS::DynamoDB::Table', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      SSESpecification: { SSEEnabled: true },
    });
  });
});

// ---- observability ----
type Alarm = Record<string, unknown>;

describe('the alarms and the dashboard', () => {
  const synth = synthesized();
  const alarms = Object.values(resourcesOf(synth.template, 'AWS::CloudWatch::Alarm')).map(
    (a) => a.Properties as Alarm,
  );
  const [topicId] = Object.keys(resourcesOf(synth.template, 'AWS::SNS::Topic'));
  const forCluster = (clusterId: string, metricName: string) =>
    alarms.filter(
      (a) =>
        a.MetricName === metricName &&
        JSON.stringify(a.Dimensions) === JSON.stringify([{ Name: 'ClusterId', Value: clusterId }]),
    );

  it('uses the metric names the alert function emits', async () => {
    const { RUN_METRIC_NAMES } = await import('../../functions/aws/run-metrics.ts');

    expect([...RUN_METRICS]).toEqual([...RUN_METRIC_NAMES]);
  });

  it.each(TEST_CONTEXT.clusterIds as string[])('alarm on single-node objects > 0 for %s', (clusterId) => {
    expect(forCluster(clusterId, 'ObjectsSingleNode')).toEqual([
      expect.objectContaining({
        Namespace: 'HsmSentinel',
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 0,
        Statistic: 'Maximum',
      }),
    ]);
  });

  it.each(TEST_CONTEXT.clusterIds as string[])('alarm on a failed run of %s', (clusterId) => {
    expect(forCluster(clusterId, 'RunFailed')).toEqual([
      expect.objectContaining({
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Threshold: 1,
        Statistic: 'Sum',
      }),
    ]);
  });

  it.each(TEST_CONTEXT.clusterIds as string[])(
    'alarm when %s had no successful run within twice the schedule, missing data breaching',
    (clusterId) => {
      expect(forCluster(clusterId, 'RunSucceeded')).toEqual([
        expect.objectContaining({
          ComparisonOperator: 'LessThanThreshold',
          Threshold: 1,
          Statistic: 'Sum',
          Period: 12 * 3600,
          EvaluationPeriods: 1,
          TreatMissingData: 'breaching',
        }),
      ]);
    },
  );

  it('spreads a staleness window longer than a day over hourly periods, all of which must breach', () => {
    const alt = synthesized({ schedule: 'rate(1 day)' });
    const stale = Object.values(resourcesOf(alt.template, 'AWS::CloudWatch::Alarm'))
      .map((a) => a.Properties as Alarm)
      .filter((a) => a.MetricName === 'RunSucceeded');

    expect(stale[0]).toMatchObject({ Period: 3600, EvaluationPeriods: 48, DatapointsToAlarm: 48 });
  });

  it('alarm on failed or timed-out executions of the state machine', () => {
    const execution = alarms.filter((a) => Array.isArray(a.Metrics));

    expect(execution).toHaveLength(1);
    expect(JSON.stringify(execution[0]?.Metrics)).toContain('ExecutionsFailed');
    expect(JSON.stringify(execution[0]?.Metrics)).toContain('ExecutionsTimedOut');
  });

  it('notify the alert topic, on alarm and on recovery', () => {
    expect(alarms).toHaveLength(3 * (TEST_CONTEXT.clusterIds as string[]).length + 1);
    for (const a of alarms) {
      expect(a.AlarmActions).toEqual([{ Ref: topicId }]);
      expect(a.OKActions).toEqual([{ Ref: topicId }]);
    }
  });

  it('show every run metric of every cluster on one dashboard', () => {
    const dashboards = Object.values(resourcesOf(synth.template, 'AWS::CloudWatch::Dashboard'));
    const body = JSON.stringify(dashboards[0]?.Properties.DashboardBody);

    expect(dashboards).toHaveLength(1);
    for (const metric of RUN_METRICS) expect(body).toContain(metric);
    for (const clusterId of TEST_CONTEXT.clusterIds as string[]) expect(body).toContain(clusterId);
    expect(body).toContain('ExecutionsFailed');
  });
});

// ---- iam ----
interface Statement {
  Sid?: string;
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

/** Every identity-policy statement, with the logical id of the role it belongs to. */
function identityStatements(template: Template): { role: string; statement: Statement }[] {
  const out: { role: string; statement: Statement }[] = [];
  for (const [roleId, role] of Object.entries(resourcesOf(template, 'AWS::IAM::Role'))) {
    for (const policy of (role.Properties.Policies ?? []) as {
      PolicyDocument: { Statement: Statement[] };
    }[]) {
      for (const statement of policy.PolicyDocument.Statement) out.push({ role: roleId, statement });
    }
  }
  for (const policy of Object.values(resourcesOf(template, 'AWS::IAM::Policy'))) {
    const roles = (policy.Properties.Roles ?? []) as { Ref: string }[];
    for (const statement of (policy.Properties.PolicyDocument as { Statement: Statement[] }).Statement) {
      for (const r of roles) out.push({ role: r.Ref, statement });
    }
  }
  return out;
}

const actions = (s: Statement) => [s.Action].flat();
const resources = (s: Statement) => [s.Resource].flat();

/** The only actions allowed on Resource '*': AWS has no resource-level permissions for them. */
const WILDCARD_RESOURCE_ACTIONS = new Set([
  'xray:PutTraceSegments',
  'xray:PutTelemetryRecords',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'cloudhsm:DescribeClusters',
  'cloudhsm:DescribeBackups',
  'cloudwatch:GetMetricData',
  'ec2:DescribeNetworkInterfaces',
  'ec2:DescribeSubnets',
  'logs:CreateLogDelivery',
  'logs:GetLogDelivery',
  'logs:UpdateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:DescribeResourcePolicies',
  'logs:DescribeLogGroups',
]);

describe('least privilege', () => {
  const synth = synthesized();
  const all = identityStatements(synth.template);
  const roleOf = (constructId: string) =>
    synth.stack.getLogicalId(
      functionConstruct(synth, constructId).node.findChild('Identity').node.findChild('Role').node
        .defaultChild as never,
    );
  const statementsOf = (constructId: string) =>
    all.filter((s) => s.role === roleOf(constructId)).map((s) => s.statement);
  const granting = (constructId: string, action: string) =>
    statementsOf(constructId).filter((s) => actions(s).includes(action));

  // A check over every statement passes vacuously when it finds none: each one first counts them.
  const everyRoleHasStatements = () => {
    const roles = Object.keys(resourcesOf(synth.template, 'AWS::IAM::Role'));
    expect(roles.length).toBeGreaterThanOrEqual(11);
    expect(all.length).toBeGreaterThanOrEqual(roles.length);
  };

  it('never allows Action "*" or a service-wide "service:*"', () => {
    everyRoleHasStatements();
    const wild = all.filter(({ statement }) => actions(statement).some((a) => a === '*' || a.endsWith(':*')));

    expect(wild).toEqual([]);
  });

  it('names Resource "*" only for actions without resource-level permissions', () => {
    everyRoleHasStatements();
    expect(all.some(({ statement }) => resources(statement).includes('*'))).toBe(true);
    const offenders = all
      .filter(({ statement }) => resources(statement).includes('*'))
      .flatMap(({ role, statement }) =>
        actions(statement)
          .filter((a) => !WILDCARD_RESOURCE_ACTIONS.has(a))
          .map((a) => `${role}: ${a}`),
      );

    expect(offenders).toEqual([]);
  });

  it('only allows, never denies, in identity policies, and uses no AWS managed policy', () => {
    everyRoleHasStatements();
    expect(all.every(({ statement }) => statement.Effect === 'Allow')).toBe(true);
    for (const role of Object.values(resourcesOf(synth.template, 'AWS::IAM::Role'))) {
      expect(role.Properties.ManagedPolicyArns).toBeUndefined();
    }
  });

  it('lets Resolve and Sync (which re-checks membership) describe clusters, and nobody else', () => {
    const holders = [
      'Resolve',
      'CollectNode',
      'CollectCluster',
      'MarkUnreadable',
      'Audit',
      'Sync',
      'Verify',
      'Protect',
      'Alert',
      'Trigger',
    ].filter((id) => granting(id, 'cloudhsm:DescribeClusters').length > 0);

    expect(holders).toEqual(['Resolve', 'Sync']);
  });

  it('lets Protect keep and copy backups by ARN, and only list them on "*"', () => {
    const [modify] = granting('Protect', 'cloudhsm:ModifyBackupAttributes');

    expect(actions(modify as Statement).sort()).toEqual([
      'cloudhsm:CopyBackupToRegion',
      'cloudhsm:ModifyBackupAttributes',
    ]);
    expect(JSON.stringify(modify?.Resource)).toContain(':backup/*');
    expect(granting('Protect', 'cloudhsm:DescribeBackups')[0]?.Resource).toBe('*');
    const noCopy = synthesized({ recoveryRegion: '' });
    const copy = identityStatements(noCopy.template).filter(({ statement }) =>
      actions(statement).includes('cloudhsm:CopyBackupToRegion'),
    );
    expect(copy).toEqual([]);
  });

  it('lets only the four node-access functions read the one CO secret', () => {
    const readers = all.filter(({ statement }) =>
      actions(statement).includes('secretsmanager:GetSecretValue'),
    );

    expect(readers.map((r) => r.role).sort()).toEqual(
      ['CollectNode', 'CollectCluster', 'Sync', 'Verify'].map(roleOf).sort(),
    );
    for (const r of readers) expect(r.statement.Resource).toBe(TEST_CONTEXT.coSecretArn);
  });

  it('lets trigger and runbook start and list executions of the one state machine only', () => {
    const [machineId] = Object.keys(resourcesOf(synth.template, 'AWS::StepFunctions::StateMachine'));
    const starters = all.filter(({ statement }) => actions(statement).includes('states:StartExecution'));

    expect(starters.map((s) => s.role).sort()).toEqual(['RunbookUrl', 'Trigger'].map(roleOf).sort());
    for (const s of starters) {
      expect(actions(s.statement).sort()).toEqual(['states:ListExecutions', 'states:StartExecution']);
      expect(s.statement.Resource).toEqual({ Ref: machineId });
    }
  });

  it('gives trigger, runbook, Alert and the node-access functions the one state table (STATE_TABLE)', () => {
    const [tableId] = Object.keys(resourcesOf(synth.template, 'AWS::DynamoDB::Table'));
    const functions = resourcesOf(synth.template, 'AWS::Lambda::Function');
    const holders = Object.entries(functions)
      .filter(([, f]) => (f.Properties.Environment as Props | undefined)?.Variables !== undefined)
      .filter(([, f]) => 'STATE_TABLE' in ((f.Properties.Environment as Props).Variables as Props))
      .map(([id, f]) => {
        expect(((f.Properties.Environment as Props).Variables as Props).STATE_TABLE).toEqual({
          Ref: tableId,
        });
        return id;
      });

    expect(holders.sort()).toEqual(
      ['Alert', 'RunbookUrl', 'Trigger', 'CollectNode', 'CollectCluster', 'Sync', 'Verify']
        .map((id) => functionLogicalId(synth, id))
        .sort(),
    );
  });

  it('lets trigger and runbook take run locks (PutItem, GetItem on lock# items) and describe executions of the one machine', () => {
    const [tableId] = Object.keys(resourcesOf(synth.template, 'AWS::DynamoDB::Table'));
    const [machineId] = Object.keys(resourcesOf(synth.template, 'AWS::StepFunctions::StateMachine'));
    const lockKeys = { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['lock#*'] } };
    const dynamoHolders = all.filter(({ statement }) =>
      actions(statement).some((a) => a.startsWith('dynamodb:')),
    );
    const byRole: Record<string, string[]> = {};
    for (const { role, statement } of dynamoHolders) {
      byRole[role] = [...(byRole[role] ?? []), ...actions(statement)].sort();
      expect(statement.Resource).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });
    }

    expect(byRole).toEqual({
      [roleOf('Trigger')]: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      [roleOf('RunbookUrl')]: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      [roleOf('Alert')]: ['dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:PutItem'],
      // The lockout guard's memory: refused secret versions, and nothing else of the table.
      [roleOf('CollectNode')]: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      [roleOf('CollectCluster')]: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      [roleOf('Sync')]: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      [roleOf('Verify')]: ['dynamodb:GetItem', 'dynamodb:PutItem'],
    });
    for (const id of ['CollectNode', 'CollectCluster', 'Sync', 'Verify']) {
      expect(granting(id, 'dynamodb:PutItem')).toEqual([
        expect.objectContaining({
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['refused#*'] } },
        }),
      ]);
    }
    for (const id of ['Trigger', 'RunbookUrl']) {
      expect(granting(id, 'dynamodb:PutItem')).toEqual([
        expect.objectContaining({
          Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
          Condition: lockKeys,
        }),
      ]);
      const [describe] = granting(id, 'states:DescribeExecution');
      expect(actions(describe as Statement)).toEqual(['states:DescribeExecution']);
      expect(JSON.stringify(describe?.Resource)).toContain(':execution:');
      expect(JSON.stringify(describe?.Resource)).toContain(`{"Fn::GetAtt":["${machineId}","Name"]},":*"`);
    }
    expect(granting('Alert', 'dynamodb:DeleteItem')).toEqual([
      expect.objectContaining({ Action: 'dynamodb:DeleteItem', Condition: lockKeys }),
    ]);
    expect(
      all
        .filter(({ statement }) => actions(statement).includes('states:DescribeExecution'))
        .map((s) => s.role)
        .sort(),
    ).toEqual(['RunbookUrl', 'Trigger'].map(roleOf).sort());
  });

  it('lets Alert publish to the one topic, use its key, and read/write its dedup items', () => {
    const [topicId] = Object.keys(resourcesOf(synth.template, 'AWS::SNS::Topic'));
    const [keyId] = Object.keys(resourcesOf(synth.template, 'AWS::KMS::Key'));
    const [tableId] = Object.keys(resourcesOf(synth.template, 'AWS::DynamoDB::Table'));

    expect(
      all.filter(({ statement }) => actions(statement).includes('sns:Publish')).map((s) => s.role),
    ).toEqual([roleOf('Alert')]);
    expect(granting('Alert', 'sns:Publish')[0]?.Resource).toEqual({ Ref: topicId });
    expect(granting('Alert', 'kms:GenerateDataKey')[0]?.Resource).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(granting('Alert', 'dynamodb:PutItem')[0]).toMatchObject({
      Action: ['dynamodb:GetItem', 'dynamodb:PutItem'],
      Resource: { 'Fn::GetAtt': [tableId, 'Arn'] },
      Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': ['alert#*'] } },
    });
  });

  it('gives S3 access only to the runs/ prefix of the one report bucket, and only what each step does', () => {
    const [bucketId] = Object.keys(resourcesOf(synth.template, 'AWS::S3::Bucket')).filter((id) =>
      id.startsWith('ReportsBucket'),
    );
    const s3 = all.filter(({ statement }) => actions(statement).some((a) => a.startsWith('s3:')));
    const byRole = Object.fromEntries(s3.map((s) => [s.role, actions(s.statement).sort()]));

    for (const s of s3) {
      expect(s.statement.Resource).toEqual({
        'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/runs/*']],
      });
    }
    expect(byRole).toEqual({
      [roleOf('CollectNode')]: ['s3:PutObject'],
      [roleOf('CollectCluster')]: ['s3:PutObject'],
      [roleOf('MarkUnreadable')]: ['s3:PutObject'],
      [roleOf('Audit')]: ['s3:GetObject', 's3:PutObject'],
      [roleOf('Sync')]: ['s3:GetObject', 's3:PutObject'],
      [roleOf('Verify')]: ['s3:GetObject', 's3:PutObject'],
      [roleOf('Alert')]: ['s3:GetObject', 's3:PutObject'],
    });
  });

  it('lets each function write only to its own log group', () => {
    const writers = all.filter(({ statement }) => actions(statement).includes('logs:PutLogEvents'));

    expect(writers).toHaveLength(11);
    expect(new Set(writers.map((w) => JSON.stringify(w.statement.Resource))).size).toBe(11);
  });

  it('pins the node-access ENIs to the configured subnets and security group', () => {
    const [create] = granting('CollectNode', 'ec2:CreateNetworkInterface');
    const text = JSON.stringify(create?.Resource);

    for (const subnet of TEST_CONTEXT.subnetIds as string[]) expect(text).toContain(`subnet/${subnet}`);
    expect(text).toContain('security-group/');
    expect(granting('Audit', 'ec2:CreateNetworkInterface')).toEqual([]);
  });

  it('grants the CO secret key only through Secrets Manager when the secret has its own key', () => {
    const keyArn = 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab';
    const alt = synthesized({ coSecretKmsKeyArn: keyArn });
    const decrypt = identityStatements(alt.template).filter(
      ({ statement }) => statement.Resource === keyArn && actions(statement).includes('kms:Decrypt'),
    );

    expect(decrypt).toHaveLength(4);
    for (const d of decrypt) {
      expect(d.statement.Condition).toEqual({
        StringEquals: {
          'kms:ViaService': {
            'Fn::Join': ['', ['secretsmanager.', { Ref: 'AWS::Region' }, '.amazonaws.com']],
          },
        },
      });
    }
  });
});

describe('retentionAtLeast', () => {
  it('rounds up to a retention CloudWatch Logs accepts', () => {
    expect(retentionAtLeast(365)).toBe(365);
    expect(retentionAtLeast(100)).toBe(120);
    expect(retentionAtLeast(1)).toBe(1);
  });
});

// ---- SDK 5 (cloudhsm-cli) ----
describe('the SDK 5 cloudhsm-cli deployment', () => {
  const aliceArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hsm-sentinel/alice-AbCdEf';
  const carolArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hsm-sentinel/carol-GhIjKl';
  const synth = synthesized({
    cryptoUsers: ['alice'],
    cryptoUserSecrets: { alice: aliceArn, carol: carolArn },
  });
  const all = identityStatements(synth.template);
  const roleOf = (constructId: string) =>
    synth.stack.getLogicalId(
      functionConstruct(synth, constructId).node.findChild('Identity').node.findChild('Role').node
        .defaultChild as never,
    );
  const functions = resourcesOf(synth.template, 'AWS::Lambda::Function');
  const envOf = (id: string): Record<string, unknown> => {
    const environment = functions[functionLogicalId(synth, id)]?.Properties.Environment as Props | undefined;
    return (environment?.Variables ?? {}) as Record<string, unknown>;
  };

  it('lets only Resolve read the per-HSM CloudWatch counts (GetMetricData, no resource-level permission)', () => {
    const readers = all.filter(({ statement }) => actions(statement).includes('cloudwatch:GetMetricData'));

    expect(readers.map((r) => r.role)).toEqual([roleOf('Resolve')]);
    expect(readers[0]?.statement.Resource).toBe('*');
  });

  it("lets the node-access functions read the crypto users' own secrets, named one by one", () => {
    const readers = all.filter(
      ({ statement }) =>
        actions(statement).includes('secretsmanager:GetSecretValue') &&
        statement.Resource !== TEST_CONTEXT.coSecretArn,
    );

    expect(readers.map((r) => r.role).sort()).toEqual(
      ['CollectNode', 'CollectCluster', 'Sync', 'Verify'].map(roleOf).sort(),
    );
    for (const r of readers) expect(r.statement.Resource).toEqual([aliceArn, carolArn]);
  });

  it('gives the node-access functions the CLI settings: which crypto users list keys, where their secrets are, the config link target', () => {
    for (const id of ['CollectNode', 'CollectCluster', 'Sync', 'Verify']) {
      const env = envOf(id);
      expect(env).toMatchObject({
        CLOUDHSM_CLI_PATH: '/opt/cloudhsm/bin/cloudhsm-cli',
        CLOUDHSM_CLI_CRYPTO_USERS: 'alice',
        CLOUDHSM_CLI_USER_SECRETS: JSON.stringify({ alice: aliceArn, carol: carolArn }),
        CLOUDHSM_CLI_CONFIG_COPY: '/tmp/hsm-sentinel/cloudhsm-cli.cfg',
      });
      // Only the secrets' ARNs travel in the environment, never a value.
      const secrets = Object.values(
        JSON.parse(env.CLOUDHSM_CLI_USER_SECRETS as string) as Record<string, string>,
      );
      for (const arn of secrets) expect(arn).toMatch(/^arn:aws:secretsmanager:/);
    }
  });
});
