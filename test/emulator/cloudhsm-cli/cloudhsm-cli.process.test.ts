/**
 * The emulated cloudhsm-cli spawned for real (a process per command, single-command mode,
 * real sockets) against started emulated HSMs; every reply read by the production parsers.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Secret } from '#core/secret.ts';
import { renderCloudHsmCliConfig } from '#drivers/cloudhsm-cli/config.ts';
import { CloudHsmCliCommandError } from '#drivers/cloudhsm-cli/parse/envelope.ts';
import { parseHsmInfo } from '#drivers/cloudhsm-cli/parse/parse-hsm-info.ts';
import { joinKeyListPages, parseKeyList } from '#drivers/cloudhsm-cli/parse/parse-key-list.ts';
import { parseLogin } from '#drivers/cloudhsm-cli/parse/parse-login.ts';
import { parseUserCreate } from '#drivers/cloudhsm-cli/parse/parse-user-create.ts';
import { parseUserList } from '#drivers/cloudhsm-cli/parse/parse-user-list.ts';
import { HELD_BACK_KEY, sdk5Scenarios } from '#emulator/cloudhsm-cli/seed-scenarios.ts';
import { type EmulatedCluster, type NodeStateBuilder, startEmulatedCluster } from '#emulator/cluster.ts';
import { type CliRun, type CliRunOptions, runCli } from '../../support/cloudhsm-cli/cli-process.ts';
import { tempDir } from '../../support/emulator/temp-dir.ts';

const ADMIN_PASSWORD = 'Sdk5-admin-pass-1';
const CU_PASSWORD = 'Sdk5-crypto-pass-2';
const NEW_PASSWORD = 'Sdk5-new-user-3';
const scenarios = sdk5Scenarios({
  adminPassword: new Secret(ADMIN_PASSWORD),
  cryptoUserPassword: new Secret(CU_PASSWORD),
});
const ALICE = { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: `alice:${CU_PASSWORD}` };
const ADMIN = { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: `admin:${ADMIN_PASSWORD}` };

const dir = tempDir('cloudhsm-cli');
const clusters: EmulatedCluster[] = [];
const outputs: string[] = [];
let cluster: EmulatedCluster;
let config: string;

async function start(
  name: string,
  options: {
    nodeCount: number;
    states: NodeStateBuilder;
    faults?: Parameters<typeof startEmulatedCluster>[0]['faults'];
    keySyncMs?: number;
  },
): Promise<{ started: EmulatedCluster; configPath: string }> {
  const started = await startEmulatedCluster({
    stateDir: join(dir.path, name),
    nodeCount: options.nodeCount,
    states: options.states,
    ...(options.faults === undefined ? {} : { faults: options.faults }),
    ...(options.keySyncMs === undefined ? {} : { keySync: { delayMs: options.keySyncMs } }),
  });
  clusters.push(started);
  const configPath = join(dir.path, `${name}.cfg`);
  writeFileSync(configPath, renderCloudHsmCliConfig(started.nodes));
  return { started, configPath };
}

/** Runs the CLI on a config; every output is kept to check no password ever shows. */
async function cli(configPath: string, args: string[], options: CliRunOptions = {}): Promise<CliRun> {
  const run = await runCli(['--config', configPath, ...args], options);
  outputs.push(run.stdout, run.stderr);
  return run;
}

function commandError(fn: () => unknown): CloudHsmCliCommandError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(CloudHsmCliCommandError);
    return error as CloudHsmCliCommandError;
  }
  throw new Error('expected an error envelope');
}

/** Polls `check` until it holds (no sleeps: a deadline and the event loop's own turns). */
async function eventually(check: () => boolean, what: string, timeoutMs = 5000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!check()) {
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

beforeAll(async () => {
  ({ started: cluster, configPath: config } = await start('main', scenarios.consistent));
});
afterEach(async () => {
  await cluster.clearFaults();
  cluster.load(scenarios.consistent.states);
});
afterAll(async () => {
  await Promise.all(clusters.map((c) => c.stop()));
  dir.remove();
  for (const output of outputs) {
    expect(output).not.toContain(ADMIN_PASSWORD);
    expect(output).not.toContain(CU_PASSWORD);
    expect(output).not.toContain(NEW_PASSWORD);
  }
});

describe('emulated cloudhsm-cli: user list (no login)', () => {
  it('reports a user missing from one HSM as cluster-coverage inconsistent, the rest full', async () => {
    cluster.load(scenarios.userCreatedWhileHsmFailed.states);
    const run = await cli(config, ['user', 'list']);

    expect(run.code).toBe(0);
    const users = parseUserList(run.stdout).users;
    expect(users.map((u) => [u.username, u.role, u.clusterCoverage])).toEqual([
      ['admin', 'admin', 'full'],
      ['app_user', 'internal(APPLIANCE_USER)', 'full'],
      ['alice', 'crypto-user', 'full'],
      ['bob', 'crypto-user', 'full'],
      ['carol', 'crypto-user', 'inconsistent'],
    ]);
    expect(users.every((u) => u.locked === 'false' && u.quorum?.length === 0)).toBe(true);
  });

  it('reports a role that differs between HSMs as role inconsistent', async () => {
    cluster.load(scenarios.roleDiffers.states);
    const users = parseUserList((await cli(config, ['user', 'list'])).stdout).users;
    expect(users.find((u) => u.username === 'dave')).toEqual({
      username: 'dave',
      role: 'inconsistent',
      locked: 'false',
      mfa: [],
      clusterCoverage: 'full',
      quorum: [],
    });
  });

  it('refuses to answer from a subset of the HSMs: one HSM down is an error envelope naming it', async () => {
    await cluster.setFault(1, { down: true });
    const runs = await Promise.all([
      cli(config, ['user', 'list']),
      cli(config, ['cluster', 'hsm-info']),
      cli(config, ['key', 'list'], { env: ALICE }),
    ]);

    const node1 = `${cluster.nodes[1]?.address}:${cluster.nodes[1]?.port}`;
    expect(runs.map((r) => r.code)).toEqual([1, 1, 1]);
    expect(commandError(() => parseUserList(runs[0]?.stdout ?? '')).toolMessage).toBe(
      `user list needs every HSM in the cluster: 1 of 3 unreachable (${node1})`,
    );
    expect(commandError(() => parseHsmInfo(runs[1]?.stdout ?? '')).command).toBe('cluster hsm-info');
    expect(commandError(() => parseKeyList(runs[2]?.stdout ?? '')).toolMessage).toContain(
      '1 of 3 unreachable',
    );
  });
});

describe('emulated cloudhsm-cli: login', () => {
  it('logs in to every HSM with CLOUDHSM_PIN, with or without --username/--role', async () => {
    const [withOptions, pinOnly] = await Promise.all([
      cli(config, ['login', '--username', 'admin', '--role', 'admin'], {
        env: { CLOUDHSM_PIN: ADMIN.CLOUDHSM_PIN },
      }),
      cli(config, ['login'], { env: ALICE }),
    ]);
    expect(parseLogin(withOptions.stdout)).toEqual({ command: 'login', username: 'admin', role: 'admin' });
    expect(parseLogin(pinOnly.stdout)).toEqual({ command: 'login', username: 'alice', role: 'crypto-user' });
  });

  it('a wrong password fails on every HSM, counts once on each, and five lock the user everywhere', async () => {
    const wrong = { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: 'bob:not-the-password' };
    const first = await cli(config, ['login'], { env: wrong });

    expect(first.code).toBe(1);
    expect(commandError(() => parseLogin(first.stdout)).toolMessage).toBe(
      'Login failed on 3 of 3 connections: invalid username, password or role',
    );
    const bobOn = (i: number) => cluster.readState(i).users.find((u) => u.username === 'bob');
    expect([0, 1, 2].map((i) => bobOn(i)?.loginFailureCount)).toEqual([1, 1, 1]);

    await Promise.all(Array.from({ length: 4 }, () => cli(config, ['login'], { env: wrong })));
    const right = await cli(config, ['login'], {
      env: { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: `bob:${CU_PASSWORD}` },
    });
    expect(commandError(() => parseLogin(right.stdout)).toolMessage).toBe(
      'Login failed on 3 of 3 connections: user is locked',
    );
    const users = parseUserList((await cli(config, ['user', 'list'])).stdout).users;
    expect(users.find((u) => u.username === 'bob')?.locked).toBe('true');
  });

  it('a lock on one HSM only shows as locked inconsistent', async () => {
    await cluster.setFault(2, { rejectLogin: true });
    await Promise.all(Array.from({ length: 5 }, () => cli(config, ['login'], { env: ALICE })));
    const users = parseUserList((await cli(config, ['user', 'list'])).stdout).users;
    expect(users.find((u) => u.username === 'alice')?.locked).toBe('inconsistent');
  });
});

describe('emulated cloudhsm-cli: user create', () => {
  it('creates the user on every HSM with one id, reading the password from the prompts', async () => {
    const run = await cli(config, ['user', 'create', '--username', 'Erin', '--role', 'crypto-user'], {
      env: ADMIN,
      input: `${NEW_PASSWORD}\n${NEW_PASSWORD}\n`,
    });

    expect(parseUserCreate(run.stdout)).toEqual({
      command: 'user create',
      username: 'erin',
      role: 'crypto-user',
    });
    expect(run.stderr).toBe('Enter password:\nConfirm password:\n');
    const ids = [0, 1, 2].map((i) => cluster.readState(i).users.find((u) => u.username === 'erin')?.userId);
    expect(ids).toEqual([5, 5, 5]);
    const login = await cli(config, ['login'], {
      env: { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: `erin:${NEW_PASSWORD}` },
    });
    expect(parseLogin(login.stdout).username).toBe('erin');
  });

  it('a create that fails on HSM 1 leaves the user inconsistent; re-running it repairs the user', async () => {
    await cluster.setFault(1, { failCreateUser: true });
    const args = [
      'user',
      'create',
      '--username',
      'frank',
      '--role',
      'crypto-user',
      '--password',
      NEW_PASSWORD,
    ];
    const failed = await cli(config, args, { env: ADMIN });

    expect(failed.code).toBe(1);
    expect(commandError(() => parseUserCreate(failed.stdout)).toolMessage).toBe(
      'User create failed on 1 of 3 connections',
    );
    const before = parseUserList((await cli(config, ['user', 'list'])).stdout).users;
    expect(before.find((u) => u.username === 'frank')?.clusterCoverage).toBe('inconsistent');

    await cluster.clearFaults(1);
    const repaired = await cli(config, args, { env: ADMIN });
    expect(parseUserCreate(repaired.stdout).username).toBe('frank');
    const after = parseUserList((await cli(config, ['user', 'list'])).stdout).users;
    expect(after.find((u) => u.username === 'frank')?.clusterCoverage).toBe('full');
  });
});

describe('emulated cloudhsm-cli: key list', () => {
  it('pages 10 keys at a time by default; next_token leads to the rest; coverage is full', async () => {
    const first = await cli(config, ['key', 'list', '--verbose'], { env: ALICE });
    const page1 = parseKeyList(first.stdout, { expect: 'verbose' });
    expect([page1.returnedKeyCount, page1.totalKeyCount, page1.nextToken]).toEqual([10, 11, '10']);

    const second = await cli(config, ['key', 'list', '--verbose', '--starting-token', '10'], { env: ALICE });
    const all = joinKeyListPages([page1, parseKeyList(second.stdout, { expect: 'verbose' })]);
    expect(all.keys.map((k) => k.label)).toEqual([
      ...Array.from({ length: 10 }, (_, i) => `app-key-${String(i + 1).padStart(2, '0')}`),
      'bob-ec-public',
    ]);
    expect(all.keys[0]).toMatchObject({
      keyReference: '0x0000000000000101',
      clusterCoverage: 'full',
      owners: [{ username: 'alice', coverage: 'full' }],
      sharedUsers: [{ username: 'bob', coverage: 'full' }],
      class: 'secret-key',
      keyType: 'aes',
    });
    expect(all.keys[0]?.checkValue).toMatch(/^0x[0-9a-f]{6}$/);
    expect(all.keys[10]).toMatchObject({ class: 'public-key', keyType: 'ec', owners: [{ username: 'bob' }] });
  });

  it('an admin sees every key, without key-info even with --verbose ("no effect" for admins)', async () => {
    const run = await cli(config, ['key', 'list', '--verbose', '--max-items', '50'], { env: ADMIN });
    const page = parseKeyList(run.stdout, { expect: 'plain' });
    expect([page.returnedKeyCount, page.totalKeyCount, page.nextToken]).toEqual([12, 12, null]);
  });

  it('a key held back from HSM 2 is inconsistent until key sync reaches it; metrics show the lag', async () => {
    const held = scenarios.keyHeldBack;
    const { started, configPath } = await start('held', { ...held, keySyncMs: 20 });
    const heldRef = `0x${HELD_BACK_KEY.toString(16).padStart(16, '0')}`;
    const list = async () =>
      parseKeyList(
        (
          await cli(configPath, ['key', 'list', '--verbose', '--filter', `key-reference=${heldRef}`], {
            env: ALICE,
          })
        ).stdout,
      );

    expect((await list()).keys[0]).toMatchObject({
      clusterCoverage: 'inconsistent',
      owners: [{ username: 'alice', coverage: 'inconsistent' }],
    });
    expect(started.metrics().map((m) => m.HsmKeysTokenOccupied)).toEqual([13, 13, 12]);
    expect(started.metrics().map((m) => m.HsmUsersAvailable)).toEqual([1020, 1020, 1020]);

    started.createKey(0, {
      handle: 0x300,
      owner: 3,
      label: 'fresh',
      keyClass: 'secret-key',
      keyType: 'aes',
      keyLengthBytes: 32,
    });
    const has = (node: number, handle: number) =>
      started.readState(node).keys.some((k) => k.handle === handle);
    await eventually(() => has(1, 0x300), 'key sync to reach HSM 1');
    expect(has(2, 0x300)).toBe(false);

    await started.setFault(2, { holdKeySync: false });
    await eventually(() => has(2, 0x300) && has(2, HELD_BACK_KEY), 'key sync to reach HSM 2');
    expect((await list()).keys[0]?.clusterCoverage).toBe('full');
    expect(started.metrics().map((m) => m.HsmKeysTokenOccupied)).toEqual([14, 14, 14]);
  });

  it('one HSM: users are full; key list trips the availability check unless the config disables it', async () => {
    const { started, configPath } = await start('single', scenarios.singleHsm);
    const disabled = join(dir.path, 'single-disabled.cfg');
    writeFileSync(disabled, renderCloudHsmCliConfig(started.nodes, { disableKeyAvailabilityCheck: true }));
    const [users, tripped, listed] = await Promise.all([
      cli(configPath, ['user', 'list']),
      cli(configPath, ['key', 'list'], { env: ALICE }),
      cli(disabled, ['key', 'list', '--max-items', '20'], { env: ALICE }),
    ]);

    expect(parseUserList(users.stdout).users.every((u) => u.clusterCoverage === 'full')).toBe(true);
    expect(commandError(() => parseKeyList(tripped.stdout)).toolMessage).toBe(
      'Key 0x0000000000000101 does not meet the availability requirements - The key must be available on at least 2 HSMs before being used.',
    );
    expect(parseKeyList(listed.stdout).totalKeyCount).toBe(11);
  });
});

describe('emulated cloudhsm-cli: cluster hsm-info and the rest', () => {
  it('lists every HSM of the config with the documented fields', async () => {
    const hsms = parseHsmInfo((await cli(config, ['cluster', 'hsm-info'])).stdout).hsms;
    expect(hsms).toHaveLength(3);
    expect(new Set(hsms.map((h) => h.serialNumber)).size).toBe(3);
    expect(hsms[0]).toMatchObject({
      vendor: 'Marvell Semiconductors, Inc.',
      firmwareId: 'CNN35XX-NFBE-FW-2.06-16',
    });
  });

  it('answers a command it does not implement with an error envelope naming it', async () => {
    const run = await cli(config, ['key', 'generate-symmetric', 'aes', '--label', 'x'], { env: ALICE });
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toEqual({
      error_code: 1,
      data: "The emulated cloudhsm-cli does not implement 'key generate-symmetric aes'",
    });
  });
});
