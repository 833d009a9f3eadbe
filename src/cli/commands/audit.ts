/**
 * `hsm-sentinel audit|sync --cluster-file F [--dry-run] [--json]`: one execution of the state
 * machine, here, against the nodes a cluster file names, with the util it names. `audit`
 * never writes (it is a dry run).
 * Exit: 0 clean or repaired, 3 a human must act, 1 the run failed.
 */
import { resolvePolicy } from '#core/policy.ts';
import { outcomeOf } from '#core/report.ts';
import { parseOptions } from '../args.ts';
import { depsForClusterFile, loadClusterFile } from '../cluster-file.ts';
import { type CliIo, UsageError } from '../io.ts';
import { executeLocally, reportText } from '../local-execution.ts';

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
  const { result, report } = await executeLocally(
    {
      runId: `${mode}-${startedAt.replace(/[:.]/g, '-')}`,
      clusterId: file.clusterId,
      provider: 'file',
      policy,
      startedAt,
      trigger: { kind: 'runbook', detail: `hsm-sentinel ${mode} --cluster-file ${values['cluster-file']}` },
    },
    deps,
    values.json ? () => {} : io.stderr,
    1000,
  );
  if (!report) {
    io.stderr(
      `the run failed before its report was written: ${result.error?.name}: ${result.error?.cause}\n`,
    );
    return 1;
  }
  io.stdout(
    values.json
      ? `${JSON.stringify(report, null, 2)}\n`
      : `${reportText(report, (id) => deps.tool(id).runbook)}\n`,
  );
  const outcome = outcomeOf(report);
  return outcome === 'failed' ? 1 : outcome === 'attention' ? 3 : 0;
}
