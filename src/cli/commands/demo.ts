/**
 * `hsm-sentinel demo [--provider aws|azure]` (what `npm start` runs): an emulated 3-node
 * cluster on loopback seeded with the seed scenarios, and one execution of the real state
 * machine definition against it (aws-local-stepfunctions), every Task bound to the step its
 * Lambda runs, with the production driver spawning the emulated mgmt util.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DEFAULT_POLICY } from '#core/model.ts';
import { Secret } from '#core/secret.ts';
import { defaultTool } from '#drivers/registry.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import { emulatedCommand } from '#emulator/programs.ts';
import { seedScenarios } from '#emulator/seed-scenarios.ts';
import { FolderBackupProvider } from '#providers/emulator/folder-backup.ts';
import { StaticClusterProvider } from '#providers/static/static-provider.ts';
import type { RunContext } from '#workflow/contracts.ts';
import { parseOptions } from '../args.ts';
import { type CliIo, UsageError } from '../io.ts';
import { localDeps } from '../local-deps.ts';
import { executeLocally, reportText } from '../local-execution.ts';

export async function demoCommand(args: string[], io: CliIo): Promise<number> {
  const { values } = parseOptions(args, {
    provider: { type: 'string', default: 'aws' },
    'report-dir': { type: 'string' },
    help: { type: 'boolean' },
  });
  if (values.help) {
    io.stdout('usage: hsm-sentinel demo [--provider aws|azure] [--report-dir DIR]\n');
    return 0;
  }
  if (values.provider !== 'aws' && values.provider !== 'azure')
    throw new UsageError('--provider must be aws or azure');
  // The cloud's own tool: what its operators run against such a cluster.
  const tool = defaultTool(values.provider);
  const reportDir = resolve(io.cwd, values['report-dir'] ?? '.runs/demo');

  // A fresh password per demo: it exists only in this process and, hashed, in the emulated nodes.
  // HSM_SENTINEL_DEMO_PASSWORD lets a test know it, to prove it never leaks.
  const password = new Secret(io.env.HSM_SENTINEL_DEMO_PASSWORD ?? randomBytes(12).toString('base64url'));
  const stateDir = await mkdtemp(join(tmpdir(), 'hsm-sentinel-demo-'));
  const cluster = await startDemoCluster(stateDir, password);
  try {
    const clusterId = `demo-${values.provider}-cluster`;
    io.stdout(`Emulated ${values.provider} cluster '${clusterId}' on loopback, read with ${tool.title}:\n`);
    cluster.nodes.forEach((n, i) => void io.stdout(`  server ${i}: ${n.nodeId} ${n.address}:${n.port}\n`));
    io.stdout(`Seeded: ${seedScenarios({ adminPassword: password }).demo.description}\n`);
    io.stdout(`The operator's own tool config is stale: it lists servers 0 and 2 only.\n\n`);

    const provider = new StaticClusterProvider({
      clusterId,
      provider: 'emulator',
      tool: tool.id,
      nodes: () => cluster.nodes,
      // The AWS seed's root cause: the operator's config was not refreshed when node 1 joined.
      operatorConfigAddresses: async () => [cluster.nodes[0]?.address ?? '', cluster.nodes[2]?.address ?? ''],
    });
    const deps = await localDeps({
      provider,
      tool: tool.id,
      toolCommand: emulatedCommand(tool.id),
      toolSettings: { KEY_DETAILS: 'true' },
      credentials: { get: async () => ({ username: 'admin', password, role: 'CO', version: 'demo' }) },
      backup: new FolderBackupProvider(stateDir, join(reportDir, 'backups')),
      reportDir,
    });
    const context: RunContext = {
      runId: `demo-${new Date().toISOString().replace(/[:.]/g, '-')}`,
      clusterId,
      provider: 'emulator',
      policy: { ...DEFAULT_POLICY, allowedKinds: [...DEFAULT_POLICY.allowedKinds] },
      startedAt: new Date().toISOString(),
      trigger: { kind: 'demo', detail: 'hsm-sentinel demo' },
    };
    const { result, report } = await executeLocally(context, deps, io.stdout);
    if (!report) {
      io.stderr(
        `the run failed before its report was written: ${result.error?.name}: ${result.error?.cause}\n`,
      );
      return 1;
    }
    io.stdout(`\n${reportText(report, (id) => deps.tool(id).runbook)}\n`);
    io.stdout(`\nReport: ${join(reportDir, result.state?.alert?.reportPageRef ?? '')}\n`);
    return result.status === 'succeeded' ? 0 : 1;
  } finally {
    await cluster.stop();
    await rm(stateDir, { recursive: true, force: true });
  }
}

/** Port 2225 on 127.0.0.1-3 as on a real cluster when free; ephemeral ports otherwise. */
async function startDemoCluster(stateDir: string, password: Secret): Promise<EmulatedCluster> {
  try {
    return await startEmulatedCluster({
      stateDir,
      seed: seedScenarios({ adminPassword: password }).demo,
      basePort: 2225,
    });
  } catch {
    return startEmulatedCluster({
      stateDir,
      seed: seedScenarios({ adminPassword: password }).demo,
      basePort: 0,
    });
  }
}
