/**
 * An emulated cluster on loopback (in this process) and a cluster file naming it, for CLI
 * tests that run audit / sync / run against it.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ClusterNode, ToolId } from '#core/model.ts';
import { Secret } from '#core/secret.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import { emulatedCommand } from '#emulator/programs.ts';
import { type SeedScenarioName, seedScenarios } from '#emulator/seed-scenarios.ts';

export interface EmulatedClusterFile {
  cluster: EmulatedCluster;
  /** The cluster file's path (dir/cluster.json). */
  clusterFile: string;
  /** Writes another cluster file for the same nodes, with other fields. */
  variant(name: string, fields: Record<string, unknown>): Promise<string>;
}

/**
 * The text of a cluster file naming `nodes` and the tool's emulated program (the password from
 * HSM_CO_PASSWORD, the user from HSM_CO_USER, reports in `reports/`); `fields` override or add.
 */
export function clusterFileJson(
  clusterId: string,
  tool: ToolId,
  nodes: readonly ClusterNode[],
  fields: Record<string, unknown> = {},
): string {
  return JSON.stringify({
    clusterId,
    tool,
    command: emulatedCommand(tool),
    nodes: nodes.map(({ nodeId, address, port }) => ({ nodeId, address, port })),
    credentials: { from: 'env', passwordVariable: 'HSM_CO_PASSWORD', usernameVariable: 'HSM_CO_USER' },
    reportDir: 'reports',
    ...fields,
  });
}

export async function emulatedClusterFile(
  dir: string,
  options: { clusterId: string; seed: SeedScenarioName; password: string },
): Promise<EmulatedClusterFile> {
  const cluster = await startEmulatedCluster({
    stateDir: join(dir, 'state'),
    seed: seedScenarios({ adminPassword: new Secret(options.password) })[options.seed],
  });
  const body = (fields: Record<string, unknown>) =>
    clusterFileJson(options.clusterId, 'mgmt-util-aws', cluster.nodes, fields);
  const clusterFile = join(dir, 'cluster.json');
  await writeFile(clusterFile, body({}));
  return {
    cluster,
    clusterFile,
    variant: async (name, fields) => {
      const path = join(dir, name);
      await writeFile(path, body(fields));
      return path;
    },
  };
}
