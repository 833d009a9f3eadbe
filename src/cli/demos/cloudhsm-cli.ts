/**
 * The SDK 5 demo (`hsm-sentinel demo --tool cloudhsm-cli`): three emulated HSMs on loopback,
 * read and repaired by the production cloudhsm-cli driver spawning the emulated
 * `cloudhsm-cli`, with the SDK 5 seed stories in one cluster:
 * - carol was created while HSM 1 failed (on HSMs 0 and 2 only): her secret is configured,
 *   so she is re-created with `user create` and verified with `user list`;
 * - dave is an admin on HSM 2 and a crypto user elsewhere (role inconsistent): alerted with
 *   AWS's recovery commands, untouched;
 * - key 0x10b is held back from HSM 2 by the service's key sync: re-checked after waits,
 *   then alerted, and HSM 2 is named as lagging by its per-HSM metrics.
 * Every password is the demo's one secret, held in this process only (the emulated HSMs keep
 * its hash).
 */
import { join } from 'node:path';
import { ConfigurationError } from '#core/errors.ts';
import type { NodeMetrics } from '#core/model.ts';
import type { Secret, SecretReader } from '#core/secret.ts';
import { CLOUDHSM_CLI_MODULE } from '#drivers/cloudhsm-cli/index.ts';
import { CLOUDHSM_CLI_SETTINGS } from '#drivers/cloudhsm-cli/settings.ts';
import { HELD_BACK_KEY, sdk5Scenarios } from '#emulator/cloudhsm-cli/seed-scenarios.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import { emulatedCommand } from '#emulator/programs.ts';
import type { NodeMetricsSource } from '#providers/cluster-provider.ts';
import { FolderBackupProvider } from '#providers/emulator/folder-backup.ts';
import { StaticClusterProvider } from '#providers/static/static-provider.ts';
import type { DemoScenario, DemoStartOptions, RunningDemo } from './demo-scenario.ts';

/** The crypto users whose keys are listed, and the users whose password the demo holds. */
const CRYPTO_USERS = ['alice', 'bob'];
const WITH_SECRET = [...CRYPTO_USERS, 'carol'];
/** The demo does not wait 2 minutes between re-checks: the held-back key stays held anyway. */
const DEMO_WAIT_MS = 200;

/** The demo's named secrets: `demo:<user>`, every one the demo password. */
function demoSecrets(password: Secret): SecretReader {
  return {
    async read(reference) {
      const user = reference.startsWith('demo:') ? reference.slice(5) : '';
      if (!WITH_SECRET.includes(user)) throw new ConfigurationError(`demo: no secret ${reference}`);
      return { password, version: 'demo' };
    },
  };
}

/** The emulator's per-HSM counts, as CloudWatch `AWS/CloudHSM` gives them on AWS. */
export function emulatorMetrics(cluster: EmulatedCluster): NodeMetricsSource {
  return {
    async read(_clusterId, nodeIds) {
      const byNode = new Map<string, NodeMetrics>();
      for (const m of cluster.metrics()) {
        if (nodeIds.includes(m.nodeId)) {
          byNode.set(m.nodeId, { usersAvailable: m.HsmUsersAvailable, tokenKeys: m.HsmKeysTokenOccupied });
        }
      }
      return byNode;
    },
  };
}

async function startDemoCluster(options: DemoStartOptions): Promise<EmulatedCluster> {
  const scenario = sdk5Scenarios({
    adminPassword: options.password,
    cryptoUserPassword: options.password,
  }).demo;
  const start = (basePort: number) =>
    startEmulatedCluster({
      stateDir: options.stateDir,
      nodeCount: scenario.nodeCount,
      states: scenario.states,
      faults: scenario.faults,
      keySync: { delayMs: 50 },
      basePort,
    });
  if (!options.preferDocumentedPorts) return start(0);
  try {
    return await start(CLOUDHSM_CLI_MODULE.port);
  } catch {
    return start(0);
  }
}

export const CLOUDHSM_CLI_DEMO: DemoScenario = {
  tool: CLOUDHSM_CLI_MODULE.id,
  summary: `the SDK 5 stories (a user on some HSMs only, a role that differs, a key held back) through the emulated ${CLOUDHSM_CLI_MODULE.title}`,
  async start(options: DemoStartOptions): Promise<RunningDemo> {
    const cluster = await startDemoCluster(options);
    const clusterId = 'demo-sdk5-cluster';
    const scenario = sdk5Scenarios({
      adminPassword: options.password,
      cryptoUserPassword: options.password,
    }).demo;
    const one = {
      clusterId,
      provider: 'emulator' as const,
      intro: [
        `Emulated hsm2m.medium cluster '${clusterId}' on loopback, read with ${CLOUDHSM_CLI_MODULE.title} (cluster-wide):`,
        ...cluster.nodes.map((n) => `  ${n.nodeId} ${n.address}:${n.port}`),
        `Seeded: ${scenario.description}.`,
        `Keys listed as ${CRYPTO_USERS.join(', ')}; secrets configured for ${WITH_SECRET.join(', ')} (not dave). Per-HSM counts from the emulator, as CloudWatch AWS/CloudHSM gives them.`,
      ],
      clusterProvider: new StaticClusterProvider({
        clusterId,
        provider: 'emulator',
        tool: CLOUDHSM_CLI_MODULE.id,
        nodes: () => cluster.nodes,
        metrics: emulatorMetrics(cluster),
      }),
      toolCommand: emulatedCommand(CLOUDHSM_CLI_MODULE.id),
      toolSettings: {
        [CLOUDHSM_CLI_SETTINGS.cryptoUsers]: CRYPTO_USERS.join(','),
        [CLOUDHSM_CLI_SETTINGS.userSecrets]: JSON.stringify(
          Object.fromEntries(WITH_SECRET.map((u) => [u, `demo:${u}`])),
        ),
      },
      credentials: {
        get: async () => ({ username: 'admin', password: options.password, role: 'admin', version: 'demo' }),
      },
      secrets: demoSecrets(options.password),
      backup: new FolderBackupProvider(options.stateDir, join(options.reportDir, 'backups')),
      waitTimeMs: DEMO_WAIT_MS,
      // carol re-created and verified; dave and the held-back key left for a human.
      story: {
        outcome: 'attention' as const,
        repaired: ['user:carol'],
        leftForHuman: ['user:dave', `key:0x${HELD_BACK_KEY.toString(16)}`],
      },
    };
    return { clusters: [one], stop: () => cluster.stop() };
  },
};
