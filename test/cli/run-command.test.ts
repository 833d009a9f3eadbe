import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDBClient, PutItemCommand } from '@aws-sdk/client-dynamodb';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { remoteDefaults } from '#cli/commands/run.ts';
import type { CliIo } from '#cli/io.ts';
import { main } from '#cli/main.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import { Secret } from '#core/secret.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import { emulatedCommand } from '#emulator/programs.ts';
import { seedScenarios } from '#emulator/seed-scenarios.ts';
import { lockItemKey } from '#store/dynamodb-run-lock.ts';
import { FakeStateTable } from '../support/aws/fake-state-table.ts';
import { runCli } from '../support/cli/run-cli.ts';
import { auditOf, read, runReport, cluster as testCluster, user } from '../support/core/builders.ts';

const PASSWORD = 'Run-Pa55-77aa';

describe('hsm-sentinel run (local: the real ASL file against a cluster file)', () => {
  let dir: string;
  let emulated: EmulatedCluster;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'run-local-'));
    emulated = await startEmulatedCluster({
      stateDir: join(dir, 'state'),
      seed: seedScenarios({ adminPassword: new Secret(PASSWORD) }).aws,
    });
    await writeFile(
      join(dir, 'cluster.json'),
      JSON.stringify({
        clusterId: 'aws-seed',
        dialect: 'aws',
        util: emulatedCommand('mgmt-util-aws'),
        nodes: emulated.nodes.map(({ nodeId, address, port }) => ({ nodeId, address, port })),
        credentials: { from: 'env', passwordVariable: 'HSM_CO_PASSWORD' },
      }),
    );
  });

  afterAll(async () => {
    await emulated.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('executes the state machine, repairs newest_user on node 1, and exits 0', async () => {
    const result = await runCli(
      ['run', '--cluster-id', 'aws-seed', '--cluster-file', join(dir, 'cluster.json'), '--yes'],
      {
        env: { HSM_CO_PASSWORD: PASSWORD, HSM_CO_USER: 'admin' },
      },
    );

    expect(result.stderr).toContain('  > CollectNode [server 1]');
    expect(result.stderr).toMatch(/Executed statemachines\/audit-and-sync\.asl\.json .* succeeded/);
    expect(result.stdout).toContain('outcome: repaired');
    expect(result.code).toBe(0);
    expect(emulated.readState(1).users.map((u) => u.username)).toContain('newest_user');
  });

  it('refuses a cluster id the file does not describe', async () => {
    const result = await runCli([
      'run',
      '--cluster-id',
      'other',
      '--cluster-file',
      join(dir, 'cluster.json'),
    ]);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("describes 'aws-seed', not 'other'");
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
  });
});

describe('hsm-sentinel run --remote (the deployed state machine, clients mocked)', () => {
  const sfn = mockClient(SFNClient);
  const s3 = mockClient(S3Client);
  const arn = 'arn:aws:states:eu-west-1:111122223333:stateMachine:hsm-sentinel';
  const out: string[] = [];
  const err: string[] = [];
  const io: CliIo = {
    stdout: (t) => void out.push(t),
    stderr: (t) => void err.push(t),
    readStdin: async () => '',
    env: { HSM_SENTINEL_REPORT_BUCKET: 'reports-bucket', USER: 'oncall' },
    cwd: process.cwd(),
  };
  const c = testCluster(2, 'cluster-abc');
  const report = runReport({
    runId: 'r',
    policy: { ...DEFAULT_POLICY, dryRun: true },
    before: auditOf(c, [read('hsm-0', [user(1, 'admin', 'PCO')]), read('hsm-1', [user(1, 'admin', 'PCO')])]),
  });

  beforeAll(() => {
    remoteDefaults.sfn = () => new SFNClient({ region: 'eu-west-1' });
    remoteDefaults.s3 = () => new S3Client({ region: 'eu-west-1' });
    remoteDefaults.dynamo = () => new DynamoDBClient({ region: 'eu-west-1' });
    remoteDefaults.pollMs = 1;
  });

  afterEach(() => {
    sfn.reset();
    s3.reset();
    out.length = 0;
    err.length = 0;
  });

  it('starts a dry run, follows it to the end, and prints the report from the bucket', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${arn}:exec-1`, startDate: new Date() });
    sfn
      .on(DescribeExecutionCommand)
      .resolvesOnce({ status: 'RUNNING' } as never)
      .resolves({
        status: 'SUCCEEDED',
        output: JSON.stringify({ alert: { reportRef: 'runs/exec-1/report.json' } }),
      } as never);
    s3.on(GetObjectCommand).resolves({
      Body: { transformToString: async () => JSON.stringify(report) },
    } as never);

    const code = await main(
      ['run', '--cluster-id', 'cluster-abc', '--dry-run', '--remote', '--state-machine-arn', arn],
      io,
    );

    expect(code).toBe(0);
    const started = sfn.commandCalls(StartExecutionCommand)[0]?.args[0].input;
    expect(started?.stateMachineArn).toBe(arn);
    expect(started?.name).toMatch(/^cluster-abc-runbook-[0-9a-f]{12}$/);
    expect(JSON.parse(started?.input ?? '{}').context).toMatchObject({
      clusterId: 'cluster-abc',
      policy: { dryRun: true },
    });
    expect(s3.commandCalls(GetObjectCommand)[0]?.args[0].input).toMatchObject({
      Bucket: 'reports-bucket',
      Key: 'runs/exec-1/report.json',
    });
    expect(out.join('')).toContain('outcome: clean (dry run: nothing written)');
  });

  it('refuses when an execution for the cluster is running, and names it', async () => {
    sfn.on(ListExecutionsCommand).resolves({
      executions: [
        {
          executionArn: `${arn}:cluster-abc-schedule-0123456789ab`,
          name: 'cluster-abc-schedule-0123456789ab',
          stateMachineArn: arn,
          status: 'RUNNING',
          startDate: new Date(),
        },
      ],
    });

    const code = await main(
      ['run', '--cluster-id', 'cluster-abc', '--remote', '--state-machine-arn', arn],
      io,
    );

    expect(code).toBe(1);
    expect(err.join('')).toContain(
      'not started (already running): arn:aws:states:eu-west-1:111122223333:stateMachine:hsm-sentinel:cluster-abc-schedule-0123456789ab',
    );
    expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
  });

  it('with HSM_SENTINEL_STATE_TABLE takes the run lock, and refuses while another run holds it', async () => {
    const dynamo = mockClient(DynamoDBClient);
    const table = new FakeStateTable().attach(dynamo);
    const holder = 'cluster-abc-scaling-0123456789ab';
    table.items.set(lockItemKey('cluster-abc'), {
      pk: { S: lockItemKey('cluster-abc') },
      runId: { S: holder },
      acquiredAt: { S: new Date().toISOString() },
      expiresAt: { N: String(Math.floor(Date.now() / 1000) + 3600) },
    });
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(DescribeExecutionCommand).resolves({ status: 'RUNNING' } as never);
    const withTable = { ...io, env: { ...io.env, HSM_SENTINEL_STATE_TABLE: 'hsm-sentinel-state' } };

    try {
      const code = await main(
        ['run', '--cluster-id', 'cluster-abc', '--remote', '--state-machine-arn', arn],
        withTable,
      );

      expect(code).toBe(1);
      expect(err.join('')).toContain(
        `not started (already running): ${arn.replace(':stateMachine:', ':execution:')}:${holder}`,
      );
      expect(dynamo.commandCalls(PutItemCommand)[0]?.args[0].input).toMatchObject({
        TableName: 'hsm-sentinel-state',
        Item: { pk: { S: 'lock#cluster-abc' }, runId: { S: expect.stringMatching(/^cluster-abc-runbook-/) } },
      });
      expect(sfn.commandCalls(DescribeExecutionCommand)[0]?.args[0].input).toEqual({
        executionArn: `${arn.replace(':stateMachine:', ':execution:')}:${holder}`,
      });
      expect(sfn.commandCalls(StartExecutionCommand)).toHaveLength(0);
    } finally {
      dynamo.restore();
    }
  });

  it('needs to know the state machine: a usage error', async () => {
    const code = await main(['run', '--cluster-id', 'cluster-abc', '--remote'], io);

    expect(code).toBe(2);
    expect(err.join('')).toContain('--state-machine-arn or HSM_SENTINEL_STATE_MACHINE_ARN is required');
  });

  it('asks the deployed run to write only with --write, and --yes when there is no terminal', async () => {
    sfn.on(ListExecutionsCommand).resolves({ executions: [] });
    sfn.on(StartExecutionCommand).resolves({ executionArn: `${arn}:exec-2`, startDate: new Date() });
    sfn.on(DescribeExecutionCommand).resolves({
      status: 'SUCCEEDED',
      output: JSON.stringify({ alert: { reportRef: 'runs/exec-2/report.json' } }),
    } as never);
    s3.on(GetObjectCommand).resolves({
      Body: { transformToString: async () => JSON.stringify(report) },
    } as never);

    const defaulted = await main(
      ['run', '--cluster-id', 'cluster-abc', '--remote', '--state-machine-arn', arn],
      io,
    );
    const refused = await main(
      ['run', '--cluster-id', 'cluster-abc', '--remote', '--write', '--state-machine-arn', arn],
      io,
    );
    const writing = await main(
      ['run', '--cluster-id', 'cluster-abc', '--remote', '--write', '--yes', '--state-machine-arn', arn],
      io,
    );

    const policies = sfn
      .commandCalls(StartExecutionCommand)
      .map((c) => JSON.parse(c.args[0].input.input ?? '{}').context.policy.dryRun);
    expect([defaulted, refused, writing]).toEqual([0, 2, 0]);
    expect(policies).toEqual([true, false]);
    expect(err.join('')).toContain('give --yes too when not on a terminal');
  });
});
