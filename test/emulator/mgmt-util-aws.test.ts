import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import type { ClusterNode } from '#core/model.ts';
import { Secret } from '#core/secret.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import { seedScenarios } from '#emulator/seed-scenarios.ts';
import { tempDir } from '../support/emulator/temp-dir.ts';
import { UtilProcess } from '../support/emulator/util-process.ts';
import { transcript as readTranscript } from '../support/fixtures.ts';

const PASSWORD = 'Aws-admin-pass-1';
const NEW_USER_PASSWORD = 'Dave-new-pass-2';
const seeds = seedScenarios({ adminPassword: new Secret(PASSWORD) });
const dir = tempDir('mgmt-util-aws');
let cluster: EmulatedCluster;
const running: UtilProcess[] = [];
const everything: string[] = [];

function util(): UtilProcess {
  const u = UtilProcess.start('aws', cluster.nodes, dir.path);
  running.push(u);
  return u;
}

function node(i: number): ClusterNode {
  const n = cluster.nodes[i];
  if (n === undefined) throw new Error(`no node ${i}`);
  return n;
}

const label = (i: number) => `server ${i}(${node(i).address})`;

/** The transcript's lines with its three documented addresses (and port 2225) replaced by our nodes'. */
function transcript(name: string, from: number, to: number): string {
  const docAddresses = ['10.0.2.9', '10.0.3.11', '10.0.1.12'];
  const lines = readTranscript(name).split('\n');
  return lines
    .slice(from, to)
    .map((line) => {
      const i = docAddresses.findIndex((a) => line.includes(a));
      if (i < 0) return line;
      return line
        .split(docAddresses[i] as string)
        .join(node(i).address)
        .replace('port 2225', `port ${node(i).port}`);
    })
    .map((line) => `${line}\n`)
    .join('');
}

async function loggedIn(): Promise<UtilProcess> {
  const u = util();
  await u.startup();
  await u.run('enable_e2e');
  await u.run(`loginHSM CO admin ${PASSWORD}`);
  return u;
}

beforeAll(async () => {
  cluster = await startEmulatedCluster({ stateDir: dir.path, seed: seeds.aws });
});
afterEach(async () => {
  for (const u of running.splice(0)) {
    await u.kill();
    everything.push(u.stdout, u.stderr);
  }
  await cluster.clearFaults();
  cluster.seed(seeds.aws);
});
afterAll(async () => {
  await cluster.stop();
  dir.remove();
});

describe('emulated cloudhsm_mgmt_util (spawned, over real sockets)', () => {
  it('prints the documented start-up lines, then the aws-cloudhsm> prompt', async () => {
    const u = util();
    expect(await u.startup()).toBe(transcript('aws-startup-login.txt', 0, 11));
    expect(u.prompt).toBe('aws-cloudhsm>');
  });

  it('answers enable_e2e, loginHSM and logoutHSM with one documented line per server', async () => {
    const u = util();
    await u.startup();
    expect(await u.run('enable_e2e')).toBe(transcript('aws-startup-login.txt', 12, 15));
    expect(await u.run(`loginHSM CO admin ${PASSWORD}`)).toBe(transcript('aws-startup-login.txt', 16, 19));
    expect(await u.run('logoutHSM')).toBe(transcript('aws-startup-login.txt', 20, 23));
  });

  it('prints listUsers per server with the documented table (node 1 lacks newest_user)', async () => {
    const u = util();
    await u.startup();
    const reply = (await u.run('listUsers')).split('\n');
    const header =
      '    User Id             User Type       User Name            MofnPubKey    LoginFailureCnt         2FA';
    expect(reply.slice(0, 4)).toEqual([`Users on ${label(0)}:`, 'Number of users found:3', '', header]);
    expect(reply[6]).toBe(
      '         3              CU              newest_user                NO               0               NO',
    );
    expect(reply.slice(7, 11)).toEqual([`Users on ${label(1)}:`, 'Number of users found:2', '', header]);
    expect(reply.filter((l) => l.startsWith('Users on '))).toHaveLength(3);
  });

  it('prints findAllKeys with the key hash, identical on every node when ownership agrees', async () => {
    const u = await loggedIn();
    const sections = (await u.run('findAllKeys 0 1')).trimEnd().split('\n\n');
    expect(sections).toHaveLength(3);
    const hashes = sections.map((s, i) => {
      const lines = s.split('\n');
      expect(lines.slice(0, 4)).toEqual([
        `Keys on ${label(i)}:`,
        'Number of keys found 2',
        'number of keys matched from start index 0::2',
        '7,8',
      ]);
      expect(lines[4]).toBe('Key Hash:');
      expect(lines[6]).toBe(`findAllKeys success on ${label(i)}`);
      return lines[5];
    });
    expect(hashes[0]).toMatch(/^[0-9a-f]{64}$/);
    expect(new Set(hashes).size).toBe(1);
  });

  it('prints an error line for a server where findAllKeys or getKeyInfo fails', async () => {
    const u = await loggedIn();
    const keys = await u.run('findAllKeys 3 0');
    expect(keys).toContain(`findAllKeys failed: RET_USER_NOT_FOUND on ${label(1)}\n`);
    expect(keys).toContain(
      `Keys on ${label(2)}:\nNumber of keys found 0\nnumber of keys matched from start index 0::0\n`,
    );
    expect(await u.run('getKeyInfo -k 7')).toBe(
      [0, 1, 2]
        .map((i) => `Key Info on ${label(i)}:\n        Token/Flash Key,\n        Owned by user 2\n`)
        .join('\n'),
    );
    expect(await u.run('getKeyInfo -k 4242')).toBe(
      [0, 1, 2].map((i) => `getKeyInfo failed: RET_KEY_NOT_FOUND on ${label(i)}\n`).join('\n'),
    );
  });

  it('reports bad credentials, then RET_USER_LOCKED after 5 failures, per server', async () => {
    const u = util();
    await u.startup();
    for (let i = 0; i < 5; i++) {
      expect(await u.run('loginHSM CO admin not-the-password')).toBe(
        [0, 1, 2].map((s) => `loginHSM failed: RET_USER_LOGIN_FAILURE on ${label(s)}\n`).join(''),
      );
    }
    expect(await u.run(`loginHSM CO admin ${PASSWORD}`)).toBe(
      [0, 1, 2].map((s) => `loginHSM failed: RET_USER_LOCKED on ${label(s)}\n`).join(''),
    );
  });

  it('syncs in server mode: documented lines, "already" text, failures', async () => {
    const u = await loggedIn();
    expect(await u.run('server 0')).toBe("Server is in 'E2' mode...\n");
    expect(u.prompt).toBe('server0>');
    expect(await u.run(`loginHSM CO admin ${PASSWORD}`)).toBe('loginHSM success\n');
    expect(await u.run('syncUser 3 1')).toBe(
      'ExtractMaskedObject: 0x0 !\nInsertMaskedObject: 0x0 !\nsyncUser success\n',
    );
    expect(cluster.readState(1).users.map((u) => u.username)).toContain('newest_user');
    expect(await u.run('syncUser 3 1')).toBe(
      'ExtractMaskedObject: 0x0 !\nuser already created, unable to insert object\n',
    );
    expect(await u.run('syncKey 7 2')).toBe(
      'ExtractMaskedObject: 0x0 !\nkey already exists, unable to insert object\n',
    );
    expect(await u.run('syncKey 4242 2')).toBe('syncKey failed: RET_KEY_NOT_FOUND\n');
    expect(await u.run('exit')).toBe('');
    expect(u.prompt).toBe('aws-cloudhsm>');
    expect(await u.run('syncUser 3 1')).toBe(
      "syncUser failed: not in server mode; enter 'server <N>' on the source server first\n",
    );
  });

  it('prints syncKey failed: <code> when the destination refuses the insert', async () => {
    const u = await loggedIn();
    await cluster.setFault(1, { failInsert: 'all' });
    await u.run('server 2');
    expect(await u.run('syncUser 3 1')).toBe(
      'ExtractMaskedObject: 0x0 !\nsyncUser failed: RET_FAULT_INJECTED\n',
    );
  });

  it('createUser asks for confirmation, then reports per server (failing on node 1)', async () => {
    const u = await loggedIn();
    await cluster.setFault(1, { failCreateUser: true });
    const caution = await u.runUntil(
      `createUser CU dave ${NEW_USER_PASSWORD}`,
      'Do you want to continue(y/n)?',
    );
    expect(caution.split('\n').slice(0, 2)).toEqual([
      '*************************CAUTION********************************',
      'This is a CRITICAL operation, should be done on all nodes in the',
    ]);
    expect(caution).toContain('AWS does NOT synchronize these changes automatically');
    expect(await u.run('y')).toBe(
      [
        'Creating User dave(CU) on 3 nodes',
        `createUser success on ${label(0)}`,
        `createUser failed: RET_FAULT_INJECTED on ${label(1)}`,
        `createUser success on ${label(2)}`,
        '',
      ].join('\n'),
    );
    const dave = (i: number) => cluster.readState(i).users.find((x) => x.username === 'dave')?.userId;
    expect([dave(0), dave(1), dave(2)]).toEqual([4, undefined, 4]);
    await u.runUntil(`createUser CU erin ${NEW_USER_PASSWORD}`, '(y/n)?');
    expect(await u.run('n')).toBe('');
    expect(cluster.readState(0).users.map((x) => x.username)).not.toContain('erin');
  });

  it('prints info server N, usage and unknown-command errors, and keeps going', async () => {
    const u = await loggedIn();
    expect((await u.run('info server 1')).split('\n')).toEqual([
      'Id      Name        Hostname    Port   State       Partition         LoginState',
      `1       ${node(1).address.padEnd(12)}${node(1).address.padEnd(12)}${String(node(1).port).padEnd(7)}Connected   hsm-emu-1         Logged in as 'admin(CO)'`,
      '',
    ]);
    expect(await u.run('frobnicate now')).toBe("Invalid command. Type 'help' for the list of commands.\n");
    expect(await u.run('loginHSM CO admin')).toBe('Usage: loginHSM <user type> <user name> <password>\n');
    expect(await u.run('findAllKeys x 0')).toBe('Usage: findAllKeys <user id> <key hash (0/1)>\n');
    expect(await u.run('server 9')).toBe('Invalid server number 9\n');
    expect(await u.run('')).toBe('');
  });

  it('prints an error for a server that died mid-session instead of crashing', async () => {
    const u = await loggedIn();
    await cluster.setFault(1, { down: true });
    const reply = await u.run('listUsers');
    expect(reply).toContain(`listUsers failed: RET_SERVER_DISCONNECTED on ${label(1)}\n`);
    expect(reply).toContain(`Users on ${label(0)}:`);
    expect(reply).toContain(`Users on ${label(2)}:`);
    expect(await u.run('server 1')).toBe(`Server 1(${node(1).address}) is not connected\n`);
    expect(await u.run('enable_e2e')).toContain(
      `enable_e2e failed: RET_SERVER_DISCONNECTED on ${label(1)}\n`,
    );
  });

  it('quits with the documented line and exit code 0', async () => {
    const u = await loggedIn();
    expect(await u.quit()).toEqual({ code: 0, reply: '\ndisconnecting from servers, please wait...\n' });
  });

  it('never prints a password it was given, not even in error replies', async () => {
    // Arrange: every way a password reaches the util's stdin
    const u = util();
    await u.startup();
    await u.run('enable_e2e');
    await u.run(`loginHSM CO admin ${PASSWORD}X`);
    await u.run(`loginHSM CO admin ${PASSWORD} extra-word`);
    await u.run(PASSWORD);
    await u.run(`loginHSM CO admin ${PASSWORD}`);
    await u.runUntil(`createUser CO frank ${NEW_USER_PASSWORD}`, '(y/n)?');
    await u.run('y');
    // Act
    const { code } = await u.quit();
    // Assert: this session and every earlier one of this file
    everything.push(u.stdout, u.stderr);
    const all = everything.join('');
    expect(code).toBe(0);
    expect(u.stderr).toBe('');
    expect(all).not.toContain(PASSWORD);
    expect(all).not.toContain(NEW_USER_PASSWORD);
    expect(all).not.toContain('not-the-password');
  });
});
