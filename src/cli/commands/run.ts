/**
 * `hsm-sentinel run --cluster-id ID`: one execution of the state machine.
 * - local (default): the real ASL file executed here against the nodes of a cluster file
 *   (`--cluster-file`, or the one `emulator start` wrote in `--emulator-dir`), with the rule
 *   for writing of local-run.ts (plan, confirm or --yes, pinned apply);
 * - `--remote`: starts the deployed state machine (runbook request: duplicate and concurrent
 *   runs refused), follows it to the end, and prints the same report from the report bucket.
 *   A deployed run is a dry run unless --write (confirmed on a terminal, --yes otherwise).
 *   With `--state-table` / HSM_SENTINEL_STATE_TABLE it also takes the cluster's run lock, as
 *   the trigger does (without it, only the ListExecutions check guards against a concurrent start).
 * Exit: 0 clean or repaired, 3 a human must act, 1 the run failed, 2 wrong usage.
 */
import { randomUUID } from 'node:crypto';
import { join, resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { DescribeExecutionCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DEFAULT_POLICY } from '#core/model.ts';
import { outcomeOf, type RunReport } from '#core/report.ts';
import { toolModule } from '#drivers/registry.ts';
import { startRun } from '#providers/aws/step-functions-starter.ts';
import { DynamoDbRunLock } from '#store/dynamodb-run-lock.ts';
import { S3Store } from '#store/s3-store.ts';
import type { RunState } from '#workflow/contracts.ts';
import { fromRunbookRequest } from '#workflow/triggers/runbook-request.ts';
import { type CommandContext, countOf, flagOf, type ParsedArgs, stringOf } from '../command-spec.ts';
import { EXIT, exitForOutcome } from '../exit-codes.ts';
import { UsageError } from '../io.ts';
import { type RunbookLookup, reportText } from '../local-execution.ts';
import { runLocal } from '../local-run.ts';
import { DEFAULT_KEEP } from '../specs/shared-options.ts';
import { textStyleOf } from '../style.ts';

/** Clients of --remote; tests replace them (aws-sdk-client-mock) and the poll interval. */
export const remoteDefaults = {
  sfn: () => new SFNClient({}),
  s3: () => new S3Client({}),
  dynamo: () => new DynamoDBClient({}),
  pollMs: 5000,
};

export async function runCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const clusterId = stringOf(args, 'cluster-id');
  if (!clusterId) throw new UsageError('--cluster-id ID is required');
  if (flagOf(args, 'remote')) {
    if (flagOf(args, 'write') && flagOf(args, 'dry-run'))
      throw new UsageError('give --write or --dry-run, not both');
    const minutes = Number(stringOf(args, 'timeout-minutes'));
    if (!(minutes > 0)) throw new UsageError('--timeout-minutes must be a positive number');
    return runRemote(
      {
        clusterId,
        write: flagOf(args, 'write'),
        yes: flagOf(args, 'yes'),
        arn: stringOf(args, 'state-machine-arn'),
        bucket: stringOf(args, 'report-bucket'),
        table: stringOf(args, 'state-table'),
        timeoutMinutes: minutes,
      },
      ctx,
    );
  }
  if (flagOf(args, 'write'))
    throw new UsageError('--write is for --remote (a local run writes unless --dry-run)');
  const path =
    stringOf(args, 'cluster-file') ??
    join(resolve(ctx.io.cwd, stringOf(args, 'emulator-dir') ?? '.runs/emulator'), 'cluster-file.json');
  return runLocal(
    {
      mode: 'run',
      clusterFilePath: path,
      dryRun: flagOf(args, 'dry-run'),
      yes: flagOf(args, 'yes'),
      keep: countOf(args, 'keep', 1) ?? DEFAULT_KEEP,
      verbose: flagOf(args, 'verbose'),
      expectClusterId: clusterId,
    },
    ctx,
  );
}

interface RemoteRequest {
  clusterId: string;
  write: boolean;
  yes: boolean;
  arn: string | undefined;
  bucket: string | undefined;
  table: string | undefined;
  timeoutMinutes: number;
}

async function runRemote(options: RemoteRequest, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const { clusterId, timeoutMinutes } = options;
  const stateMachineArn = options.arn ?? io.env.HSM_SENTINEL_STATE_MACHINE_ARN;
  const bucket = options.bucket ?? io.env.HSM_SENTINEL_REPORT_BUCKET;
  if (!stateMachineArn)
    throw new UsageError('--state-machine-arn or HSM_SENTINEL_STATE_MACHINE_ARN is required with --remote');
  if (!bucket)
    throw new UsageError('--report-bucket or HSM_SENTINEL_REPORT_BUCKET is required with --remote');
  if (options.write && !options.yes) {
    if (!(io.tty?.stdin && io.ask))
      throw new UsageError(
        '--write lets the deployed run write to the HSMs: give --yes too when not on a terminal',
      );
    const answer =
      (await io.ask(`Start a deployed run of ${clusterId} that writes (not a dry run)? [y/N] `)) ?? '';
    if (!/^(y|yes)$/i.test(answer.trim())) {
      io.stderr('Not started.\n');
      return EXIT.attention;
    }
  }
  const request = {
    clusterId,
    dryRun: !options.write,
    requestedBy: `${io.env.USER ?? 'someone'} via hsm-sentinel run --remote`,
    requestId: randomUUID(),
  };
  const run = fromRunbookRequest(request, {
    clusterIds: [clusterId],
    provider: 'aws',
    policy: DEFAULT_POLICY,
  });
  const sfn = remoteDefaults.sfn();
  const table = options.table ?? io.env.HSM_SENTINEL_STATE_TABLE;
  const lock = table ? new DynamoDbRunLock(table, remoteDefaults.dynamo()) : undefined;
  const outcome = await startRun(sfn, stateMachineArn, run, new Date(), lock);
  if (!outcome.started) {
    const running = outcome.reason === 'already running' ? `: ${outcome.runningExecutionArn}` : '';
    io.stderr(`not started (${outcome.reason})${running}\n`);
    if (ctx.json) io.stdout(`${JSON.stringify({ started: false, reason: outcome.reason }, null, 2)}\n`);
    return EXIT.failed;
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
      return printReport(report, failure, ctx, (id) => toolModule(id).runbook({ settings: io.env }));
    }
    if (Date.now() > deadline) {
      io.stderr(
        `still running after ${timeoutMinutes} minutes: follow ${outcome.executionArn} in the console\n`,
      );
      return EXIT.failed;
    }
    await new Promise((r) => setTimeout(r, remoteDefaults.pollMs));
  }
}

function printReport(
  report: RunReport | null,
  failure: string | null,
  ctx: CommandContext,
  runbookOf: RunbookLookup,
): number {
  const { io } = ctx;
  if (!report) {
    io.stderr(`the run failed before its report was written${failure ? `: ${failure}` : ''}\n`);
    if (ctx.json) io.stdout(`${JSON.stringify({ error: failure, exitCode: EXIT.failed }, null, 2)}\n`);
    return EXIT.failed;
  }
  io.stdout(
    ctx.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : `${reportText(report, runbookOf, textStyleOf(ctx.style.stdout))}\n`,
  );
  const outcome = outcomeOf(report);
  if (failure && outcome !== 'failed') io.stderr(`the execution failed: ${failure}\n`);
  return failure ? EXIT.failed : exitForOutcome(outcome);
}
