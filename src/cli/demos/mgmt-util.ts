/**
 * The mgmt-util demos (what `npm start` runs): three emulated HSMs on loopback seeded with
 * the AWS seed (a user missing on node 1), the Azure seed (a key on node 0 only) and a
 * divergent key, read and repaired through the emulated cloudhsm_mgmt_util /
 * azcloudhsm_mgmt_util. The operator's own config is stale (it lists servers 0 and 2).
 */
import { join } from 'node:path';
import type { Secret } from '#core/secret.ts';
import { MGMT_UTIL_AWS_MODULE, MGMT_UTIL_AZURE_MODULE } from '#drivers/mgmt-util/index.ts';
import type { ToolModule } from '#drivers/tool-module.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import { emulatedCommand } from '#emulator/programs.ts';
import { AZURE_SINGLE_NODE_KEY, DIVERGENT_KEY, seedScenarios } from '#emulator/seed-scenarios.ts';
import { FolderBackupProvider } from '#providers/emulator/folder-backup.ts';
import { StaticClusterProvider } from '#providers/static/static-provider.ts';
import type { DemoScenario, DemoStartOptions, RunningDemo } from './demo-scenario.ts';

function mgmtUtilDemo(tool: ToolModule, cloud: 'aws' | 'azure'): DemoScenario {
  return {
    tool: tool.id,
    summary: `the ${cloud} seed stories through the emulated ${tool.title}`,
    async start(options: DemoStartOptions): Promise<RunningDemo> {
      const cluster = await startDemoCluster(options);
      const clusterId = `demo-${cloud}-cluster`;
      const seed = seedScenarios({ adminPassword: options.password }).demo;
      const one = {
        clusterId,
        provider: 'emulator' as const,
        intro: [
          `Emulated ${cloud} cluster '${clusterId}' on loopback, read with ${tool.title}:`,
          ...cluster.nodes.map((n, i) => `  server ${i}: ${n.nodeId} ${n.address}:${n.port}`),
          `Seeded: ${seed.description}`,
          "The operator's own tool config is stale: it lists servers 0 and 2 only.",
        ],
        clusterProvider: new StaticClusterProvider({
          clusterId,
          provider: 'emulator',
          tool: tool.id,
          nodes: () => cluster.nodes,
          // The AWS seed's root cause: the operator's config was not refreshed when node 1 joined.
          operatorConfigAddresses: async () => [
            cluster.nodes[0]?.address ?? '',
            cluster.nodes[2]?.address ?? '',
          ],
        }),
        toolCommand: emulatedCommand(tool.id),
        toolSettings: { KEY_DETAILS: 'true' },
        credentials: {
          get: async () => ({ username: 'admin', password: options.password, role: 'CO', version: 'demo' }),
        },
        backup: new FolderBackupProvider(options.stateDir, join(options.reportDir, 'backups')),
        // The seed stories: the missing user and the single-node key repaired, the divergent
        // key left for a human, and so a run that needs one (attention).
        story: {
          outcome: 'attention' as const,
          repaired: ['user:newest_user', `key:${AZURE_SINGLE_NODE_KEY}`],
          leftForHuman: [`key:${DIVERGENT_KEY}`],
        },
      };
      return { clusters: [one], stop: () => cluster.stop() };
    },
  };
}

/** Port 2225 on 127.0.0.1-3 as on a real cluster when free; ephemeral ports otherwise. */
async function startDemoCluster(options: DemoStartOptions): Promise<EmulatedCluster> {
  const start = (basePort: number, password: Secret) =>
    startEmulatedCluster({
      stateDir: options.stateDir,
      seed: seedScenarios({ adminPassword: password }).demo,
      basePort,
    });
  if (!options.preferDocumentedPorts) return start(0, options.password);
  try {
    return await start(2225, options.password);
  } catch {
    return start(0, options.password);
  }
}

export const MGMT_UTIL_AWS_DEMO = mgmtUtilDemo(MGMT_UTIL_AWS_MODULE, 'aws');
export const MGMT_UTIL_AZURE_DEMO = mgmtUtilDemo(MGMT_UTIL_AZURE_MODULE, 'azure');
