/**
 * `hsm-sentinel audit|sync --cluster-file F`: executions of the state machine, here, against
 * the nodes a cluster file names, with the tool it names (local-run.ts has the rule for
 * writing). `audit` never writes; `audit --save-plan` keeps its plan for `sync --plan`.
 */
import { resolve } from 'node:path';
import { type CommandContext, countOf, flagOf, type ParsedArgs, stringOf } from '../command-spec.ts';
import { UsageError } from '../io.ts';
import { runLocal } from '../local-run.ts';
import { loadPlan } from '../saved-plan.ts';
import { DEFAULT_KEEP } from '../specs/shared-options.ts';

function clusterFileOf(args: ParsedArgs): string {
  const path = stringOf(args, 'cluster-file');
  if (!path) throw new UsageError('--cluster-file FILE is required');
  return path;
}

export async function auditCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const savePlanTo = stringOf(args, 'save-plan');
  return runLocal(
    {
      mode: 'audit',
      clusterFilePath: clusterFileOf(args),
      dryRun: true,
      yes: false,
      keep: countOf(args, 'keep', 1) ?? DEFAULT_KEEP,
      verbose: flagOf(args, 'verbose'),
      ...(savePlanTo ? { savePlanTo } : {}),
    },
    ctx,
  );
}

export async function syncCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const planPath = stringOf(args, 'plan');
  if (planPath && flagOf(args, 'dry-run')) throw new UsageError('give --plan or --dry-run, not both');
  const plan = planPath ? await loadPlan(resolve(ctx.io.cwd, planPath)) : undefined;
  return runLocal(
    {
      mode: 'sync',
      clusterFilePath: clusterFileOf(args),
      dryRun: flagOf(args, 'dry-run'),
      yes: flagOf(args, 'yes'),
      keep: countOf(args, 'keep', 1) ?? DEFAULT_KEEP,
      verbose: flagOf(args, 'verbose'),
      ...(plan && planPath ? { plan: { path: planPath, saved: plan, policy: plan.policyResolved } } : {}),
    },
    ctx,
  );
}
