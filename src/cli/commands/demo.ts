/**
 * `hsm-sentinel demo [--tool ID | --provider aws|azure]` (what `npm start` runs): an emulated
 * cluster on loopback seeded with the tool's seed stories (src/cli/demos), and one execution
 * of the real state machine definition against it (aws-local-stepfunctions), every Task bound
 * to the step its Lambda runs, with the tool's production driver spawning the emulated program.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_POLICY } from '#core/model.ts';
import { Secret } from '#core/secret.ts';
import type { RunContext } from '#workflow/contracts.ts';
import { parseOptions } from '../args.ts';
import type { DemoCluster } from '../demos/demo-scenario.ts';
import { DEMO_BY_PROVIDER, DEMOS, demoFor } from '../demos/registry.ts';
import { type CliIo, UsageError } from '../io.ts';
import { localDeps } from '../local-deps.ts';
import { executeLocally, reportText } from '../local-execution.ts';

export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, {
    tool: { type: 'string' },
    provider: { type: 'string' },
    'report-dir': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout(
      [
        'usage: hsm-sentinel demo [--tool ID | --provider aws|azure] [--report-dir DIR]',
        ...DEMOS.map((d) => `  --tool ${d.tool}: ${d.summary}`),
        '',
      ].join('\n'),
    );
    return 0;
  }
  if (values.tool !== undefined && values.provider !== undefined)
    throw new UsageError('give --tool or --provider, not both');
  const demo = values.tool !== undefined ? demoFor(values.tool) : DEMO_BY_PROVIDER[values.provider ?? 'aws'];
  if (!demo) {
    throw new UsageError(
      values.tool !== undefined
        ? `no demo for tool '${values.tool}': expected one of ${DEMOS.map((d) => d.tool).join(', ')}`
        : '--provider must be aws or azure',
    );
  }
  const reportDir = resolve(io.cwd, values['report-dir'] ?? '.runs/demo');

  // A fresh secret per demo: it exists only in this process and, hashed, in the emulated nodes.
  // HSM_SENTINEL_DEMO_PASSWORD lets a test know it, to prove it never leaks.
  const password = new Secret(io.env.HSM_SENTINEL_DEMO_PASSWORD ?? randomBytes(12).toString('base64url'));
  const stateDir = await mkdtemp(join(tmpdir(), 'hsm-sentinel-demo-'));
  const running = await demo.start({ stateDir, reportDir, password, preferDocumentedPorts: true });
  try {
    let exit = 0;
    for (const cluster of running.clusters) {
      exit = Math.max(exit, await runOne(demo.tool, cluster, reportDir, io));
    }
    return exit;
  } finally {
    await running.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** One cluster of the demo through the real state machine; 0 when the run completed, 1 when it failed. */
async function runOne(tool: string, cluster: DemoCluster, reportDir: string, io: CliIo): Promise<number> {
  io.stdout(`${cluster.intro.join('\n')}\n\n`);
  const deps = await localDeps({
    provider: cluster.clusterProvider,
    tool,
    toolCommand: cluster.toolCommand,
    toolSettings: cluster.toolSettings,
    credentials: cluster.credentials,
    ...(cluster.secrets ? { secrets: cluster.secrets } : {}),
    backup: cluster.backup,
    reportDir,
  });
  const context: RunContext = {
    runId: `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`,
    clusterId: cluster.clusterId,
    provider: cluster.provider,
    policy: { ...DEFAULT_POLICY, allowedKinds: [...DEFAULT_POLICY.allowedKinds] },
    startedAt: new Date().toISOString(),
    trigger: { kind: 'demo', detail: `hsm-sentinel demo --tool ${tool}` },
  };
  const { result, report } = await executeLocally(context, deps, io.stdout, 0, cluster.waitTimeMs);
  if (!report) {
    io.stderr(
      `the run failed before its report was written: ${result.error?.name}: ${result.error?.cause}\n`,
    );
    return 1;
  }
  io.stdout(`\n${reportText(report, (id) => deps.tool(id).runbook)}\n`);
  io.stdout(`\nReport: ${join(reportDir, result.state?.alert?.reportPageRef ?? '')}\n`);
  return result.status === 'succeeded' ? 0 : 1;
}
