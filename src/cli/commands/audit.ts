/**
 * `hsm-sentinel audit|sync --cluster-file F [--dry-run] [--json]`: one run of the loop
 * against the nodes a cluster file names, with the util it names. `audit` never writes.
 * Exit: 0 clean or repaired, 3 a human must act, 1 the run failed.
 */
import { readFile } from 'node:fs/promises';
import { buildAlert } from '#core/alert.ts';
import { InvalidInputError } from '#core/errors.ts';
import { resolvePolicy } from '#core/policy.ts';
import { renderReport } from '#core/render-report.ts';
import { outcomeOf, type RunReport } from '#core/report.ts';
import { readOperatorConfig } from '#drivers/mgmt-util/config.ts';
import { credentialsSource } from '#providers/credentials.ts';
import { NoBackupProvider } from '#providers/static/no-backup.ts';
import { StaticClusterProvider } from '#providers/static/static-provider.ts';
import { jsonLineLogger } from '#workflow/json-line-logger.ts';
import { runPipeline } from '#workflow/run-pipeline.ts';
import { parseOptions } from '../args.ts';
import { type ClusterFile, loadClusterFile } from '../cluster-file.ts';
import { type CliIo, UsageError } from '../io.ts';
import { localDeps } from '../local-deps.ts';

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

  const deps = await localDeps({
    provider: new StaticClusterProvider({
      clusterId: file.clusterId,
      provider: 'file',
      dialect: file.dialect,
      nodes: () => file.nodes.map((n) => ({ ...n, state: 'ACTIVE' as const })),
      operatorConfigAddresses: () => operatorAddresses(file),
    }),
    dialect: file.dialect,
    utilCommand: file.util,
    credentials: credentialsSource(file.credentials, io.env),
    backup: new NoBackupProvider(),
    reportDir: file.reportDir,
    keyDetails: file.keyDetails,
    ...(values.verbose ? { log: jsonLineLogger(io.stderr) } : {}),
  });
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

async function operatorAddresses(file: ClusterFile): Promise<string[] | null> {
  if (!file.operatorConfig) return null;
  let text: string;
  try {
    text = await readFile(file.operatorConfig, 'utf8');
  } catch (cause) {
    throw new InvalidInputError(`operatorConfig ${file.operatorConfig} cannot be read`, { cause });
  }
  return readOperatorConfig(text, file.dialect);
}
