import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { ERROR_NAMES } from '#core/errors.ts';
import { executionArnOf } from '#providers/aws/step-functions-starter.ts';
import { lockItemKey } from '#store/dynamodb-run-lock.ts';
import { executionName } from '#workflow/triggers/run-request.ts';
import { type AwsClients, awsTriggerDeps } from '../../../functions/aws/deps.ts';
import { makeHandler as makeRunbookUrl } from '../../../functions/aws/runbook-url.ts';
import { makeHandler as makeTrigger } from '../../../functions/aws/trigger.ts';
import { FakeStateTable } from '../../support/aws/fake-state-table.ts';
import { lambdaContext, quietObservability } from '../../support/aws/lambda-test-kit.ts';
import { eventFixture } from '../../support/fixtures.ts';

const CLUSTER = 'cluster-igklspoyj5v';
const SM = 'arn:aws:states:us-east-1:111122223333:stateMachine:hsm-sentinel-audit-and-sync';
const CALLER = 'arn:aws:sts::111122223333:assumed-role/HsmOps/bob';
const ENV = {
  STATE_MACHINE_ARN: SM,
  CLUSTER_IDS: `${CLUSTER}, cluster-jxhlf7644ne`,
  DRY_RUN_DEFAULT: 'false',
  STATE_TABLE: 'hsm-sentinel-state',
};
const sfn = mockClient(SFNClient);
const dynamo = mockClient(DynamoDBClient);
let table: FakeStateTable;
beforeEach(() => {
  table = new FakeStateTable().attach(dynamo);
});
afterEach(() => {
  dynamo.reset();
});

function deps(env: Record<string, string> = ENV) {
  const clients = {
    sfn: new SFNClient({ region: 'us-east-1' }),
    dynamo: new DynamoDBClient({ region: 'us-east-1' }),
  } as AwsClients;
  const d = awsTriggerDeps({ env, clients });
  return { ...d, clock: () => new Date('2026-11-23T06:00:00.000Z') };
}

function startInputs() {
  return sfn.commandCalls(StartExecutionCommand).map((call) => call.args[0].input);
}

/** A Function URL request signed with SigV4 (AWS_IAM auth), as Lambda hands it over. */
function urlRequest(body: string, method = 'POST', isBase64Encoded = false) {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: '/',
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    body,
    isBase64Encoded,
    requestContext: {
      accountId: '111122223333',
      apiId: 'abcdefghijklmnopqrstuvwxyz0',
      domainName: 'abcdefghijklmnopqrstuvwxyz0.lambda-url.us-east-1.on.aws',
      domainPrefix: 'abcdefghijklmnopqrstuvwxyz0',
      http: { method, path: '/', protocol: 'HTTP/1.1', sourceIp: '203.0.113.7', userAgent: 'curl/8' },
      requestId: 'url-request-1',
      routeKey: '$default',
      stage: '$default',
      time: '23/Nov/2026:06:00:00 +0000',
      timeEpoch: 1795413600000,
      authorizer: {
        iam: {
          accessKey: 'ASIA000',
          accountId: '111122223333',
          callerId: 'AROA:bob',
          userArn: CALLER,
          userId: 'AROA:bob',
        },
      },
    },
  };
}

describe('functions/aws/trigger', () => {
  afterEach(() => {
    sfn.reset();
  });

  it('starts one execution per configured cluster on the schedule (EventBridge docs fixture)', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn
      .on(StartExecutionCommand)
      .callsFake((input: { name: string }) => ({ executionArn: `${SM}:${input.name}` }));

    const out = await makeTrigger(deps(), quietObservability())(
      eventFixture('scheduled-event'),
      lambdaContext(),
    );

    expect(out.kind).toBe('schedule');
    expect(out.outcomes.map((o) => o.started)).toEqual([true, true]);
    const [first] = startInputs();
    expect(first?.stateMachineArn).toBe(SM);
    expect(first?.name).toMatch(new RegExp(`^${CLUSTER}-schedule-[0-9a-f]{12}$`));
    const input = JSON.parse(first?.input ?? '{}');
    expect(input.context).toMatchObject({
      clusterId: CLUSTER,
      provider: 'aws',
      runId: first?.name,
      startedAt: '2026-11-23T06:00:00.000Z',
      policy: { dryRun: false },
      trigger: { kind: 'schedule' },
    });
  });

  it('starts a run for a CloudTrail CreateHsm event and ignores a failed call', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${SM}:x` });
    const handler = makeTrigger(deps(), quietObservability());

    const created = await handler(eventFixture('cloudtrail-create-hsm'), lambdaContext());
    const failed = await handler(eventFixture('cloudtrail-create-hsm-failed'), lambdaContext());

    expect(created.outcomes).toHaveLength(1);
    expect(startInputs()[0]?.name).toMatch(new RegExp(`^${CLUSTER}-scaling-`));
    expect(failed.outcomes).toEqual([]);
    expect(failed.ignored[0]).toMatch(/failed with/);
    expect(startInputs()).toHaveLength(1);
  });

  it('refuses a second concurrent run of a cluster and names the running one', async () => {
    const running = executionName(CLUSTER, 'schedule', 'aaaaaaaaaaaa');
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: `${SM.replace(':stateMachine:', ':execution:')}:${running}`,
          name: running,
          stateMachineArn: SM,
          status: 'RUNNING',
          startDate: new Date('2026-11-23T05:59:00Z'),
        },
      ],
    });

    const out = await makeTrigger(deps(), quietObservability())(
      eventFixture('runbook-request'),
      lambdaContext(),
    );

    expect(out.outcomes).toEqual([
      expect.objectContaining({ started: false, reason: 'already running', runningExecutionName: running }),
    ]);
    expect(startInputs()).toEqual([]);
  });

  it('rejects a malformed event with InvalidInputError and starts nothing', async () => {
    const handler = makeTrigger(deps(), quietObservability());

    await expect(
      handler({ source: 'aws.events', 'detail-type': 'Scheduled Event' }, lambdaContext()),
    ).rejects.toMatchObject({
      name: ERROR_NAMES.invalidInput,
      message: expect.stringMatching(/scheduled event is malformed: id: .*nothing was started/),
    });
    expect(sfn.commandCalls(ListExecutionsCommand)).toEqual([]);
    expect(startInputs()).toEqual([]);
  });

  it('names a missing variable at cold start (ConfigurationError)', () => {
    expect(() => awsTriggerDeps({ env: { STATE_MACHINE_ARN: SM } })).toThrow(/CLUSTER_IDS is not set/);
    expect(() => awsTriggerDeps({ env: { CLUSTER_IDS: CLUSTER } })).toThrow(/STATE_MACHINE_ARN is not set/);
    const { STATE_TABLE: _, ...noTable } = ENV;
    expect(() => awsTriggerDeps({ env: noTable })).toThrow(/STATE_TABLE is not set/);
    expect(() => awsTriggerDeps({ env: { ...ENV, RUN_LOCK_LEASE_HOURS: '0' } })).toThrow(
      /RUN_LOCK_LEASE_HOURS is '0'/,
    );
  });

  it("takes each started cluster's run lock in STATE_TABLE under the execution name", async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn
      .on(StartExecutionCommand)
      .callsFake((input: { name: string }) => ({ executionArn: `${SM}:${input.name}` }));

    const out = await makeTrigger(deps(), quietObservability())(
      eventFixture('scheduled-event'),
      lambdaContext(),
    );

    const names = out.outcomes.map((o) => o.executionName);
    expect(dynamo.commandCalls(PutItemCommand).map((c) => c.args[0].input.TableName)).toEqual([
      'hsm-sentinel-state',
      'hsm-sentinel-state',
    ]);
    expect(table.items.get(lockItemKey(CLUSTER))?.runId?.S).toBe(names[0]);
    expect(table.items.get(lockItemKey('cluster-jxhlf7644ne'))?.runId?.S).toBe(names[1]);
  });
});

describe('functions/aws/runbook-url', () => {
  afterEach(() => {
    sfn.reset();
  });

  it('starts the run the signed caller asked for (202) with the caller as requestedBy', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${SM}:r` });
    const body = JSON.stringify({ ...eventFixture('runbook-request'), requestedBy: 'someone-else' });

    const res = (await makeRunbookUrl(deps(), quietObservability())(urlRequest(body), lambdaContext())) as {
      statusCode: number;
      body: string;
    };

    expect(res.statusCode).toBe(202);
    expect(JSON.parse(res.body)).toMatchObject({ started: true, executionArn: `${SM}:r` });
    const input = JSON.parse(startInputs()[0]?.input ?? '{}');
    expect(input.context.trigger).toEqual({
      kind: 'runbook',
      detail: `requested by ${CALLER} (request 2f9c6f1e-8a41-4c1b-9f5e-3c7d2b1a0e99)`,
    });
    expect(input.context.policy).toMatchObject({
      dryRun: true,
      maxActionsPerRun: 10,
      allowedKinds: ['user'],
    });
  });

  it('answers 409 naming the running execution, 400 for a bad request, 405 for GET', async () => {
    const running = executionName(CLUSTER, 'runbook', 'bbbbbbbbbbbb');
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          name: running,
          executionArn: `arn:x:${running}`,
          stateMachineArn: SM,
          status: 'RUNNING',
          startDate: new Date(),
        },
      ],
    });
    const handler = makeRunbookUrl(deps(), quietObservability());
    const call = async (event: unknown) =>
      (await handler(event, lambdaContext())) as { statusCode: number; body: string };

    const busy = await call(urlRequest(JSON.stringify({ clusterId: CLUSTER })));
    expect(busy.statusCode).toBe(409);
    expect(JSON.parse(busy.body)).toMatchObject({ reason: 'already running', runningExecutionName: running });

    const notJson = await call(urlRequest('{"clusterId":'));
    expect(notJson.statusCode).toBe(400);
    expect(JSON.parse(notJson.body).message).toMatch(/not JSON/);

    const unknownCluster = await call(
      urlRequest(
        Buffer.from(JSON.stringify({ clusterId: 'cluster-zzzzzzzzzzz' })).toString('base64'),
        'POST',
        true,
      ),
    );
    expect(unknownCluster.statusCode).toBe(400);
    expect(JSON.parse(unknownCluster.body)).toMatchObject({ error: ERROR_NAMES.invalidInput });
    expect(JSON.parse(unknownCluster.body).message).toMatch(/cluster-zzzzzzzzzzz/);

    const spoofed = await call(urlRequest(JSON.stringify(eventFixture('scheduled-event'))));
    expect(spoofed.statusCode).toBe(400);
    expect(JSON.parse(spoofed.body).message).toMatch(/only runbook requests/);

    expect((await call(urlRequest('', 'GET'))).statusCode).toBe(405);
    expect(startInputs()).toEqual([]);
  });

  it('answers 409 when another run holds the cluster lock and is still RUNNING', async () => {
    const holder = executionName(CLUSTER, 'scaling', 'cccccccccccc');
    table.items.set(lockItemKey(CLUSTER), {
      pk: { S: lockItemKey(CLUSTER) },
      runId: { S: holder },
      acquiredAt: { S: '2026-11-23T05:59:59.000Z' },
      expiresAt: { N: String(Math.floor(Date.parse('2026-11-23T12:00:00Z') / 1000)) },
    });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING', startDate: new Date() });

    const res = (await makeRunbookUrl(deps(), quietObservability())(
      urlRequest(JSON.stringify({ clusterId: CLUSTER })),
      lambdaContext(),
    )) as { statusCode: number; body: string };

    expect(res.statusCode).toBe(409);
    expect(JSON.parse(res.body)).toMatchObject({
      reason: 'already running',
      runningExecutionName: holder,
      runningExecutionArn: executionArnOf(SM, holder),
    });
    expect(startInputs()).toEqual([]);
  });
});
