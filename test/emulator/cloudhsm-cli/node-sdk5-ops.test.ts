/** The SDK 5 wire operations added to the emulated HSM (protocol.ts / node-server.ts / node-state.ts). */
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Secret } from '#core/secret.ts';
import { sdk5Scenarios } from '#emulator/cloudhsm-cli/seed-scenarios.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import { EmulatedHsmError, HSM_RETURN_CODES } from '#emulator/hsm-error.ts';
import { NodeClient } from '#emulator/node-client.ts';
import { sdk5CheckValue } from '#emulator/node-state.ts';
import { seedScenarios } from '#emulator/seed-scenarios.ts';
import { tempDir } from '../../support/emulator/temp-dir.ts';

const CU_PASSWORD = 'Ops-crypto-pass-2';
const scenarios = sdk5Scenarios({
  adminPassword: new Secret('Ops-admin-pass-1'),
  cryptoUserPassword: new Secret(CU_PASSWORD),
});
const dir = tempDir('sdk5-ops');
let cluster: EmulatedCluster;
const clients: NodeClient[] = [];

async function client(): Promise<NodeClient> {
  const node = cluster.nodes[0];
  if (node === undefined) throw new Error('no node 0');
  const c = await NodeClient.connect(node.address, node.port);
  clients.push(c);
  return c;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (error) {
    return (error as EmulatedHsmError).code;
  }
  return 'ok';
}

beforeAll(async () => {
  cluster = await startEmulatedCluster({
    stateDir: dir.path,
    nodeCount: 3,
    states: scenarios.consistent.states,
  });
});
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  await cluster.stop();
  dir.remove();
});

describe('SDK 5 wire operations', () => {
  it('list users with SDK 5 roles and hsm-info without a login; keys only after one', async () => {
    const c = await client();
    expect((await c.request('sdk5ListUsers', {})).map((u) => [u.username, u.role])).toEqual([
      ['admin', 'admin'],
      ['app_user', 'internal(APPLIANCE_USER)'],
      ['alice', 'crypto-user'],
      ['bob', 'crypto-user'],
    ]);
    expect((await c.request('hsmInfo', {})).serialNumber).toMatch(/^5\.3G1941-ICM\d{6}$/);
    expect(await codeOf(c.request('sdk5KeyRefs', { filter: {} }))).toBe(HSM_RETURN_CODES.notLoggedIn);
    expect(await codeOf(c.request('sdk5KeyDetails', { handles: [0x101] }))).toBe(
      HSM_RETURN_CODES.notLoggedIn,
    );
  });

  it('show a crypto user its own and shared keys and every public key; validate their arguments', async () => {
    const c = await client();
    await c.request('login', { userType: 'CU', username: 'bob', password: CU_PASSWORD });
    const { handles } = await c.request('sdk5KeyRefs', { filter: {} });
    expect(handles.map((h) => h.toString(16))).toEqual(['101', '104', '107', '10a', '201', '202']);
    const details = await c.request('sdk5KeyDetails', { handles: [0x102, 0x104] });
    expect(details.map((k) => [k.handle, k.owner.username, k.shared.map((u) => u.username)])).toEqual([
      [0x104, 'alice', ['bob']],
    ]);
    expect(await codeOf(c.request('sdk5KeyRefs', { filter: [] as never }))).toBe(
      HSM_RETURN_CODES.invalidInput,
    );
    expect(await codeOf(c.request('sdk5KeyRefs', { filter: { label: 7 as never } }))).toBe(
      HSM_RETURN_CODES.invalidInput,
    );
    expect(await codeOf(c.request('sdk5KeyDetails', { handles: [-1] }))).toBe(HSM_RETURN_CODES.invalidInput);
  });

  it('computes a check value for SDK 3 keys without one (AES of a zero block) and derives MFA from 2FA', async () => {
    const aws = seedScenarios({ adminPassword: new Secret('x-admin-pass') }).aws;
    const twoFactor = {
      ...aws,
      nodes: aws.nodes.map((n) => ({
        ...n,
        users: n.users.map((u) => ({ ...u, twoFactor: u.userId === 2 })),
      })),
    };
    cluster.seed(twoFactor);
    const c = await client();
    expect((await c.request('sdk5ListUsers', {})).map((u) => [u.username, u.mfa])).toEqual([
      ['admin', []],
      ['example_user', [{ strategy: 'token-sign', status: 'enabled' }]],
      ['newest_user', []],
    ]);
    await c.request('login', { userType: 'CO', username: 'admin', password: 'x-admin-pass' });
    const [seven] = await c.request('sdk5KeyDetails', { handles: [7] });
    expect(seven).toMatchObject({ label: '', keyClass: 'secret-key', keyType: 'aes', keyLengthBytes: 32 });
    expect(seven?.checkValue).toMatch(/^0x[0-9a-f]{6}$/);
    const material = Buffer.alloc(32).toString('base64');
    expect(sdk5CheckValue({ material })).toBe('0xdc95c0');
    expect(sdk5CheckValue({ material, keyLengthBytes: 16 })).toBe('0x66e94b');
    cluster.load(scenarios.consistent.states);
  });

  it('refuses a key written twice into one node, or with a bad handle', () => {
    const key = { handle: 0x500, owner: 3, label: 'once' };
    cluster.createKey(0, key);
    expect(() => cluster.createKey(0, key)).toThrow(EmulatedHsmError);
    expect(() => cluster.createKey(0, { ...key, handle: 0 })).toThrow(EmulatedHsmError);
    expect(cluster.readState(0).keys.find((k) => k.handle === 0x500)?.label).toBe('once');
    expect(cluster.syncKeysNow()).toEqual([
      { handle: 0x500, from: 0, to: 1 },
      { handle: 0x500, from: 0, to: 2 },
    ]);
  });
});
