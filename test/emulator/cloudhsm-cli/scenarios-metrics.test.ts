import { afterAll, describe, expect, it } from '@jest/globals';
import { Secret } from '#core/secret.ts';
import {
  BENCHMARK_CRYPTO_USER,
  benchmarkClusterStates,
  measureCliCollection,
  startBenchmarkCluster,
} from '#emulator/cloudhsm-cli/bench-seed.ts';
import { HSM2M_MAX_USERS } from '#emulator/cloudhsm-cli/metrics.ts';
import { SDK5_SCENARIO_NAMES, sdk5Scenarios } from '#emulator/cloudhsm-cli/seed-scenarios.ts';
import { startEmulatedCluster } from '#emulator/cluster.ts';
import { NodeState } from '#emulator/node-state.ts';
import { tempDir } from '../../support/emulator/temp-dir.ts';

const adminPassword = new Secret('Scen-admin-pass-1');
const cryptoUserPassword = new Secret('Scen-crypto-pass-2');
const scenarios = sdk5Scenarios({ adminPassword, cryptoUserPassword });
const dir = tempDir('sdk5-scenarios');
afterAll(() => dir.remove());

describe('SDK 5 scenarios', () => {
  it('build every node of every scenario, with hashes only (no password in the state)', () => {
    for (const name of SDK5_SCENARIO_NAMES) {
      const scenario = scenarios[name];
      const ids = Array.from({ length: scenario.nodeCount }, (_, i) => `n${i}`);
      const states = scenario.states(ids, '00'.repeat(32));
      expect(states).toHaveLength(scenario.nodeCount);
      const text = JSON.stringify(states);
      expect(text).not.toContain(adminPassword.reveal());
      expect(text).not.toContain(cryptoUserPassword.reveal());
      expect(states.every((s) => s.users.some((u) => u.username === 'admin'))).toBe(true);
    }
    expect(scenarios.singleHsm.nodeCount).toBe(1);
    expect(scenarios.keyHeldBack.faults).toEqual({ 2: { holdKeySync: true } });
  });

  it('give one key pair one check value, and the stored check value equals the computed one', () => {
    const [state] = scenarios.consistent.states(['n0'], '00'.repeat(32));
    const node = NodeState.create(`${dir.path}/n0.json`, state as NonNullable<typeof state>);
    const session = { userId: 4, userType: 'CU' as const, username: 'bob', loginType: 'CU' as const };
    const [priv, pub] = node.sdk5KeyDetails(session, [0x201, 0x202]);
    expect(priv?.checkValue).toBe(pub?.checkValue);
    expect([priv?.keyLengthBytes, pub?.keyLengthBytes, priv?.curve]).toEqual([122, 57, 'secp224r1']);
    expect(priv?.ecPoint).toMatch(/^0x04[0-9a-f]{112}$/);
  });
});

describe('benchmark cluster and metrics', () => {
  it('builds the quota-sized node state quickly: 1,024 users, all keys owned by the benchmark user', () => {
    const started = performance.now();
    const states = benchmarkClusterStates({ adminPassword, cryptoUserPassword, keys: 16_666 })(
      ['a', 'b'],
      '00'.repeat(32),
    );
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(states.map((s) => [s.users.length, s.keys.length])).toEqual([
      [HSM2M_MAX_USERS, 16_666],
      [HSM2M_MAX_USERS, 16_666],
    ]);
    expect(states[0]?.users[2]?.username).toBe(BENCHMARK_CRYPTO_USER);
    expect(states[0]?.keys.every((k) => k.owner === 3)).toBe(true);
  });

  it('a small benchmark cluster is collected through the spawned CLI, pages joined complete; metrics per HSM', async () => {
    const { cluster, configPath } = await startBenchmarkCluster({
      stateDir: `${dir.path}/bench`,
      hsms: 2,
      keys: 25,
      users: 8,
      adminPassword,
      cryptoUserPassword,
    });
    try {
      const timings = await measureCliCollection({ configPath, cryptoUserPassword, pageSizes: [10] });
      expect(timings.map((t) => [t.label, t.invocations, t.items])).toEqual([
        ['key list --verbose, --max-items 10', 3, 25],
        ['user list', 1, 8],
      ]);
      expect(cluster.metrics()).toEqual([
        { nodeId: 'hsm-emu-0', HsmUsersAvailable: HSM2M_MAX_USERS - 8, HsmKeysTokenOccupied: 25 },
        { nodeId: 'hsm-emu-1', HsmUsersAvailable: HSM2M_MAX_USERS - 8, HsmKeysTokenOccupied: 25 },
      ]);
    } finally {
      await cluster.stop();
    }
  });

  it('refuses seed and states together, and a builder of the wrong node count', async () => {
    const states = scenarios.singleHsm.states;
    await expect(startEmulatedCluster({ stateDir: `${dir.path}/x`, nodeCount: 2, states })).rejects.toThrow(
      'the state builder made 1 nodes but the cluster has 2',
    );
  });
});
