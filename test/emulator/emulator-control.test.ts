import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '#core/errors.ts';
import { Secret } from '#core/secret.ts';
import { clearFaults, setFault, startDetached, status, stop } from '#emulator/emulator-control.ts';
import { NodeClient } from '#emulator/node-client.ts';
import { tempDir } from '../support/emulator/temp-dir.ts';

const PASSWORD = 'Detached-pass-8';
const dir = tempDir('control');

afterAll(async () => {
  await stop(dir.path);
  dir.remove();
});

describe('detached emulator (daemon + control client)', () => {
  it('starts a seeded cluster in its own process, reports it, injects faults and stops it', async () => {
    // Arrange / Act: start
    const cluster = await startDetached({
      stateDir: dir.path,
      seed: 'aws',
      adminPassword: new Secret(PASSWORD),
    });

    // Assert: cluster.json and the nodes
    expect(cluster.pid).not.toBe(process.pid);
    expect(cluster.seed).toBe('aws');
    expect(cluster.nodes.map((n) => n.nodeId)).toEqual(['hsm-emu-0', 'hsm-emu-1', 'hsm-emu-2']);
    expect(statSync(join(dir.path, 'cluster.json')).mode & 0o777).toBe(0o600);
    const live = await status(dir.path);
    expect(live.running).toBe(true);
    const node1 = cluster.nodes[1] ?? { address: '', port: 0 };
    const c = await NodeClient.connect(node1.address, node1.port);
    await c.request('login', { userType: 'CO', username: 'admin', password: PASSWORD });
    expect((await c.request('listUsers', {})).map((u) => u.username)).toEqual(['admin', 'example_user']);
    c.close();
    expect(JSON.parse(readFileSync(cluster.configs.aws, 'utf8')).servers).toHaveLength(3);

    // a second start for the same directory is refused
    await expect(startDetached({ stateDir: dir.path })).rejects.toThrow(ConfigurationError);

    // faults
    const faults = await setFault(dir.path, 1, { down: true, slowMs: 5 });
    expect(faults[1]).toMatchObject({ down: true, slowMs: 5 });
    await expect(NodeClient.connect(node1.address, node1.port)).rejects.toThrow(/cannot connect/);
    expect((await clearFaults(dir.path))[1]).toMatchObject({ down: false, slowMs: 0 });
    (await NodeClient.connect(node1.address, node1.port)).close();

    // stop
    expect(await stop(dir.path)).toBe(true);
    expect(await status(dir.path)).toEqual({ running: false, stateDir: dir.path });
    expect(await stop(dir.path)).toBe(false);

    // the password is nowhere on disk in clear
    for (const f of readdirSync(dir.path)) {
      expect(readFileSync(join(dir.path, f), 'utf8')).not.toContain(PASSWORD);
    }
  });

  it('restarts without a seed from the state the previous run left', async () => {
    const cluster = await startDetached({ stateDir: dir.path });
    const node0 = cluster.nodes[0] ?? { address: '', port: 0 };
    const c = await NodeClient.connect(node0.address, node0.port);
    await c.request('login', { userType: 'CO', username: 'admin', password: PASSWORD });
    expect((await c.request('listUsers', {})).map((u) => u.username)).toContain('newest_user');
    c.close();
    expect(await stop(dir.path)).toBe(true);
  });

  it('refuses a seed without the admin password', async () => {
    await expect(startDetached({ stateDir: dir.path, seed: 'azure' })).rejects.toThrow(/admin password/);
  });
});
