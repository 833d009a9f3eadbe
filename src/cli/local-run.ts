/**
 * `audit`, `sync` and local `run`: executions of the state machine here, against the nodes of
 * a cluster file, with one rule for writing (the same for each):
 * - a dry run (audit, --dry-run) runs once and reports;
 * - a writing run plans first: a dry run reads every node and prints the plan on stderr; on a
 *   terminal it asks before writing, --yes applies without asking, and without a terminal and
 *   without --yes it refuses before reading anything (exit 2). The writing run is pinned to
 *   the plan shown (saved-plan.ts): if the cluster changed in between, it writes nothing (3);
 * - `sync --plan PLAN` is the writing run pinned to a plan saved by `audit --save-plan`.
 * Every run has its own run folder (report, transcripts); older ones are pruned (--keep).
 */
import { join, resolve } from 'node:path';
import { ConfigurationError, InvalidInputError } from '#core/errors.ts';
import type { Policy } from '#core/model.ts';
import { resolvePolicy } from '#core/policy.ts';
import { escapeForText } from '#core/printable.ts';
import { outcomeOf, type RunReport } from '#core/report.ts';
import { credentialsSource } from '#providers/credentials.ts';
import { pruneLocalRuns } from '#store/prune-local-runs.ts';
import type { WorkflowDeps } from '#workflow/deps.ts';
import { type ClusterFile, depsForClusterFile, loadClusterFile } from './cluster-file.ts';
import type { CommandContext } from './command-spec.ts';
import { EXIT, exitForOutcome } from './exit-codes.ts';
import { UsageError } from './io.ts';
import { executeLocally, type LocalExecution, reportText } from './local-execution.ts';
import { runProgress } from './progress.ts';
import { auditDigest, type PlanPin, pinnedTools, planOf, type SavedPlan, savePlan } from './saved-plan.ts';
import { textStyleOf } from './style.ts';

export interface LocalRunRequest {
  mode: 'audit' | 'sync' | 'run';
  /** The cluster file as the operator named it (shown in messages). */
  clusterFilePath: string;
  dryRun: boolean;
  yes: boolean;
  keep: number;
  verbose: boolean;
  /** audit: where to save the plan. */
  savePlanTo?: string;
  /** sync --plan: the saved plan to apply. */
  plan?: { path: string; saved: SavedPlan; policy: Policy };
  /** Checked once the file is read: `run --cluster-id` must name the file's cluster. */
  expectClusterId?: string;
}

/** Reads a cluster file; a missing or invalid one is a usage error (exit 2), in one line. */
export async function clusterFileFor(path: string, cwd: string): Promise<ClusterFile> {
  try {
    return await loadClusterFile(resolve(cwd, path));
  } catch (error) {
    if (error instanceof InvalidInputError || error instanceof ConfigurationError)
      throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

export async function runLocal(request: LocalRunRequest, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const writes = request.mode !== 'audit' && !request.dryRun;
  const ask = writes && request.plan === undefined && !request.yes;
  const file = await clusterFileFor(request.clusterFilePath, io.cwd);
  if (request.expectClusterId !== undefined && file.clusterId !== request.expectClusterId) {
    throw new UsageError(
      `cluster file ${request.clusterFilePath} describes '${file.clusterId}', not '${request.expectClusterId}'`,
    );
  }
  if (request.plan && request.plan.saved.clusterId !== file.clusterId) {
    throw new UsageError(
      `plan ${request.plan.path} is for cluster '${request.plan.saved.clusterId}', not '${file.clusterId}' of ${request.clusterFilePath}`,
    );
  }
  let filePolicy: Policy;
  try {
    filePolicy = resolvePolicy(file.policy);
  } catch (cause) {
    throw new UsageError(`cluster file ${request.clusterFilePath}: ${(cause as Error).message}`, { cause });
  }
  await preflightCredentials(file, ctx);
  // Refused before any node is read: a script must say --yes to write.
  if (ask && !(io.tty?.stdin && io.ask)) {
    throw new UsageError(
      `${request.mode} writes to the HSMs: on a terminal it asks first; here, give --yes to apply its plan (or --dry-run to only plan)`,
    );
  }

  const runIds: string[] = [];
  const execute = async (kind: string, policy: Policy, pin: PlanPin | null) => {
    const startedAt = new Date().toISOString();
    const runId = `${kind}-${startedAt.replace(/[:.]/g, '-')}`;
    runIds.push(runId);
    const base = await depsForClusterFile(
      file,
      io,
      request.verbose,
      join(file.reportDir, 'runs', runId, 'transcripts'),
    );
    const pinned = pin ? pinnedTools(base.tool, pin) : null;
    const deps: WorkflowDeps = pinned ? { ...base, tool: pinned.tool } : base;
    const execution = await executeLocally(
      {
        runId,
        clusterId: file.clusterId,
        provider: 'file',
        policy,
        startedAt,
        trigger: {
          kind: 'runbook',
          detail: `hsm-sentinel ${request.mode} --cluster-file ${request.clusterFilePath}`,
        },
      },
      deps,
      runProgress({
        write: io.stderr,
        live: io.tty?.stderr === true,
        style: ctx.style.stderr,
        ...(io.tty?.columns ? { columns: io.tty.columns } : {}),
      }),
      1000,
    );
    return { ...execution, deps, refusal: pinned?.refusal() ?? null };
  };

  try {
    if (!writes) {
      const dry = await execute(request.mode, { ...filePolicy, dryRun: true }, null);
      if (dry.report && request.savePlanTo) {
        await savePlan(resolve(io.cwd, request.savePlanTo), planOf(dry.report, filePolicy));
        io.stderr(
          `Plan saved to ${request.savePlanTo} (${dry.report.plan?.actions.length ?? 0} action(s)); apply exactly it with:\n` +
            `  hsm-sentinel sync --cluster-file ${request.clusterFilePath} --plan ${request.savePlanTo}\n`,
        );
      }
      return finish(dry, ctx);
    }
    if (request.plan) {
      const { saved, path, policy } = request.plan;
      const applied = await execute(
        request.mode,
        { ...policy, dryRun: false },
        {
          membershipToken: saved.membershipToken,
          auditDigest: saved.auditDigest,
          source: `plan ${path} was saved (${saved.savedAt})`,
        },
      );
      return finish(applied, ctx);
    }
    // Plan first.
    io.stderr(`Planning: reading every node of ${file.clusterId} (a dry run, nothing written)\n`);
    // The preview does not wait for the service's own copies (minutes each): the writing run
    // that follows re-checks them, and the preview's report says they were not re-checked.
    const planned = await execute(
      `${request.mode}-plan`,
      { ...filePolicy, dryRun: true, serviceSyncRechecks: 0 },
      null,
    );
    if (!planned.report?.plan || !planned.report.before || !planned.report.cluster)
      return finish(planned, ctx);
    const actions = planned.report.plan.actions;
    if (actions.length === 0) {
      io.stderr('Nothing to write: the plan has no action; its report follows.\n');
      return finish(planned, ctx);
    }
    io.stderr(planText(planned.report));
    if (ask) {
      const answer =
        (await io.ask?.(`Apply these ${actions.length} action(s) to ${file.clusterId}? [y/N] `)) ?? '';
      if (!/^(y|yes)$/i.test(answer.trim())) {
        io.stderr("Not applied: nothing written. The plan run's report follows.\n");
        return finish(planned, ctx);
      }
    }
    const applied = await execute(
      request.mode,
      { ...filePolicy, dryRun: false },
      {
        membershipToken: planned.report.cluster.membershipToken,
        auditDigest: auditDigest(planned.report.before),
        source: `the plan above was made (run ${planned.report.runId})`,
      },
    );
    return finish(applied, ctx);
  } finally {
    await pruneRuns(file.reportDir, request.keep, runIds, ctx);
  }
}

/** A missing password variable or file is said before any node is read: exit 2, one line. */
async function preflightCredentials(file: ClusterFile, ctx: CommandContext): Promise<void> {
  try {
    await credentialsSource(file.credentials, ctx.io.env).get();
  } catch (error) {
    if (error instanceof ConfigurationError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

function planText(report: RunReport): string {
  const plan = report.plan;
  if (!plan) return '';
  const lines = [`Plan for ${report.clusterId} (${plan.actions.length} action(s), additive only):`];
  for (const a of plan.actions)
    lines.push(`  + ${escapeForText(a.description)}   (${escapeForText(a.label)})`);
  if (plan.skipped.length > 0) {
    lines.push('Left for a human (never written):');
    for (const s of plan.skipped) lines.push(`  - ${escapeForText(s.label)}: ${escapeForText(s.reason)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Prints a finished run (report on stdout, text or JSON) and gives its exit code. */
function finish(
  run: LocalExecution & { deps: WorkflowDeps; refusal: string | null },
  ctx: CommandContext,
): number {
  const { io } = ctx;
  const { result, report } = run;
  if (!report) {
    io.stderr(
      `the run failed before its report was written: ${result.error?.name}: ${result.error?.cause}\n`,
    );
    if (ctx.json) io.stdout(`${JSON.stringify({ error: result.error, exitCode: EXIT.failed }, null, 2)}\n`);
    return EXIT.failed;
  }
  io.stdout(
    ctx.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : `${reportText(report, (id) => run.deps.tool(id).runbook, textStyleOf(ctx.style.stdout))}\n`,
  );
  if (run.refusal) {
    io.stderr(`Refused: ${run.refusal}\n`);
    return EXIT.attention;
  }
  const outcome = outcomeOf(report);
  return result.status === 'failed' && outcome !== 'failed' ? EXIT.failed : exitForOutcome(outcome);
}

/** --keep: old run folders and backups of a report folder go; a failure to prune is said, never fatal. */
export async function pruneRuns(
  reportDir: string,
  keep: number,
  protect: string[],
  ctx: CommandContext,
): Promise<void> {
  try {
    const pruned = await pruneLocalRuns(reportDir, keep, { protect });
    const gone = pruned.removedRuns.length + pruned.removedBackups.length;
    if (gone > 0)
      ctx.io.stderr(
        `Pruned ${pruned.removedRuns.length} old run folder(s) and ${pruned.removedBackups.length} backup(s) (--keep ${keep})\n`,
      );
  } catch (error) {
    ctx.io.stderr(`Old runs not pruned: ${(error as Error).message}\n`);
  }
}
