/**
 * `hsm-sentinel demo [--tool ID | --provider aws|azure]` (what `npm start` runs): an emulated
 * cluster on loopback seeded with the tool's seed stories (src/cli/demos), and one execution
 * of the real state machine definition against it (aws-local-stepfunctions), every Task bound
 * to the step its Lambda runs, with the tool's production driver spawning the emulated program.
 * What it started and its progress go to stderr, the report to stdout. The exit code says
 * whether each run told its scenario's story (demo-story.ts), not the run's outcome.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_POLICY } from '#core/model.ts';
import type { RunReport } from '#core/report.ts';
import { Secret } from '#core/secret.ts';
import type { RunContext } from '#workflow/contracts.ts';
import { type CommandContext, countOf, type ParsedArgs, stringOf } from '../command-spec.ts';
import type { DemoCluster } from '../demos/demo-scenario.ts';
import { storyDifferences } from '../demos/demo-story.ts';
import { DEMO_BY_PROVIDER, DEMOS, demoFor } from '../demos/registry.ts';
import { EXIT } from '../exit-codes.ts';
import { UsageError } from '../io.ts';
import { localDeps } from '../local-deps.ts';
import { executeLocally, reportText } from '../local-execution.ts';
import { pruneRuns } from '../local-run.ts';
import { runProgress } from '../progress.ts';
import { onShutdown } from '../shutdown.ts';
import { DEFAULT_KEEP } from '../specs/shared-options.ts';
import { textStyleOf } from '../style.ts';

interface DemoRun {
  clusterId: string;
  outcome: string;
  storyTold: boolean;
  differences: string[];
  reportPage: string | null;
  report: RunReport | null;
}

export async function demoCommand(args: ParsedArgs, ctx: CommandContext): Promise<number> {
  const { io } = ctx;
  const tool = stringOf(args, 'tool');
  const provider = stringOf(args, 'provider');
  if (tool !== undefined && provider !== undefined)
    throw new UsageError('give --tool or --provider, not both');
  const demo = tool !== undefined ? demoFor(tool) : DEMO_BY_PROVIDER[provider ?? 'aws'];
  if (!demo) {
    throw new UsageError(
      tool !== undefined
        ? `no demo for tool '${tool}': expected one of ${DEMOS.map((d) => d.tool).join(', ')}`
        : '--provider must be aws or azure',
    );
  }
  const keep = countOf(args, 'keep', 1) ?? DEFAULT_KEEP;
  const reportDir = resolve(io.cwd, stringOf(args, 'report-dir') ?? '.runs/demo');

  // A fresh secret per demo: it exists only in this process and, hashed, in the emulated nodes.
  // HSM_SENTINEL_DEMO_PASSWORD lets a test know it, to prove it never leaks.
  const password = new Secret(io.env.HSM_SENTINEL_DEMO_PASSWORD ?? randomBytes(12).toString('base64url'));
  const stateDir = await mkdtemp(join(tmpdir(), 'hsm-sentinel-demo-'));
  const removeState = () => rm(stateDir, { recursive: true, force: true });
  const forgetState = onShutdown(removeState);
  const running = await demo.start({ stateDir, reportDir, password, preferDocumentedPorts: true });
  const forgetCluster = onShutdown(() => running.stop());
  const runs: DemoRun[] = [];
  try {
    for (const cluster of running.clusters) runs.push(await runOne(demo.tool, cluster, reportDir, ctx));
  } finally {
    forgetCluster();
    await running.stop();
    forgetState();
    await removeState();
    await pruneRuns(
      reportDir,
      keep,
      runs.flatMap((r) => (r.report ? [r.report.runId] : [])),
      ctx,
    );
  }
  const told = runs.every((r) => r.storyTold);
  if (ctx.json) {
    io.stdout(`${JSON.stringify({ tool: demo.tool, storyTold: told, runs }, null, 2)}\n`);
  }
  for (const run of runs.filter((r) => !r.storyTold))
    io.stderr(`demo: ${run.clusterId} did not tell its story: ${run.differences.join('; ')}\n`);
  return told ? EXIT.ok : EXIT.failed;
}

/** One cluster of the demo through the real state machine. */
async function runOne(
  tool: string,
  cluster: DemoCluster,
  reportDir: string,
  ctx: CommandContext,
): Promise<DemoRun> {
  const { io } = ctx;
  io.stderr(`${cluster.intro.join('\n')}\n\n`);
  const startedAt = new Date().toISOString();
  const runId = `demo-${startedAt.replace(/[:.]/g, '-')}`;
  const deps = await localDeps({
    provider: cluster.clusterProvider,
    tool,
    toolCommand: cluster.toolCommand,
    toolSettings: cluster.toolSettings,
    credentials: cluster.credentials,
    ...(cluster.secrets ? { secrets: cluster.secrets } : {}),
    backup: cluster.backup,
    reportDir,
    transcriptDir: join(reportDir, 'runs', runId, 'transcripts'),
  });
  const context: RunContext = {
    runId,
    clusterId: cluster.clusterId,
    provider: cluster.provider,
    policy: { ...DEFAULT_POLICY, allowedKinds: [...DEFAULT_POLICY.allowedKinds] },
    startedAt,
    trigger: { kind: 'demo', detail: `hsm-sentinel demo --tool ${tool}` },
  };
  const progress = runProgress({
    write: io.stderr,
    live: io.tty?.stderr === true,
    style: ctx.style.stderr,
    ...(io.tty?.columns ? { columns: io.tty.columns } : {}),
  });
  const { result, report } = await executeLocally(context, deps, progress, 0, cluster.waitTimeMs);
  if (!report) {
    const why = `the run failed before its report was written: ${result.error?.name}: ${result.error?.cause}`;
    io.stderr(`${why}\n`);
    return {
      clusterId: cluster.clusterId,
      outcome: 'failed',
      storyTold: false,
      differences: [why],
      reportPage: null,
      report,
    };
  }
  const reportPage = join(reportDir, 'runs', runId, 'report.html');
  if (!ctx.json) {
    io.stdout(`${reportText(report, (id) => deps.tool(id).runbook, textStyleOf(ctx.style.stdout))}\n`);
    io.stderr(`\nReport page: ${reportPage}\n`);
  }
  const differences = storyDifferences(report, cluster.story);
  return {
    clusterId: cluster.clusterId,
    outcome: report.outcome ?? 'failed',
    storyTold: differences.length === 0,
    differences,
    reportPage,
    report,
  };
}
