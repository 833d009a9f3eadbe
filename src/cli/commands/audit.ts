/**
 * `hsm-sentinel audit|sync --cluster-file F [--dry-run] [--json]`: one run of the loop
 * against the nodes a cluster file names, with the util it names. `audit` never writes.
 * Exit: 0 clean or repaired, 3 a human must act, 1 the run failed.
 */
import { buildAlert } from '#core/alert.ts';
import { resolvePolicy } from '#core/policy.ts';
import { renderReport } from '#core/render-report.ts';
import { outcomeOf, type RunReport } from '#core/report.ts';
import { runPipeline } from '#workflow/run-pipeline.ts';
import { parseOptions } from '../args.ts';
import { depsForClusterFile, loadClusterFile } from '../cluster-file.ts';
import { type CliIo, UsageError } from '../io.ts';

export const auditCommand = (args: string[], io: CliIo) => runFromFile('audit', args, io);
export const syncCommand = (args: string[], io: CliIo) => runFromFile('sync', args, io);

async function runFromFile(mode: 'audit' | 'sync', args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, {
    'cluster-file': { type: 'string' },
    'dry-run': { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(
      `usage: hsm-sentinel ${mode} --cluster-file FILE ${mode === 'sync' ? '[--dry-run] ' : ''}[--json] [--verbose]\n`,
    );
    return 0;
  }
  if (!values['cluster-file']) throw new UsageError('--cluster-file is required');
  const file = await loadClusterFile(values['cluster-file']);
  const policy = resolvePolicy({
    ...file.policy,
    ...(mode === 'audit' || values['dry-run'] ? { dryRun: true } : {}),
  });

  const deps = await depsForClusterFile(file, io, values.verbose);
  const startedAt = new Date().toISOString();
  const state = await runPipeline(
    {
      runId: `${mode}-${startedAt.replace(/[:.]/g, '-')}`,
      clusterId: file.clusterId,
      provider: 'file',
      dialect: file.dialect,
      policy,
      startedAt,
      trigger: { kind: 'runbook', detail: `hsm-sentinel ${mode} --cluster-file ${values['cluster-file']}` },
    },
    deps,
    { onState: values.json ? () => {} : (name) => io.stderr(`> ${name}\n`) },
  );
  const report = await deps.store.getJson<RunReport>(state.alert?.reportRef ?? '');
  io.stdout(
    values.json ? `${JSON.stringify(report, null, 2)}\n` : `${renderReport(report, buildAlert(report))}\n`,
  );
  const outcome = outcomeOf(report);
  return outcome === 'failed' ? 1 : outcome === 'attention' ? 3 : 0;
}
