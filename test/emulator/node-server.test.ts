import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Secret } from '#core/secret.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import { ALREADY_PRESENT_MESSAGES, type EmulatedHsmError, HSM_RETURN_CODES } from '#emulator/hsm-error.ts';
import { NodeClient } from '#emulator/node-client.ts';
import { seedScenarios } from '#emulator/seed-scenarios.ts';
import { tempDir } from '../support/emulator/temp-dir.ts';

const PASSWORD = 'Admin-pass-42';
const seeds = seedScenarios({ adminPassword: new Secret(PASSWORD) });
const dir = tempDir('node-server');
let cluster: EmulatedCluster;
const clients: NodeClient[] = [];

async function client(index: number): Promise<NodeClient> {
  const node = cluster.nodes[index];
  if (node === undefined) throw new Error(`no node ${index}`);
  const c = await NodeClient.connect(node.address, node.port);
  clients.push(c);
  return c;
}

async function failure(promise: Promise<unknown>): Promise<EmulatedHsmError> {
  try {
    await promise;
  } catch (error) {
    return error as EmulatedHsmError;
  }
  throw new Error('expected a failure');
}

beforeAll(async () => {
  cluster = await startEmulatedCluster({ stateDir: dir.path, seed: seeds.aws });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await cluster.stop();
  dir.remove();
});

describe('EmulatedNodeServer', () => {
  it('listens on one loopback address per node with the emulator node ids', () => {
    expect(cluster.nodes.map((n) => [n.nodeId, n.address, n.state])).toEqual([
      ['hsm-emu-0', '127.0.0.1', 'ACTIVE'],
      ['hsm-emu-1', '127.0.0.2', 'ACTIVE'],
      ['hsm-emu-2', '127.0.0.3', 'ACTIVE'],
    ]);
    expect(cluster.nodes.every((n) => n.port > 0)).toBe(true);
  });

  it('lists users without a login but refuses key listing and writes until a CO logs in', async () => {
    const c = await client(0);
    expect((await c.request('listUsers', {})).map((u) => u.username)).toEqual([
      'admin',
      'example_user',
      'newest_user',
    ]);
    expect((await failure(c.request('findAllKeys', { userId: 0, hash: false }))).code).toBe(
      HSM_RETURN_CODES.notLoggedIn,
    );
    expect((await failure(c.request('extractMasked', { kind: 'user', id: 3 }))).code).toBe(
      HSM_RETURN_CODES.notLoggedIn,
    );
    await c.request('login', { userType: 'CO', username: 'admin', password: PASSWORD });
    expect(await c.request('findAllKeys', { userId: 0, hash: false })).toEqual({
      keys: [
        { handle: 7, shared: false },
        { handle: 8, shared: false },
      ],
      hash: null,
    });
    expect(await c.request('info', {})).toEqual({
      nodeId: 'hsm-emu-0',
      partition: 'hsm-emu-0',
      loggedInAs: 'admin(CO)',
    });
    await c.request('logout', {});
    expect((await failure(c.request('getKeyInfo', { handle: 7 }))).code).toBe(HSM_RETURN_CODES.notLoggedIn);
  });

  it('keeps the login on the connection: another connection is not logged in', async () => {
    const a = await client(0);
    const b = await client(0);
    await a.request('login', { userType: 'CO', username: 'admin', password: PASSWORD });
    expect((await b.request('info', {})).loggedInAs).toBeNull();
  });

  it('syncs a user between two nodes as a masked blob, then answers "already created"', async () => {
    const source = await client(0);
    const dest = await client(1);
    for (const c of [source, dest])
      await c.request('login', { userType: 'CO', username: 'admin', password: PASSWORD });
    const { blob } = await source.request('extractMasked', { kind: 'user', id: 3 });
    expect(blob).not.toContain('newest_user');
    expect(await dest.request('insertMasked', { blob })).toEqual({ kind: 'user', id: 3 });
    expect(cluster.readState(1).users.map((u) => [u.userId, u.username])).toContainEqual([3, 'newest_user']);
    const again = await failure(dest.request('insertMasked', { blob }));
    expect([again.code, again.detail]).toEqual([
      HSM_RETURN_CODES.objectAlreadyExists,
      ALREADY_PRESENT_MESSAGES.user,
    ]);
  });

  it('answers bad credentials and a locked user with distinct codes, locking after 5 failures', async () => {
    const c = await client(2);
    const codes: string[] = [];
    for (let i = 0; i < 6; i++) {
      codes.push(
        (await failure(c.request('login', { userType: 'CU', username: 'example_user', password: 'x' }))).code,
      );
    }
    expect(codes).toEqual([...Array(5).fill(HSM_RETURN_CODES.loginFailure), HSM_RETURN_CODES.locked]);
    const user = cluster.readState(2).users.find((u) => u.username === 'example_user');
    expect(user).toMatchObject({ loginFailureCount: 5, locked: true });
    expect(cluster.readState(0).users.find((u) => u.username === 'example_user')?.locked).toBe(false);
  });

  it('refuses a CU the officer operations', async () => {
    const c = await client(0);
    await c.request('login', { userType: 'CO', username: 'admin', password: PASSWORD });
    await c.request('createUser', { userType: 'CU', username: 'cu_writer', password: 'cu-pass-1' });
    const cu = await client(0);
    await cu.request('login', { userType: 'CU', username: 'cu_writer', password: 'cu-pass-1' });
    expect(
      (await failure(cu.request('createUser', { userType: 'CU', username: 'z', password: 'z' }))).code,
    ).toBe(HSM_RETURN_CODES.notAuthorized);
    expect((await cu.request('getKeyInfo', { handle: 7 })).owner).toBe(2);
  });

  it('survives a restart: state comes back from the state files, with passwords hashed only', async () => {
    const before = cluster.nodes.map((_, i) => cluster.readState(i));
    await cluster.stop();
    cluster = await startEmulatedCluster({ stateDir: dir.path });
    expect(cluster.nodes.map((_, i) => cluster.readState(i))).toEqual(before);
    const c = await client(1);
    await c.request('login', { userType: 'CO', username: 'admin', password: PASSWORD });
    for (const file of readdirSync(dir.path)) {
      expect(readFileSync(join(dir.path, file), 'utf8')).not.toContain(PASSWORD);
    }
  });
});
