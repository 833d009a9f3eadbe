import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClusterNode } from '#core/model.ts';
import { Secret } from '#core/secret.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import { AZURE_SINGLE_NODE_KEY, seedScenarios } from '#emulator/seed-scenarios.ts';
import { tempDir } from '../support/emulator/temp-dir.ts';
import { UtilProcess } from '../support/emulator/util-process.ts';

const PASSWORD = 'Azure-admin-pass-5';
const seeds = seedScenarios({ adminPassword: new Secret(PASSWORD) });
const dir = tempDir('mgmt-util-azure');
let cluster: EmulatedCluster;
const running: UtilProcess[] = [];

function node(i: number): ClusterNode {
  const n = cluster.nodes[i];
  if (n === undefined) throw new Error(`no node ${i}`);
  return n;
}

function util(configText?: string): UtilProcess {
  const u = UtilProcess.start('azure', cluster.nodes, dir.path, configText);
  running.push(u);
  return u;
}

beforeAll(async () => {
  cluster = await startEmulatedCluster({ stateDir: dir.path, seed: seeds.azure });
});
afterEach(async () => {
  for (const u of running.splice(0)) await u.kill();
  await cluster.clearFaults();
  cluster.seed(seeds.azure);
});
afterAll(async () => {
  await cluster.stop();
  dir.remove();
});

describe('emulated azcloudhsm_mgmt_util (spawned, over real sockets)', () => {
  it("prints the version banner, names servers 'server N' and flags a server that did not connect", async () => {
    await cluster.setFault(1, { down: true });
    const u = util();
    const startup = (await u.startup()).split('\n');
    expect(startup[0]).toMatch(/^Liquidsec MGMT Util Version : \S+/);
    expect(startup).toContain(
      `Connecting to server 'server 0': hostname '${node(0).address}', port ${node(0).port}...`,
    );
    expect(startup).toContain(
      `Connected to server 'server 0': hostname '${node(0).address}', port ${node(0).port}.`,
    );
    expect(startup).toContain(`Server 1(${node(1).address}) is not connected`);
    expect(startup.filter((l) => l.startsWith('Connected to server'))).toHaveLength(2);
    expect(u.prompt).toBe('cloudmgmt>');
  });

  it('skips a server that never connected in cluster mode and refuses to enter it', async () => {
    await cluster.setFault(1, { down: true });
    const u = util();
    await u.startup();
    expect(await u.run('enable_e2e')).toBe(
      `E2E enabled on server 0(${node(0).address})\nE2E enabled on server 2(${node(2).address})\n`,
    );
    expect(await u.run(`loginHSM CO admin ${PASSWORD}`)).toBe(
      `loginHSM success on server 0(${node(0).address})\nloginHSM success on server 2(${node(2).address})\n`,
    );
    expect(await u.run('server 1')).toBe(`Server 1(${node(1).address}) is not connected\n`);
  });

  it('lists every handle with findAllKeys 0 0: 262150 only on server 0', async () => {
    const u = util();
    await u.startup();
    await u.run('enable_e2e');
    await u.run(`loginHSM CO admin ${PASSWORD}`);
    const lists = (await u.run('findAllKeys 0 0'))
      .split('\n')
      .filter((l) => /^\d/.test(l))
      .map((l) => l.split(','));
    expect(lists).toEqual([
      ['262146', '262147', String(AZURE_SINGLE_NODE_KEY)],
      ['262146', '262147'],
      ['262146', '262147'],
    ]);
  });

  it('copies the single-node key with syncKey in server mode from the server0> prompt', async () => {
    const u = util();
    await u.startup();
    await u.run('enable_e2e');
    await u.run(`loginHSM CO admin ${PASSWORD}`);
    await u.run('server 0');
    expect(u.prompt).toBe('server0>');
    for (const dest of [1, 2]) {
      expect(await u.run(`syncKey ${AZURE_SINGLE_NODE_KEY} ${dest}`)).toBe(
        'ExtractMaskedObject: 0x0 !\nInsertMaskedObject: 0x0 !\nsyncKey success\n',
      );
    }
    const fingerprints = [0, 1, 2].map(
      (i) => cluster.readState(i).keys.find((k) => k.handle === AZURE_SINGLE_NODE_KEY)?.fingerprint,
    );
    expect(fingerprints[0]).toBeDefined();
    expect(new Set(fingerprints).size).toBe(1);
    expect(await u.run(`syncKey ${AZURE_SINGLE_NODE_KEY} 1`)).toBe(
      'ExtractMaskedObject: 0x0 !\nkey already exists, unable to insert object\n',
    );
  });

  it('reads an Azure file whose entries carry the port extension', async () => {
    const config = {
      servers: cluster.nodes.map((n) => ({ hostname: n.address, port: n.port })),
    };
    const u = util(JSON.stringify(config));
    const startup = await u.startup();
    expect(startup.match(/^Connected to server 'server \d'/gm)).toHaveLength(3);
    expect((await u.quit()).code).toBe(0);
  });
});
