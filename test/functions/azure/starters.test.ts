import { HttpRequest, type HttpResponseInit, type Timer } from '@azure/functions';
import { describe, expect, it } from '@jest/globals';
import { createAzureApp } from '../../../functions/azure/app.ts';
import type { OrchestrationInput } from '../../../functions/azure/contracts.ts';
import { orchestrationInputSchema } from '../../../functions/azure/contracts.ts';
import { instanceIdFor } from '../../../functions/azure/start-run.ts';
import type { TimerStartResult } from '../../../functions/azure/timer-start.ts';
import { CLUSTER_ID, OTHER_CLUSTER_ID } from '../../support/azure/fake-azure.ts';
import { FakeDurableClient, invocation, type LogLine, TEST_ENV } from '../../support/azure/functions.ts';

const URL_ = 'https://fn-sentinel.azurewebsites.net/api/runs';
const clock = () => new Date('2026-11-23T12:00:00.000Z');

function setup(env: Record<string, string> = TEST_ENV) {
  const durable = new FakeDurableClient();
  const app = createAzureApp({ env, clientFor: () => durable, clock });
  return { durable, app };
}

function post(body: string): HttpRequest {
  return new HttpRequest({
    method: 'POST',
    url: URL_,
    body: { string: body },
    headers: { 'content-type': 'application/json', 'x-ms-client-principal-name': 'oncall@contoso.com' },
  });
}

async function errorOf(response: HttpResponseInit): Promise<string> {
  return (response.jsonBody as { error: string }).error;
}

const timer: Timer = {
  isPastDue: false,
  schedule: { adjustForDST: true },
  scheduleStatus: { last: '', next: '', lastUpdated: '' },
};

describe('HTTP trigger (runbook start)', () => {
  const id = (extra: Record<string, unknown> = {}) => JSON.stringify({ clusterId: CLUSTER_ID, ...extra });
  it.each([
    ['an empty body', '', /the body is empty/],
    ['a body that is not JSON', '{not json', /the body is not JSON/],
    ['no clusterId', '{}', /runbook request is malformed: clusterId: /],
    ['an unknown field', id({ force: true }), /Unrecognized key.*force/],
    ['a dryRun that is not a boolean', id({ dryRun: 'yes' }), /dryRun: .*boolean/],
    [
      'an AWS cluster id',
      JSON.stringify({ clusterId: 'cluster-igklspoyj5v' }),
      /not the ARM resource id of an Azure Cloud HSM cluster/,
    ],
    ['a policy out of range', id({ policy: { maxActionsPerRun: -1 } }), /policy.maxActionsPerRun/],
    [
      'a cluster this app does not look after',
      JSON.stringify({ clusterId: CLUSTER_ID.replace('chsm-prod', 'chsm-other') }),
      /not a cluster this deployment looks after \(HSM_SENTINEL_CLUSTER_IDS: /,
    ],
  ])('answers %s with 400 and the reason', async (_label, body, reason) => {
    const { durable, app } = setup();

    const response = await app.httpStart(post(body), invocation('http'));

    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatch(reason);
    expect(durable.starts).toEqual([]);
  });

  it('answers 409 naming the running instance when the cluster has one', async () => {
    const { durable, app } = setup();
    const instanceId = instanceIdFor(CLUSTER_ID);
    durable.instances.set(instanceId, {
      runtimeStatus: 'Running',
      createdTime: new Date('2026-11-23T11:58:00Z'),
      input: {},
    });

    const response = await app.httpStart(post(JSON.stringify({ clusterId: CLUSTER_ID })), invocation('http'));

    expect(response.status).toBe(409);
    expect(await errorOf(response)).toBe(
      `a run of cluster ${CLUSTER_ID} is already Running: instance ${instanceId} (since 2026-11-23T11:58:00.000Z); wait for it to finish`,
    );
    expect(durable.starts).toEqual([]);
  });

  it('starts one orchestration with a valid input and answers with the status-check response', async () => {
    const { durable, app } = setup();

    const response = await app.httpStart(
      post(
        JSON.stringify({
          clusterId: CLUSTER_ID.toUpperCase().replace('/SUBSCRIPTIONS', '/subscriptions'),
          dryRun: true,
          policy: { maxActionsPerRun: 5 },
        }),
      ),
      invocation('http'),
    );

    expect(response.status).toBe(202);
    expect((response as HttpResponseInit).jsonBody).toMatchObject({ id: instanceIdFor(CLUSTER_ID) });
    const [start] = durable.starts;
    expect(start?.instanceId).toBe(instanceIdFor(CLUSTER_ID));
    const input = orchestrationInputSchema.parse(start?.input) as OrchestrationInput;
    expect(input.context).toMatchObject({
      clusterId: CLUSTER_ID,
      provider: 'azure',
      startedAt: '2026-11-23T12:00:00.000Z',
      policy: { dryRun: true, maxActionsPerRun: 5, requireAllNodesLoggedIn: true },
      trigger: { kind: 'runbook' },
    });
    expect(input.context.trigger.detail).toContain('oncall@contoso.com');
  });

  it('answers 500 naming the missing setting when the app is misconfigured', async () => {
    const { HSM_SENTINEL_CLUSTER_IDS: _, ...env } = TEST_ENV;
    const { app } = setup(env);

    const response = await app.httpStart(post(JSON.stringify({ clusterId: CLUSTER_ID })), invocation('http'));

    expect(response.status).toBe(500);
    expect(await errorOf(response)).toMatch(/app setting HSM_SENTINEL_CLUSTER_IDS is not set/);
  });
});

describe('timer trigger (schedule)', () => {
  it('starts one orchestration per configured cluster, each with its own instance id', async () => {
    const { durable, app } = setup();

    const result = (await app.timerStart(timer, invocation('timer'))) as TimerStartResult;

    expect(result.started).toEqual([instanceIdFor(CLUSTER_ID), instanceIdFor(OTHER_CLUSTER_ID)]);
    expect(durable.starts.map((s) => (s.input as OrchestrationInput).context.clusterId)).toEqual([
      CLUSTER_ID,
      OTHER_CLUSTER_ID,
    ]);
    expect(
      durable.starts.every((s) => (s.input as OrchestrationInput).context.trigger.kind === 'schedule'),
    ).toBe(true);
    expect(new Set(result.started).size).toBe(2);
  });

  it('does not start a second run for a cluster whose run is still going, and logs which one', async () => {
    const { durable, app } = setup();
    durable.instances.set(instanceIdFor(CLUSTER_ID), {
      runtimeStatus: 'Pending',
      createdTime: new Date(),
      input: {},
    });
    const logs: LogLine[] = [];

    const result = (await app.timerStart(timer, invocation('timer', logs))) as TimerStartResult;

    expect(result.started).toEqual([instanceIdFor(OTHER_CLUSTER_ID)]);
    expect(result.skipped).toEqual([
      { clusterId: CLUSTER_ID, instanceId: instanceIdFor(CLUSTER_ID), runtimeStatus: 'Pending' },
    ]);
    expect(logs.find((l) => l.level === 'warning')?.text).toContain(
      `instance ${instanceIdFor(CLUSTER_ID)} is Pending`,
    );
  });

  it('starts again once the previous run has completed', async () => {
    const { durable, app } = setup();
    durable.instances.set(instanceIdFor(CLUSTER_ID), {
      runtimeStatus: 'Completed',
      createdTime: new Date(),
      input: {},
    });

    const result = (await app.timerStart(timer, invocation('timer'))) as TimerStartResult;

    expect(result.started).toContain(instanceIdFor(CLUSTER_ID));
  });
});

describe('instanceIdFor', () => {
  it('is stable per cluster, case-insensitive, and free of characters instance ids forbid', () => {
    const id = instanceIdFor(CLUSTER_ID);
    expect(id).toMatch(/^hsm-sentinel-chsm-prod-[0-9a-f]{16}$/);
    expect(instanceIdFor(CLUSTER_ID.toLowerCase())).toBe(id);
    expect(instanceIdFor(OTHER_CLUSTER_ID)).not.toBe(id);
  });
});
