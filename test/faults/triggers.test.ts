import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DescribeExecutionCommand,
  type DescribeExecutionCommandInput,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
  type StartExecutionCommandInput,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { lockItemKey } from '#store/dynamodb-run-lock.ts';
import type { RunLock } from '#store/run-lock.ts';
import type { RunContext } from '#workflow/contracts.ts';
import { type AwsClients, awsTriggerDeps } from '../../functions/aws/deps.ts';
import { makeHandler as makeTrigger, type TriggerResult } from '../../functions/aws/trigger.ts';
import { FakeStateTable } from '../support/aws/fake-state-table.ts';
import { lambdaContext, quietObservability } from '../support/aws/lambda-test-kit.ts';
import { runCli } from '../support/cli/run-cli.ts';
import { added, receivedLogins, safetyViolations, viewOf } from '../support/faults/invariants.ts';
import { type Rig, runOnce, startRig, writeClusterFile } from '../support/faults/rig.ts';
import { eventFixture } from '../support/fixtures.ts';

const CLUSTER = 'cluster-igklspoyj5v';
const SM = 'arn:aws:states:us-east-1:111122223333:stateMachine:hsm-sentinel-audit-and-sync';
const ENV = {
  STATE_MACHINE_ARN: SM,
  CLUSTER_IDS: CLUSTER,
  DRY_RUN_DEFAULT: 'false',
  STATE_TABLE: 'hsm-sentinel-state',
};
const sfn = mockClient(SFNClient);
const dynamo = mockClient(DynamoDBClient);

/** Step Functions as far as the trigger sees it: executions by name, RUNNING until told otherwise. */
class FakeStepFunctions {
  readonly executions = new Map<string, { status: string; input: string }>();
  /** ListExecutions lags (eventual consistency): it shows nothing while this is set. */
  listLags = true;

  attach(): this {
    sfn.on(ListExecutionsCommand).callsFake(async () => {
      await tick();
      if (this.listLags) return { executions: [] };
      return {
        executions: [...this.executions]
          .filter(([, e]) => e.status === 'RUNNING')
          .map(([name, e]) => ({
            name,
            status: e.status,
            executionArn: `${SM}:${name}`,
            stateMachineArn: SM,
          })),
      };
    });
    sfn.on(StartExecutionCommand).callsFake(async (input: StartExecutionCommandInput) => {
      await tick();
      const name = input.name ?? '';
      if (this.executions.has(name)) {
        throw Object.assign(new Error(`Execution Already Exists: '${name}'`), {
          name: 'ExecutionAlreadyExists',
        });
      }
      this.executions.set(name, { status: 'RUNNING', input: input.input ?? '{}' });
      return {
        executionArn: `${SM.replace(':stateMachine:', ':execution:')}:${name}`,
        startDate: new Date(),
      };
    });
    sfn.on(DescribeExecutionCommand).callsFake(async (input: DescribeExecutionCommandInput) => {
      await tick();
      const name = (input.executionArn ?? '').split(':').pop() ?? '';
      const found = this.executions.get(name);
      if (!found)
        throw Object.assign(new Error('Execution Does Not Exist'), { name: 'ExecutionDoesNotExist' });
      return { status: found.status, executionArn: input.executionArn };
    });
    return this;
  }

  started(): RunContext[] {
    return [...this.executions.values()].map((e) => (JSON.parse(e.input) as { context: RunContext }).context);
  }
}

function tick(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

let rig: Rig;
let table: FakeStateTable;
let stepFunctions: FakeStepFunctions;
let now = new Date('2026-11-23T06:00:00.000Z');

function triggerDeps() {
  const clients = {
    sfn: new SFNClient({ region: 'us-east-1' }),
    dynamo: new DynamoDBClient({ region: 'us-east-1' }),
  } as AwsClients;
  return { deps: { ...awsTriggerDeps({ env: ENV, clients }), clock: () => now } };
}

const outcomesOf = (results: TriggerResult[]) =>
  results.flatMap((r) => r.outcomes.map((o) => (o.started ? 'started' : o.reason)));

beforeAll(async () => {
  rig = await startRig();
});
afterAll(async () => {
  await rig.close();
});
beforeEach(() => {
  table = new FakeStateTable().attach(dynamo);
  stepFunctions = new FakeStepFunctions().attach();
  now = new Date('2026-11-23T06:00:00.000Z');
});
afterEach(() => {
  sfn.reset();
  dynamo.reset();
});

describe('duplicate and concurrent triggers', () => {
  it('five events at once start one execution; it runs, releases the lock, and a redelivery stays a duplicate', async () => {
    const { deps } = triggerDeps();
    const handler = makeTrigger(deps, quietObservability());
    const schedule = eventFixture('scheduled-event');
    const scaling = eventFixture('cloudtrail-create-hsm');
    const request = { ...eventFixture('runbook-request'), dryRun: false, policy: {} };
    const before = viewOf(rig.cluster);

    const results = await Promise.all(
      [schedule, schedule, scaling, request, request].map((event) => handler(event, lambdaContext())),
    );

    expect(outcomesOf(results).filter((o) => o === 'started')).toHaveLength(1);
    expect(outcomesOf(results).sort()).toEqual(expect.arrayContaining(['started', 'duplicate', 'duplicate']));
    expect(sfn.commandCalls(StartExecutionCommand).filter((c) => c.args[0].input.name)).toHaveLength(
      stepFunctions.executions.size,
    );
    expect(stepFunctions.executions.size).toBe(1);
    const [context] = stepFunctions.started();
    expect(table.items.get(lockItemKey(CLUSTER))?.runId?.S).toBe(context?.runId);

    // The one execution, for real: the Alert step releases the lock it was started under.
    const run = await runOnce(rig, {
      context: context as RunContext,
      runLock: deps.runLock,
      asExecution: true,
    });
    stepFunctions.executions.set(context?.runId ?? '', {
      status: 'SUCCEEDED',
      input: JSON.stringify({ context }),
    });

    expect(run.result.status).toBe('succeeded');
    expect(table.items.has(lockItemKey(CLUSTER))).toBe(false);
    const after = viewOf(rig.cluster);
    expect(safetyViolations(before, after, run.report)).toEqual([]);
    expect(added(before, after).length).toBeGreaterThan(0);

    // The event that started it, delivered again later: a duplicate, never a second run.
    stepFunctions.listLags = false;
    const events = [schedule, schedule, scaling, request, request];
    const winner = events[outcomesOf(results).indexOf('started')];
    const again = await handler(winner, lambdaContext());
    expect(outcomesOf([again])).toEqual(['duplicate']);
    expect(stepFunctions.executions.size).toBe(1);
    expect(table.items.has(lockItemKey(CLUSTER))).toBe(false);
  });

  it('while the execution runs, every other event is refused and names it; the next firing after it ends starts', async () => {
    const { deps } = triggerDeps();
    const handler = makeTrigger(deps, quietObservability());
    const first = await handler(eventFixture('scheduled-event'), lambdaContext());
    const holder = first.outcomes[0];
    expect(holder?.started).toBe(true);

    const concurrent = await Promise.all(
      ['cloudtrail-create-hsm', 'cloudtrail-delete-hsm'].map((name) =>
        handler(eventFixture(name), lambdaContext()),
      ),
    );

    for (const result of concurrent) {
      expect(result.outcomes[0]).toMatchObject({
        started: false,
        reason: 'already running',
        runningExecutionName: holder?.executionName,
      });
    }
    expect(stepFunctions.executions.size).toBe(1);

    // The holder ended without releasing (killed before its Alert step): the next trigger takes over.
    stepFunctions.executions.set(holder?.executionName ?? '', { status: 'FAILED', input: '{}' });
    now = new Date('2026-11-23T12:00:00.000Z');
    const next = await handler(
      { ...eventFixture('scheduled-event'), time: now.toISOString() },
      lambdaContext(),
    );
    expect(next.outcomes[0]?.started).toBe(true);
    expect(stepFunctions.executions.size).toBe(2);
  });

  it('the lock is what makes it one: with a lock that grants every request, the same burst starts three', async () => {
    const noLock: RunLock = {
      acquire: async () => ({ acquired: true }),
      takeOver: async () => ({ acquired: true }),
      release: async () => {},
    };
    const handler = makeTrigger({ ...triggerDeps().deps, runLock: noLock }, quietObservability());

    const results = await Promise.all(
      ['scheduled-event', 'cloudtrail-create-hsm', 'cloudtrail-delete-hsm'].map((name) =>
        handler(eventFixture(name), lambdaContext()),
      ),
    );

    expect(outcomesOf(results)).toEqual(['started', 'started', 'started']);
  });
});

describe('concurrent local runs of one cluster (the local run lock)', () => {
  it('two runs at once: one runs, the other starts nothing and names the holder; afterwards the lock is free', async () => {
    const own = await startRig();
    try {
      const before = viewOf(own.cluster);

      const both = await Promise.all([runOnce(own), runOnce(own)]);

      const ran = both.filter((r) => r.thrown === null);
      const refused = both.filter((r) => r.thrown !== null);
      expect(ran).toHaveLength(1);
      expect(refused.map((r) => r.thrown?.name)).toEqual(['RunLockedError']);
      expect(refused[0]?.thrown?.message).toContain(ran[0]?.context.runId);
      expect(refused[0]?.result.visited).toEqual([]);
      // One run's logins only: Collect, Sync and Verify, one each per node.
      expect(receivedLogins(own.cluster)).toEqual([3, 3, 3]);
      expect(safetyViolations(before, viewOf(own.cluster), ran[0]?.report ?? null)).toEqual([]);
      const next = await runOnce(own);
      expect(next.thrown).toBeNull();
      expect(next.report?.results).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it('two `hsm-sentinel sync --yes` processes at once: one repairs, the other exits 1 with one RunLockedError line', async () => {
    const own = await startRig();
    try {
      const file = writeClusterFile(own, 'cli-locked');
      const before = viewOf(own.cluster);
      const env = { HSM_CO_PASSWORD: own.password, HSM_CO_USER: 'admin' };

      const both = await Promise.all([
        runCli(['sync', '--cluster-file', file, '--yes'], { env }),
        runCli(['sync', '--cluster-file', file, '--yes'], { env }),
      ]);

      const codes = both.map((r) => r.code).sort();
      expect(codes).toEqual([1, 3]);
      // A sync is two runs (its plan, then the apply), each under the lock: the loser is refused
      // at one of them, starts nothing more, and says so in one error line.
      const loser = both.find((r) => r.code === 1);
      const errors = (loser?.stderr ?? '').split('\n').filter((l) => l.startsWith('hsm-sentinel sync:'));
      expect(errors).toEqual([
        expect.stringMatching(
          /^hsm-sentinel sync: RunLockedError: another run of cli-locked holds its run lock .*nothing was started$/,
        ),
      ]);
      // The winner's plan (Collect), apply (Collect, Sync, Verify), and at most the loser's plan.
      const logins = receivedLogins(own.cluster);
      expect(new Set(logins).size).toBe(1);
      expect([4, 5]).toContain(logins[0]);
      expect(added(before, viewOf(own.cluster)).sort()).toEqual([
        'hsm-emu-1 key#262150',
        'hsm-emu-1 user#3',
        'hsm-emu-2 key#262150',
      ]);
    } finally {
      await own.close();
    }
  }, 120_000);
});
