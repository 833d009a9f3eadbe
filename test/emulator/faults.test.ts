import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '#core/errors.ts';
import { Secret } from '#core/secret.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import { applyFault, NO_FAULTS } from '#emulator/faults.ts';
import { type EmulatedHsmError, HSM_RETURN_CODES } from '#emulator/hsm-error.ts';
import { NodeClient } from '#emulator/node-client.ts';
import { seedScenarios } from '#emulator/seed-scenarios.ts';
import { tempDir } from '../support/emulator/temp-dir.ts';

const PASSWORD = 'Fault-pass-7';
const seeds = seedScenarios({ adminPassword: new Secret(PASSWORD) });
const dir = tempDir('faults');
let cluster: EmulatedCluster;
const clients: NodeClient[] = [];

async function officer(index: number): Promise<NodeClient> {
  const node = cluster.nodes[index];
  if (node === undefined) throw new Error(`no node ${index}`);
  const c = await NodeClient.connect(node.address, node.port);
  clients.push(c);
  await c.request('login', { userType: 'CO', username: 'admin', password: PASSWORD });
  return c;
}

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'ok';
  } catch (error) {
    return (error as EmulatedHsmError).code ?? (error as Error).name;
  }
}

beforeAll(async () => {
  cluster = await startEmulatedCluster({ stateDir: dir.path, seed: seeds.aws });
});
afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await cluster.clearFaults();
  cluster.seed(seeds.aws);
});
afterAll(async () => {
  await cluster.stop();
  dir.remove();
});

describe('fault injection', () => {
  it('down: refuses connections and drops open ones; cleared, the node answers on the same port', async () => {
    const open = await officer(1);
    const { address, port } = cluster.nodes[1] ?? { address: '', port: 0 };
    await cluster.setFault(1, { down: true });
    expect(await codeOf(open.request('listUsers', {}))).toBe(HSM_RETURN_CODES.serverDisconnected);
    expect(await codeOf(NodeClient.connect(address, port))).toBe('TransportError');
    await cluster.setFault(1, { down: false });
    const again = await officer(1);
    expect((await again.request('listUsers', {})).length).toBe(2);
  });

  it('slowMs: delays every reply by at least that long', async () => {
    const c = await officer(0);
    await cluster.setFault(0, { slowMs: 150 });
    const started = performance.now();
    await c.request('listUsers', {});
    expect(performance.now() - started).toBeGreaterThanOrEqual(140);
    expect(cluster.faults(0).slowMs).toBe(150);
  });

  it('rejectLogin: the right password fails as bad credentials and counts against the user', async () => {
    await cluster.setFault(2, { rejectLogin: true });
    expect(await codeOf(officer(2))).toBe(HSM_RETURN_CODES.loginFailure);
    expect(cluster.readState(2).users[0]?.loginFailureCount).toBe(1);
    expect(await codeOf(officer(0))).toBe('ok');
  });

  it('failInsert N: the next N inserts fail, the one after succeeds', async () => {
    const source = await officer(0);
    const dest = await officer(1);
    await cluster.setFault(1, { failInsert: 2 });
    const { blob } = await source.request('extractMasked', { kind: 'user', id: 3 });
    expect(await codeOf(dest.request('insertMasked', { blob }))).toBe(HSM_RETURN_CODES.faultInjected);
    expect(await codeOf(dest.request('insertMasked', { blob }))).toBe(HSM_RETURN_CODES.faultInjected);
    expect(cluster.faults(1).failInsert).toBe(0);
    expect(await codeOf(dest.request('insertMasked', { blob }))).toBe('ok');
  });

  it("failInsert 'all': every insert fails until cleared", async () => {
    const source = await officer(0);
    const dest = await officer(1);
    await cluster.setFault(1, { failInsert: 'all' });
    const { blob } = await source.request('extractMasked', { kind: 'key', id: 7 });
    for (let i = 0; i < 3; i++) {
      expect(await codeOf(dest.request('insertMasked', { blob }))).toBe(HSM_RETURN_CODES.faultInjected);
    }
    expect(cluster.readState(1).users.map((u) => u.username)).not.toContain('newest_user');
  });

  it('failCreateUser: createUser fails on that node only', async () => {
    await cluster.setFault(1, { failCreateUser: true });
    const results = await Promise.all(
      [0, 1, 2].map(async (i) =>
        codeOf(
          (await officer(i)).request('createUser', {
            userType: 'CU',
            username: 'dave',
            password: 'dave-pw-1',
          }),
        ),
      ),
    );
    expect(results).toEqual(['ok', HSM_RETURN_CODES.faultInjected, 'ok']);
  });

  it('applies faults given at start, and validates fault values', async () => {
    const other = tempDir('faults-start');
    const started = await startEmulatedCluster({
      stateDir: other.path,
      seed: seeds.azure,
      faults: { 2: { down: true } },
    });
    try {
      const node = started.nodes[2] ?? { address: '', port: 0 };
      expect(node.port).toBeGreaterThan(0);
      expect(await codeOf(NodeClient.connect(node.address, node.port))).toBe('TransportError');
    } finally {
      await started.stop();
      other.remove();
    }
    expect(() => applyFault(NO_FAULTS, { slowMs: -1 })).toThrow(InvalidInputError);
    expect(() => applyFault(NO_FAULTS, { failInsert: 1.5 })).toThrow(InvalidInputError);
  });
});

describe('fault injection: trips, lying inserts, login counts', () => {
  it('tripOn crash: the (skip+1)-th request of the op is not carried out and the node goes down', async () => {
    const dest = await officer(1);
    const source = await officer(0);
    await cluster.setFault(1, { tripOn: { op: 'insertMasked', action: 'crash', skip: 1 } });
    const { blob } = await source.request('extractMasked', { kind: 'user', id: 3 });
    const key = await source.request('extractMasked', { kind: 'key', id: 7 });
    expect(await codeOf(dest.request('insertMasked', { blob: key.blob }))).toBe(
      HSM_RETURN_CODES.objectAlreadyExists,
    );
    expect(await codeOf(dest.request('insertMasked', { blob }))).toBe(HSM_RETURN_CODES.serverDisconnected);
    expect(cluster.faults(1)).toMatchObject({ down: true, tripOn: null });
    expect(cluster.readState(1).users.map((u) => u.username)).not.toContain('newest_user');
  });

  it('tripOn disconnect: open connections are dropped, the node keeps listening', async () => {
    const c = await officer(2);
    await cluster.setFault(2, { tripOn: { op: 'listUsers', action: 'disconnect' } });
    expect(await codeOf(c.request('listUsers', {}))).toBe(HSM_RETURN_CODES.serverDisconnected);
    expect(cluster.faults(2).down).toBe(false);
    expect((await (await officer(2)).request('listUsers', {})).length).toBe(3);
  });

  it('tripOn hang: the request is carried out but never answered, nor anything after it on that connection', async () => {
    cluster.resetLoginStats();
    await cluster.setFault(0, { tripOn: { op: 'login', action: 'hang' }, rejectLogin: true });
    const node = cluster.nodes[0] ?? { address: '', port: 0 };
    const c = await NodeClient.connect(node.address, node.port);
    clients.push(c);
    let answered = false;
    c.request('login', { userType: 'CO', username: 'admin', password: PASSWORD }).then(
      () => {
        answered = true;
      },
      () => {
        // Rejected only when the connection is closed at the end of the test.
      },
    );
    const deadline = Date.now() + 5000;
    while (cluster.readState(0).users[0]?.loginFailureCount !== 1 && Date.now() < deadline) {
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(cluster.readState(0).users[0]?.loginFailureCount).toBe(1);
    expect(cluster.loginStats(0)).toEqual({ received: 1, refused: 1 });
    // A whole round trip on another connection: an answer written on the first would be here by now.
    const other = await NodeClient.connect(node.address, node.port);
    clients.push(other);
    await other.request('listUsers', {});
    expect(answered).toBe(false);
  });

  it('lieOnInsert: the insert answers success and nothing is stored', async () => {
    const source = await officer(0);
    const dest = await officer(1);
    await cluster.setFault(1, { lieOnInsert: true });
    const { blob } = await source.request('extractMasked', { kind: 'user', id: 3 });
    expect(await dest.request('insertMasked', { blob })).toEqual({ kind: 'user', id: 3 });
    expect(cluster.readState(1).users.map((u) => u.username)).not.toContain('newest_user');
  });

  it('counts every login a node receives, and the refused ones; validates trips', async () => {
    cluster.resetLoginStats();
    await officer(0);
    await cluster.setFault(0, { rejectLogin: true });
    expect(await codeOf(officer(0))).toBe(HSM_RETURN_CODES.loginFailure);
    expect(cluster.loginStats(0)).toEqual({ received: 2, refused: 1 });
    expect(() => applyFault(NO_FAULTS, { tripOn: { op: '', action: 'crash' } })).toThrow(InvalidInputError);
    expect(() => applyFault(NO_FAULTS, { tripOn: { op: 'login', action: 'explode' as 'crash' } })).toThrow(
      InvalidInputError,
    );
    expect(() => applyFault(NO_FAULTS, { tripOn: { op: 'login', action: 'hang', skip: -1 } })).toThrow(
      InvalidInputError,
    );
  });
});
