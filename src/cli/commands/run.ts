/**
 * `hsm-sentinel run --cluster-id ID [--dry-run] [--remote]`: one execution of the state machine.
 * - local (default): the real ASL file executed here against the nodes of a cluster file
 *   (`--cluster-file`, or the one `emulator start` wrote in `--emulator-dir`);
 * - `--remote`: starts the deployed state machine (runbook request: duplicate and concurrent
 *   runs refused), follows it to the end, and prints the same report from the report bucket.
 *   With `--state-table` / HSM_SENTINEL_STATE_TABLE it also takes the cluster's run lock, as
 *   the trigger does (without it, only the ListExecutions check guards against a concurrent start).
 * Exit: 0 clean or repaired, 3 a human must act, 1 the run failed, 2 wrong usage.
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { ConfigurationError, InvalidInputError } from '#core/errors.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import { resolvePolicy } from '#core/policy.ts';
import { outcomeOf, type RunReport } from '#core/report.ts';
import { toolModule } from '#drivers/registry.ts';
import { startRun } from '#providers/aws/step-functions-starter.ts';
import { DynamoDbRunLock } from '#store/dynamodb-run-lock.ts';
import { S3Store } from '#store/s3-store.ts';
import type { RunState } from '#workflow/contracts.ts';
import { fromRunbookRequest } from '#workflow/triggers/runbook-request.ts';
import { parseOptions } from '../args.ts';
import { depsForClusterFile, loadClusterFile } from '../cluster-file.ts';
import { type CliIo, UsageError } from '../io.ts';
import { executeLocally, type RunbookLookup, reportText } from '../local-execution.ts';

const USAGE = `usage:
  hsm-sentinel run --cluster-id ID [--dry-run] [--cluster-file FILE | --emulator-dir DIR]
  hsm-sentinel run --cluster-id ID [--dry-run] --remote [--state-machine-arn ARN] [--report-bucket BUCKET] [--state-table TABLE] [--timeout-minutes 30]
    (--remote also reads HSM_SENTINEL_STATE_MACHINE_ARN, HSM_SENTINEL_REPORT_BUCKET, HSM_SENTINEL_STATE_TABLE
     (the run lock, as the trigger takes it) and the usual AWS_* settings)
`;

/** Clients of --remote; tests replace them (aws-sdk-client-mock) and the poll interval. */
export const remoteDefaults = {
  sfn: () => new SFNClient({}),
  s3: () => new S3Client({}),
  dynamo: () => new DynamoDBClient({}),
  pollMs: 5000,
};

export async function runCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, {
    'cluster-id': { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    remote: { type: 'boolean', default: false },
    'cluster-file': { type: 'string' },
    'emulator-dir': { type: 'string', default: '.runs/emulator' },
    'state-machine-arn': { type: 'string' },
    'report-bucket': { type: 'string' },
    'state-table': { type: 'string' },
    'timeout-minutes': { type: 'string', default: '30' },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(USAGE);
    return 0;
  }
  const clusterId = values['cluster-id'];
  if (!clusterId) throw new UsageError('--cluster-id is required');
  if (values.remote) {
    const minutes = Number(values['timeout-minutes']);
    if (!(minutes > 0)) throw new UsageError('--timeout-minutes must be a positive number');
    return runRemote(
      clusterId,
      values['dry-run'],
      values['state-machine-arn'],
      values['report-bucket'],
      values['state-table'],
      minutes,
      io,
    );
  }
  const path = values['cluster-file'] ?? join(resolve(io.cwd, values['emulator-dir']), 'cluster-file.json');
  const file = await loadClusterFile(path);
  if (file.clusterId !== clusterId) {
    throw new InvalidInputError(`cluster file ${path} describes '${file.clusterId}', not '${clusterId}'`);
  }
  const deps = await depsForClusterFile(file, io, values.verbose);
  const startedAt = new Date().toISOString();
  const { result, report } = await executeLocally(
    {
      runId: `run-${startedAt.replace(/[:.]/g, '-')}`,
      clusterId,
      provider: 'file',
      policy: resolvePolicy({ ...file.policy, ...(values['dry-run'] ? { dryRun: true } : {}) }),
      startedAt,
      trigger: { kind: 'runbook', detail: `hsm-sentinel run --cluster-id ${clusterId}` },
    },
    deps,
    io.stderr,
    1000,
  );
  return printReport(
    report,
    result.error ? `${result.error.name}: ${result.error.cause}` : null,
    io,
    (id) => deps.tool(id).runbook,
  );
}

async function runRemote(
  clusterId: string,
  dryRun: boolean,
  arnOption: string | undefined,
  bucketOption: string | undefined,
  tableOption: string | undefined,
  timeoutMinutes: number,
  io: CliIo,
): Promise<number> {
  const stateMachineArn = arnOption ?? io.env.HSM_SENTINEL_STATE_MACHINE_ARN;
  const bucket = bucketOption ?? io.env.HSM_SENTINEL_REPORT_BUCKET;
  if (!stateMachineArn)
    throw new ConfigurationError(
      '--state-machine-arn or HSM_SENTINEL_STATE_MACHINE_ARN is required with --remote',
    );
  if (!bucket)
    throw new ConfigurationError('--report-bucket or HSM_SENTINEL_REPORT_BUCKET is required with --remote');
  const request = {
    clusterId,
    dryRun,
    requestedBy: `${io.env.USER ?? 'someone'} via hsm-sentinel run --remote`,
    requestId: randomUUID(),
  };
  const run = fromRunbookRequest(request, {
    clusterIds: [clusterId],
    provider: 'aws',
    policy: DEFAULT_POLICY,
  });
  const sfn = remoteDefaults.sfn();
  const table = tableOption ?? io.env.HSM_SENTINEL_STATE_TABLE;
  const lock = table ? new DynamoDbRunLock(table, remoteDefaults.dynamo()) : undefined;
  const outcome = await startRun(sfn, stateMachineArn, run, new Date(), lock);
  if (!outcome.started) {
    const running = outcome.reason === 'already running' ? `: ${outcome.runningExecutionArn}` : '';
    io.stderr(`not started (${outcome.reason})${running}\n`);
    return 1;
  }
  io.stderr(`started ${outcome.executionArn}\n`);
  const deadline = Date.now() + timeoutMinutes * 60_000;
  for (;;) {
    const execution = await sfn.send(new DescribeExecutionCommand({ executionArn: outcome.executionArn }));
    if (execution.status !== 'RUNNING' && execution.status !== 'PENDING_REDRIVE') {
      io.stderr(`execution ${execution.status}\n`);
      const state = execution.output ? (JSON.parse(execution.output) as RunState) : null;
      const reportRef = state?.alert?.reportRef ?? `runs/${outcome.executionName}/report.json`;
      const report = await new S3Store(bucket, remoteDefaults.s3())
        .getJson<RunReport>(reportRef)
        .catch(() => null);
      const failure =
        execution.status === 'SUCCEEDED'
          ? null
          : `${execution.error ?? execution.status}: ${execution.cause ?? ''}`;
      return printReport(report, failure, io, (id) => toolModule(id).runbook({ settings: io.env }));
    }
    if (Date.now() > deadline) {
      io.stderr(
        `still running after ${timeoutMinutes} minutes: follow ${outcome.executionArn} in the console\n`,
      );
      return 1;
    }
    await new Promise((r) => setTimeout(r, remoteDefaults.pollMs));
  }
}

function printReport(
  report: RunReport | null,
  failure: string | null,
  io: CliIo,
  runbookOf: RunbookLookup,
): number {
  if (!report) {
    io.stderr(`the run failed before its report was written${failure ? `: ${failure}` : ''}\n`);
    return 1;
  }
  io.stdout(`${reportText(report, runbookOf)}\n`);
  const outcome = outcomeOf(report);
  if (failure && outcome !== 'failed') io.stderr(`the execution failed: ${failure}\n`);
  return outcome === 'failed' || failure ? 1 : outcome === 'attention' ? 3 : 0;
}
