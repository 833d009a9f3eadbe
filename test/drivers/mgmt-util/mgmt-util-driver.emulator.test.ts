/**
 * The production driver against the emulated cluster and the emulated mgmt util
 * (src/emulator): the code that runs in production, with only the spawned binary swapped.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { CredentialsRejectedError } from '#core/errors.ts';
import type { ClusterNode, NodeInventory } from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';
import { Secret } from '#core/secret.ts';
import { AWS_PROFILE, AZURE_PROFILE, type Dialect } from '#drivers/mgmt-util/dialect.ts';
import { MgmtUtilDriver } from '#drivers/mgmt-util/driver.ts';
import { listingOf, type MgmtUtilListing } from '#drivers/mgmt-util/listing.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import { MGMT_UTIL_ENTRY } from '#emulator/mgmt-util/main.ts';
import { AZURE_SINGLE_NODE_KEY, seedScenarios } from '#emulator/seed-scenarios.ts';
import { syncAction } from '../../support/core/sync-action.ts';
import { tempDir } from '../../support/mgmt-util/fake-util.ts';

/** The lockout guard's limit of the default policy. */
const GUARD = { loginFailureLimit: 2 };
const PASSWORD = 'Emu-Driver-Pass-4471!';
const CREDENTIALS: Credentials = {
  username: 'admin',
  password: new Secret(PASSWORD),
  role: 'CO',
  version: null,
};
const seeds = seedScenarios({ adminPassword: new Secret(PASSWORD) });

/** A sync action between servers of `nodes`. */
function action(
  command: 'syncUser' | 'syncKey',
  numericId: number,
  nodes: ClusterNode[],
  source: number,
  target: number,
) {
  return syncAction(command, numericId, source, target, (server) => (nodes[server] as ClusterNode).nodeId);
}

/** The listing of a node that was read. */
const read = (inventory: NodeInventory | undefined): MgmtUtilListing => {
  expect(inventory?.status).toBe('read');
  return inventory?.status === 'read' ? listingOf(inventory.listing, inventory.nodeId) : listingOf(null, '?');
};
const PROFILES = { aws: AWS_PROFILE, azure: AZURE_PROFILE };

describe.each(['aws', 'azure'] as const)('MgmtUtilDriver against the emulator (%s)', (dialect: Dialect) => {
  const dir = tempDir();
  const transcripts: string[] = [];
  let cluster: EmulatedCluster;
  let driver: MgmtUtilDriver;

  beforeAll(async () => {
    cluster = await startEmulatedCluster({ stateDir: dir.path, seed: seeds[dialect] });
    driver = new MgmtUtilDriver({
      profile: PROFILES[dialect],
      command: [process.execPath, MGMT_UTIL_ENTRY, '--dialect', dialect],
      workDir: dir.path,
      timeouts: { startupMs: 15_000, commandMs: 15_000, closeMs: 5_000 },
      onTranscript: (t) => transcripts.push(t),
    });
  });

  afterEach(async () => {
    await cluster.clearFaults();
  });

  afterAll(async () => {
    await cluster.stop();
    dir.dispose();
    expect(transcripts.join('\n')).not.toContain(PASSWORD);
  });

  it('reads the seed: the gap of the seed shows on the right node', async () => {
    const inventories = await driver.collect(cluster.nodes, CREDENTIALS, {
      keyDetails: true,
      loginFailureLimit: 2,
    });

    const [n0, n1, n2] = inventories.map(read);
    if (dialect === 'aws') {
      expect(n0?.users.map((u) => u.username)).toContain('newest_user');
      expect(n1?.users.map((u) => u.username)).not.toContain('newest_user');
      expect(n2?.users.map((u) => u.username)).toContain('newest_user');
      expect(n1?.keys).toEqual([
        { handle: 7, shared: false, owner: 2, sharedWith: [] },
        { handle: 8, shared: false, owner: 2, sharedWith: [] },
      ]);
    } else {
      expect(n0?.keys.map((k) => k.handle)).toContain(AZURE_SINGLE_NODE_KEY);
      expect(n1?.keys.map((k) => k.handle)).not.toContain(AZURE_SINGLE_NODE_KEY);
      expect(n2?.keys.map((k) => k.handle)).not.toContain(AZURE_SINGLE_NODE_KEY);
    }
  });

  it('repairs the gap additively, and a second run finds it already present', async () => {
    const nodes = cluster.nodes;
    const actions =
      dialect === 'aws'
        ? [action('syncUser', 3, nodes, 0, 1)]
        : [
            action('syncKey', AZURE_SINGLE_NODE_KEY, nodes, 0, 1),
            action('syncKey', AZURE_SINGLE_NODE_KEY, nodes, 0, 2),
          ];

    const first = await driver.sync(nodes, CREDENTIALS, actions, GUARD);
    const second = await driver.sync(nodes, CREDENTIALS, actions, GUARD);
    const after = (await driver.collect(nodes, CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 })).map(
      read,
    );

    expect(first.map((r) => r.outcome)).toEqual(actions.map(() => 'synced'));
    expect(second.map((r) => r.outcome)).toEqual(actions.map(() => 'already-present'));
    if (dialect === 'aws')
      expect(after.every((n) => n.users.some((u) => u.username === 'newest_user'))).toBe(true);
    else expect(after.every((n) => n.keys.some((k) => k.handle === AZURE_SINGLE_NODE_KEY))).toBe(true);
  });

  it('reports a node that is down unreachable and a rejected login login-failed, reading the rest', async () => {
    await cluster.setFault(1, { down: true });
    await cluster.setFault(2, { rejectLogin: true });

    const inventories = await driver.collect(cluster.nodes, CREDENTIALS, {
      keyDetails: false,
      loginFailureLimit: 2,
    });

    expect(inventories.map((i) => (i.status === 'read' ? 'read' : i.reason))).toEqual([
      'read',
      'unreachable',
      'login-failed',
    ]);
    expect(JSON.stringify(inventories)).not.toContain(PASSWORD);
  });

  it('writes nothing when a login is rejected', async () => {
    await cluster.setFault(2, { rejectLogin: true });
    const before = cluster.readState(1);

    const error = await driver
      .sync(cluster.nodes, CREDENTIALS, [action('syncUser', 2, cluster.nodes, 0, 1)], GUARD)
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(CredentialsRejectedError);
    expect((error as Error).message).not.toContain(PASSWORD);
    expect(cluster.readState(1)).toEqual(before);
  });

  it('reports slow nodes as timeout', async () => {
    await cluster.setFault(0, { slowMs: 3_000 });
    const impatient = new MgmtUtilDriver({
      profile: PROFILES[dialect],
      command: [process.execPath, MGMT_UTIL_ENTRY, '--dialect', dialect],
      workDir: dir.path,
      timeouts: { startupMs: 15_000, commandMs: 500, closeMs: 5_000 },
    });

    const inventories = await impatient.collect(cluster.nodes, CREDENTIALS, {
      keyDetails: false,
      loginFailureLimit: 2,
    });

    expect(inventories.map((i) => i.status === 'unreadable' && i.reason)).toEqual([
      'timeout',
      'timeout',
      'timeout',
    ]);
  });
});
