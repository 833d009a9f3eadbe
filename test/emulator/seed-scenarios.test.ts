import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Secret } from '#core/secret.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import { AZURE_SINGLE_NODE_KEY, DIVERGENT_KEY, seedScenarios } from '#emulator/seed-scenarios.ts';
import { tempDir } from '../support/emulator/temp-dir.ts';

const PASSWORD = 'Seed-pass-3';
const seeds = seedScenarios({ adminPassword: new Secret(PASSWORD) });
const started: { cluster: EmulatedCluster; remove: () => void }[] = [];

async function start(seed: (typeof seeds)[keyof typeof seeds]): Promise<EmulatedCluster> {
  const dir = tempDir(`seed-${seed.name}`);
  const cluster = await startEmulatedCluster({ stateDir: dir.path, seed });
  started.push({ cluster, remove: dir.remove });
  return cluster;
}

const usersOn = (cluster: EmulatedCluster, i: number) =>
  cluster.readState(i).users.map((u) => `${u.userId}:${u.userType}:${u.username}`);
const handlesOn = (cluster: EmulatedCluster, i: number) => cluster.readState(i).keys.map((k) => k.handle);

afterAll(async () => {
  for (const { cluster, remove } of started) {
    await cluster.stop();
    remove();
  }
});

describe('seedScenarios', () => {
  it('aws: newest_user (same id) on nodes 0 and 2, not on node 1; everything else everywhere', async () => {
    const cluster = await start(seeds.aws);
    expect(usersOn(cluster, 0)).toEqual(['1:PCO:admin', '2:CU:example_user', '3:CU:newest_user']);
    expect(usersOn(cluster, 1)).toEqual(['1:PCO:admin', '2:CU:example_user']);
    expect(usersOn(cluster, 2)).toEqual(usersOn(cluster, 0));
    expect([0, 1, 2].map((i) => cluster.readState(i).keys)).toEqual(Array(3).fill(cluster.readState(0).keys));
  });

  it('azure: key 262150 on node 0 only, the other keys on every node', async () => {
    const cluster = await start(seeds.azure);
    expect(handlesOn(cluster, 0)).toEqual([262146, 262147, AZURE_SINGLE_NODE_KEY]);
    expect(handlesOn(cluster, 1)).toEqual([262146, 262147]);
    expect(handlesOn(cluster, 2)).toEqual([262146, 262147]);
    expect(usersOn(cluster, 1)).toEqual(usersOn(cluster, 0));
  });

  it('divergent: one handle on nodes 0 and 1 with another owner and fingerprint, absent from node 2', async () => {
    const cluster = await start(seeds.divergent);
    const variant = (i: number) => cluster.readState(i).keys.find((k) => k.handle === DIVERGENT_KEY);
    const [a, b] = [variant(0), variant(1)];
    expect(a?.owner).toBe(2);
    expect(b?.owner).toBe(3);
    expect(a?.fingerprint).not.toBe(b?.fingerprint);
    expect(variant(2)).toBeUndefined();
    const shared = (i: number) => cluster.readState(i).keys.find((k) => k.handle === 262146);
    expect([shared(0), shared(1), shared(2)].every((k) => k?.fingerprint === shared(0)?.fingerprint)).toBe(
      true,
    );
    expect(shared(0)?.sharedWith).toEqual([3]);
  });

  it('never writes the admin password in clear into the state files', async () => {
    const cluster = await start(seeds.aws);
    const files = readdirSync(cluster.stateDir);
    expect(files.sort()).toEqual(['hsm-emu-0.json', 'hsm-emu-1.json', 'hsm-emu-2.json']);
    for (const f of files) expect(readFileSync(join(cluster.stateDir, f), 'utf8')).not.toContain(PASSWORD);
  });

  it('refuses a seed whose node count differs from the cluster', async () => {
    const dir = tempDir('seed-mismatch');
    await expect(startEmulatedCluster({ stateDir: dir.path, seed: seeds.aws, nodeCount: 2 })).rejects.toThrow(
      /describes 3 nodes but the cluster has 2/,
    );
    dir.remove();
  });
});
