/**
 * The production cloudhsm-cli driver spawning the emulated `cloudhsm-cli` (a process per
 * command, the config file it writes, real sockets to the emulated HSMs) for every SDK 5 seed
 * scenario, and the lockout guard: no login where `user list` says an account is locked, one
 * attempt where the password is wrong, no other login after a refused admin.
 */
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from '@jest/globals';
import { audit } from '#core/audit.ts';
import { CredentialsRejectedError } from '#core/errors.ts';
import { membershipToken } from '#core/membership.ts';
import {
  DEFAULT_POLICY,
  type NodeInventory,
  type ReadInventory,
  type ResolvedCluster,
  type UnreadableInventory,
} from '#core/model.ts';
import { plan } from '#core/plan.ts';
import { type Credentials, Secret, type SecretReader } from '#core/secret.ts';
import { parseCloudHsmCliConfig } from '#drivers/cloudhsm-cli/config.ts';
import type { CloudHsmCliDriver } from '#drivers/cloudhsm-cli/driver.ts';
import { CLOUDHSM_CLI_MODULE } from '#drivers/cloudhsm-cli/index.ts';
import type { CloudHsmCliListing } from '#drivers/cloudhsm-cli/listing.ts';
import type { AccountRefusal, AccountRefusals, ToolSettings } from '#drivers/tool-module.ts';
import {
  aesKey,
  PasswordHashes,
  type Sdk5SeedKey,
  type Sdk5SeedUser,
  sdk5NodeState,
  storedKey,
  storedUser,
} from '#emulator/cloudhsm-cli/node-seed.ts';
import { HELD_BACK_KEY, type Sdk5Scenario, sdk5Scenarios } from '#emulator/cloudhsm-cli/seed-scenarios.ts';
import { type EmulatedCluster, type NodeStateBuilder, startEmulatedCluster } from '#emulator/cluster.ts';
import { emulatedCommand } from '#emulator/programs.ts';
import { tempDir } from '../../support/emulator/temp-dir.ts';

const ADMIN_PASSWORD = 'Sdk5-admin-pass-1';
const CU_PASSWORD = 'Sdk5-crypto-pass-2';
const scenarios = sdk5Scenarios({
  adminPassword: new Secret(ADMIN_PASSWORD),
  cryptoUserPassword: new Secret(CU_PASSWORD),
});
const admin = (password = ADMIN_PASSWORD): Credentials => ({
  username: 'admin',
  password: new Secret(password),
  role: 'admin',
  version: null,
});
const OPTIONS = { loginFailureLimit: 2 };

const dir = tempDir('sdk5-driver');
const running: EmulatedCluster[] = [];
afterEach(async () => {
  await Promise.all(running.splice(0).map((c) => c.stop()));
});
afterAll(() => dir.remove());

/** Secrets by reference; `wrong:<user>` answers a password the HSMs do not know. */
function secretReader(): SecretReader {
  return {
    async read(reference) {
      const wrong = reference.startsWith('wrong:');
      return {
        password: new Secret(wrong ? 'Not-the-password-9' : CU_PASSWORD),
        version: wrong ? 'v-wrong' : 'v1',
      };
    },
  };
}

function settingsFor(
  cryptoUsers: string,
  secrets: Record<string, string>,
  extra: ToolSettings = {},
): ToolSettings {
  return {
    CLOUDHSM_CLI_CRYPTO_USERS: cryptoUsers,
    CLOUDHSM_CLI_USER_SECRETS: JSON.stringify(secrets),
    ...extra,
  };
}
const DEFAULT_SETTINGS = settingsFor('alice,bob', { alice: 'ok:alice', bob: 'ok:bob', carol: 'ok:carol' });

let started = 0;
/** The credential memory's part a tool uses, in memory. */
function memoryOfRefusals(): AccountRefusals & { records: AccountRefusal[] } {
  const records: AccountRefusal[] = [];
  return {
    records,
    async refusalOf(clusterId, username, version) {
      return (
        records.find((r) => r.clusterId === clusterId && r.username === username && r.version === version) ??
        null
      );
    },
    async remember(refusal) {
      records.push(refusal);
    },
  };
}

async function start(
  scenario: Pick<Sdk5Scenario, 'nodeCount' | 'states' | 'faults'>,
  settings: ToolSettings = DEFAULT_SETTINGS,
  refusals?: AccountRefusals,
) {
  started += 1;
  const cluster = await startEmulatedCluster({
    stateDir: join(dir.path, `c${started}`),
    nodeCount: scenario.nodeCount,
    states: scenario.states,
    faults: scenario.faults,
  });
  running.push(cluster);
  const driver = CLOUDHSM_CLI_MODULE.createDriver({
    settings,
    workDir: join(dir.path, `work${started}`),
    command: emulatedCommand('cloudhsm-cli'),
    secrets: secretReader(),
    ...(refusals ? { refusals } : {}),
  }) as CloudHsmCliDriver;
  const resolved: ResolvedCluster = {
    clusterId: 'cluster-emu',
    provider: 'emulator',
    tool: 'cloudhsm-cli',
    nodes: cluster.nodes,
    resolvedAt: '2026-11-23T00:00:00.000Z',
    membershipToken: membershipToken(cluster.nodes),
    configDrift: null,
    addressing: 'cluster-wide',
  };
  const planner = CLOUDHSM_CLI_MODULE.plannerFor?.(settings) ?? null;
  return { cluster, driver, resolved, planner };
}

function read(inventories: NodeInventory[]): ReadInventory[] {
  expect(inventories.map((i) => i.status)).toEqual(inventories.map(() => 'read'));
  return inventories as ReadInventory[];
}
const listingOf = (inventories: NodeInventory[]) =>
  (read(inventories)[0] as ReadInventory).listing as CloudHsmCliListing;
const commandsOf = (transcript: string) =>
  transcript
    .split('\n')
    .filter((l) => l.startsWith('$ '))
    .map((l) => l.replace(/ --config \S+/, ''));
const failures = (cluster: EmulatedCluster, nodeCount: number, username: string) =>
  Array.from(
    { length: nodeCount },
    (_, i) => cluster.readState(i).users.find((u) => u.username === username)?.loginFailureCount,
  );

/** A cluster of the SDK 5 base users and two keys, with per-node changes. */
function baseStates(
  change: (users: Sdk5SeedUser[], node: number) => Sdk5SeedUser[],
  nodeCount = 3,
): NodeStateBuilder {
  const users: Sdk5SeedUser[] = [
    { userId: 1, userType: 'PCO', username: 'admin', password: new Secret(ADMIN_PASSWORD) },
    { userId: 2, userType: 'AU', username: 'app_user' },
    { userId: 3, userType: 'CU', username: 'alice', password: new Secret(CU_PASSWORD) },
    { userId: 4, userType: 'CU', username: 'bob', password: new Secret(CU_PASSWORD) },
  ];
  const keys: Sdk5SeedKey[] = [aesKey(0x101, 3, 'k1'), aesKey(0x102, 4, 'k2')];
  return (nodeIds, maskingKey) => {
    const hashes = new PasswordHashes();
    return nodeIds.slice(0, nodeCount).map((nodeId, i) =>
      sdk5NodeState(
        nodeId,
        maskingKey,
        change(users, i).map((u) => storedUser(u, hashes)),
        keys.map((k) => storedKey('guard', k)),
      ),
    );
  };
}
const lockedOn = (username: string, nodes: readonly number[]) => (users: Sdk5SeedUser[], node: number) =>
  users.map((u) => (u.username === username && nodes.includes(node) ? { ...u, locked: true } : u));

describe('the cloudhsm-cli driver against the emulated CLI', () => {
  it("consistent: one inventory per node, every object on every node, the same listing (users, every crypto user's keys)", async () => {
    const { driver, resolved } = await start(scenarios.consistent);

    const inventories = await driver.collect(resolved.nodes, admin(), OPTIONS);

    const listing = listingOf(inventories);
    expect(listing.keyListings.map((r) => [r.username, r.status, r.keys, r.pages])).toEqual([
      ['alice', 'listed', 11, 1],
      ['bob', 'listed', 6, 1],
    ]);
    expect(listing.clusterKeyCount).toBe(12);
    expect(listing.keys).toHaveLength(12);
    const result = audit(resolved, inventories, CLOUDHSM_CLI_MODULE.rules);
    expect(result.counts).toEqual({ consistent: 16, missing: 0, 'single-node': 0, divergent: 0 });
    expect(result.nodes).toEqual([]);
    // user list, the admin's one login, one page per crypto user.
    expect(commandsOf(driver.lastTranscript)).toEqual([
      '$ cloudhsm-cli user list',
      '$ CLOUDHSM_ROLE=admin CLOUDHSM_PIN=admin:<redacted> cloudhsm-cli key list --max-items 1',
      '$ CLOUDHSM_ROLE=crypto-user CLOUDHSM_PIN=alice:<redacted> cloudhsm-cli key list --verbose --max-items 1000',
      '$ CLOUDHSM_ROLE=crypto-user CLOUDHSM_PIN=bob:<redacted> cloudhsm-cli key list --verbose --max-items 1000',
    ]);
    expect(driver.lastTranscript).not.toContain(CU_PASSWORD);
    expect(driver.lastTranscript).not.toContain(ADMIN_PASSWORD);
  });

  it('user created while an HSM failed: found on some HSMs only, re-created with user create (its own password), verified by user list', async () => {
    const { cluster, driver, resolved, planner } = await start(scenarios.userCreatedWhileHsmFailed);

    const before = audit(
      resolved,
      await driver.collect(resolved.nodes, admin(), OPTIONS),
      CLOUDHSM_CLI_MODULE.rules,
    );
    const thePlan = plan(resolved, before, DEFAULT_POLICY, planner);
    const results = await driver.sync(resolved.nodes, admin(), thePlan.actions);
    const after = audit(
      resolved,
      await driver.collect(resolved.nodes, admin(), OPTIONS),
      CLOUDHSM_CLI_MODULE.rules,
    );

    expect(before.objects.find((f) => f.objectId === 'user:carol')).toMatchObject({
      status: 'missing',
      uncertainOn: resolved.nodes.map((n) => n.nodeId),
    });
    expect(thePlan.actions.map((a) => a.description)).toEqual([
      'user create --username carol --role crypto-user (the CLI fills in every HSM that lacks it)',
    ]);
    expect(results.map((r) => r.outcome)).toEqual(['synced']);
    expect(cluster.readState(1).users.map((u) => u.username)).toContain('carol');
    expect(after.counts).toEqual({ consistent: 17, missing: 0, 'single-node': 0, divergent: 0 });
    // carol keeps her own password: she can log in on every HSM now.
    const asCarol = CLOUDHSM_CLI_MODULE.createDriver({
      settings: settingsFor('carol', { carol: 'ok:carol' }),
      workDir: join(dir.path, 'carol'),
      command: emulatedCommand('cloudhsm-cli'),
      secrets: secretReader(),
    });
    expect(listingOf(await asCarol.collect(resolved.nodes, admin(), OPTIONS)).keyListings[0]?.status).toBe(
      'listed',
    );
  });

  it('role differs between HSMs: divergent, never planned, nothing written', async () => {
    const { cluster, driver, resolved, planner } = await start(scenarios.roleDiffers);
    const users = () =>
      [0, 1, 2].map((i) => cluster.readState(i).users.map((u) => `${u.username}:${u.userType}`));
    const seeded = users();

    const result = audit(
      resolved,
      await driver.collect(resolved.nodes, admin(), OPTIONS),
      CLOUDHSM_CLI_MODULE.rules,
    );
    const thePlan = plan(resolved, result, DEFAULT_POLICY, planner);

    expect(result.objects.find((f) => f.objectId === 'user:dave')).toMatchObject({
      status: 'divergent',
      label: 'user dave (role inconsistent)',
    });
    expect(thePlan.actions).toEqual([]);
    expect(thePlan.skipped).toEqual([
      expect.objectContaining({ objectId: 'user:dave', reason: 'divergent' }),
    ]);
    expect(users()).toEqual(seeded);
  });

  it('key held back: uncertain on every node and left to the service; consistent once the service copies it', async () => {
    const { cluster, driver, resolved, planner } = await start(scenarios.keyHeldBack);
    const id = `key:0x${HELD_BACK_KEY.toString(16)}`;

    const held = audit(
      resolved,
      await driver.collect(resolved.nodes, admin(), OPTIONS),
      CLOUDHSM_CLI_MODULE.rules,
    );
    const thePlan = plan(resolved, held, DEFAULT_POLICY, planner);
    cluster.syncKeysNow();
    const stillHeld = audit(
      resolved,
      await driver.collect(resolved.nodes, admin(), OPTIONS),
      CLOUDHSM_CLI_MODULE.rules,
    );
    await cluster.setFault(2, { holdKeySync: false });
    cluster.syncKeysNow();
    const copied = audit(
      resolved,
      await driver.collect(resolved.nodes, admin(), OPTIONS),
      CLOUDHSM_CLI_MODULE.rules,
    );

    expect(held.objects.find((f) => f.objectId === id)).toMatchObject({
      status: 'missing',
      uncertainOn: ['hsm-emu-0', 'hsm-emu-1', 'hsm-emu-2'],
    });
    expect(thePlan.actions).toEqual([]);
    expect(thePlan.skipped).toEqual([expect.objectContaining({ objectId: id, reason: 'synced-by-service' })]);
    expect(stillHeld.objects.find((f) => f.objectId === id)?.status).toBe('missing');
    expect(copied.objects.find((f) => f.objectId === id)?.status).toBe('consistent');
  });

  it('one HSM: every key listed (the written config turns the key availability check off), and the audit is critical', async () => {
    const { driver, resolved } = await start(scenarios.singleHsm);

    const inventories = await driver.collect(resolved.nodes, admin(), OPTIONS);
    const result = audit(resolved, inventories, CLOUDHSM_CLI_MODULE.rules);

    expect(inventories).toHaveLength(1);
    expect(listingOf(inventories).keys).toHaveLength(12);
    expect(result.nodes).toEqual([
      expect.objectContaining({ nodeId: 'hsm-emu-0', kind: 'health', severity: 'critical' }),
    ]);
  });

  it('pages key list with --max-items and --starting-token, one process each, joined and checked complete', async () => {
    const { driver, resolved } = await start(
      scenarios.consistent,
      settingsFor('alice', { alice: 'ok:alice' }, { CLOUDHSM_CLI_MAX_ITEMS: '5' }),
    );

    const listing = listingOf(await driver.collect(resolved.nodes, admin(), OPTIONS));

    expect(listing.keyListings).toEqual([
      expect.objectContaining({ username: 'alice', status: 'listed', pages: 3, keys: 11 }),
    ]);
    expect(commandsOf(driver.lastTranscript).slice(2)).toEqual([
      '$ CLOUDHSM_ROLE=crypto-user CLOUDHSM_PIN=alice:<redacted> cloudhsm-cli key list --verbose --max-items 5',
      '$ CLOUDHSM_ROLE=crypto-user CLOUDHSM_PIN=alice:<redacted> cloudhsm-cli key list --verbose --max-items 5 --starting-token 5',
      '$ CLOUDHSM_ROLE=crypto-user CLOUDHSM_PIN=alice:<redacted> cloudhsm-cli key list --verbose --max-items 5 --starting-token 10',
    ]);
    // The admin sees 12 keys, alice 11: bob's private key is counted, not audited.
    expect(read(await driver.collect(resolved.nodes, admin(), OPTIONS))[0]?.notes).toEqual([
      expect.objectContaining({
        kind: 'health',
        detail: expect.stringMatching(/^1 of the cluster's 12 keys are not visible/),
      }),
    ]);
  });

  it("writes the run's config from the node list it is given, in a folder it removes, and copies it to CLOUDHSM_CLI_CONFIG_COPY", async () => {
    const copy = join(dir.path, 'linked', 'cloudhsm-cli.cfg');
    mkdirSync(join(dir.path, 'linked'));
    const { driver, resolved } = await start(scenarios.consistent, {
      ...DEFAULT_SETTINGS,
      CLOUDHSM_CLI_CONFIG_COPY: copy,
    });

    await driver.collect(resolved.nodes, admin(), OPTIONS);

    const written = parseCloudHsmCliConfig(readFileSync(copy, 'utf8'));
    expect(written.clusters[0]?.servers.map((s) => `${s.hostname}:${s.port}`)).toEqual(
      resolved.nodes.map((n) => `${n.address}:${n.port}`),
    );
    expect(written.clusters[0]?.disableKeyAvailabilityCheck).toBe(true);
    expect(readdirSync(join(dir.path, `work${started}`))).toEqual([]);
  });

  it('an HSM that does not answer: every node unreadable (the CLI will not answer from a subset), no login sent', async () => {
    const { driver, resolved } = await start({ ...scenarios.consistent, faults: { 1: { down: true } } });

    const inventories = (await driver.collect(resolved.nodes, admin(), OPTIONS)) as UnreadableInventory[];

    expect(inventories.map((i) => [i.status, i.reason, i.loginAttempted])).toEqual([
      ['unreadable', 'unreachable', false],
      ['unreadable', 'unreachable', false],
      ['unreadable', 'unreachable', false],
    ]);
    expect(commandsOf(driver.lastTranscript)).toEqual(['$ cloudhsm-cli user list']);
  });
});

describe('the lockout guard of the cloudhsm-cli driver', () => {
  it.each([
    ['locked on every HSM', [0, 1, 2], /locked out \(user list: locked "true"\)/],
    [
      'locked on one HSM only (locked "inconsistent")',
      [1],
      /locked out on some HSMs \(user list: locked "inconsistent"\)/,
    ],
  ])('sends no login at all as an admin %s', async (_what, nodes, detail) => {
    const { cluster, driver, resolved } = await start({
      nodeCount: 3,
      states: baseStates(lockedOn('admin', nodes)),
      faults: {},
    });
    const counted = failures(cluster, 3, 'admin');

    const inventories = (await driver.collect(resolved.nodes, admin(), OPTIONS)) as UnreadableInventory[];

    expect(inventories.map((i) => [i.reason, i.loginAttempted])).toEqual([
      ['login-refused-by-guard', false],
      ['login-refused-by-guard', false],
      ['login-refused-by-guard', false],
    ]);
    expect(inventories[0]?.notes).toEqual([
      { kind: 'account-locked', severity: 'critical', detail: expect.stringMatching(detail) },
    ]);
    expect(commandsOf(driver.lastTranscript)).toEqual(['$ cloudhsm-cli user list']);
    expect(failures(cluster, 3, 'admin')).toEqual(counted);
    const result = audit(resolved, inventories, CLOUDHSM_CLI_MODULE.rules);
    expect(plan(resolved, result, DEFAULT_POLICY, null).writesBlocked).toMatch(/login was refused/);
    // Nor does a sync log in.
    await expect(
      driver.sync(resolved.nodes, admin(), [
        {
          kind: 'user',
          objectId: 'user:x',
          label: 'x',
          operation: 'user create',
          ref: 'crypto-user/x',
          sourceNodeId: null,
          targetNodeId: null,
          description: 'user create x',
        },
      ]),
    ).rejects.toBeInstanceOf(CredentialsRejectedError);
    expect(commandsOf(driver.lastTranscript)).toEqual(['$ cloudhsm-cli user list']);
  });

  it('tries a wrong admin password once (it counts once on each HSM), and logs in as no crypto user after it', async () => {
    const { cluster, driver, resolved } = await start(scenarios.consistent);

    const inventories = (await driver.collect(
      resolved.nodes,
      admin('Wrong-admin-pass-0'),
      OPTIONS,
    )) as UnreadableInventory[];

    expect(inventories.map((i) => [i.status, i.reason, i.loginAttempted])).toEqual([
      ['unreadable', 'login-failed', true],
      ['unreadable', 'login-failed', true],
      ['unreadable', 'login-failed', true],
    ]);
    expect(inventories[0]?.detail).toMatch(/not tried again in this run, and no other login follows/);
    // The credentials themselves were rejected: the workflow remembers the secret version for later runs.
    expect(inventories.every((i) => i.credentialsRejected === true)).toBe(true);
    expect(commandsOf(driver.lastTranscript)).toEqual([
      '$ cloudhsm-cli user list',
      '$ CLOUDHSM_ROLE=admin CLOUDHSM_PIN=admin:<redacted> cloudhsm-cli key list --max-items 1',
    ]);
    expect(failures(cluster, 3, 'admin')).toEqual([1, 1, 1]);
    expect(failures(cluster, 3, 'alice')).toEqual([0, 0, 0]);
    expect(driver.lastTranscript).not.toContain('Wrong-admin-pass-0');
  });

  it('tries a wrong crypto-user password once (its first page), lists the others, and then blocks every write', async () => {
    const { cluster, driver, resolved, planner } = await start(
      scenarios.userCreatedWhileHsmFailed,
      settingsFor(
        'alice,bob',
        { alice: 'wrong:alice', bob: 'ok:bob', carol: 'ok:carol' },
        { CLOUDHSM_CLI_MAX_ITEMS: '2' },
      ),
    );

    const inventories = await driver.collect(resolved.nodes, admin(), OPTIONS);

    const listing = listingOf(inventories);
    expect(listing.keyListings.map((r) => [r.username, r.status, r.pages])).toEqual([
      ['alice', 'login-failed', 0],
      ['bob', 'listed', 3],
    ]);
    expect(commandsOf(driver.lastTranscript).filter((c) => c.includes('alice:'))).toHaveLength(1);
    expect(failures(cluster, 3, 'alice')).toEqual([1, 1, 1]);
    const result = audit(resolved, inventories, CLOUDHSM_CLI_MODULE.rules);
    expect(result.nodes.filter((n) => n.kind === 'lockout-risk').map((n) => n.nodeId)).toEqual([
      'hsm-emu-0',
      'hsm-emu-1',
      'hsm-emu-2',
    ]);
    const thePlan = plan(resolved, result, DEFAULT_POLICY, planner);
    expect(thePlan.actions).toEqual([]);
    expect(thePlan.writesBlocked).toMatch(/a login was refused in this run/);
  });

  it('remembers a refused crypto-user secret version: no later run sends it again (the HSMs lock at 5)', async () => {
    const refusals = memoryOfRefusals();
    const settings = settingsFor('alice,bob', { alice: 'wrong:alice', bob: 'ok:bob' });
    const { cluster, driver, resolved } = await start(scenarios.consistent, settings, refusals);
    const options = { ...OPTIONS, clusterId: 'cluster-emu' };

    await driver.collect(resolved.nodes, admin(), options);
    const next = await driver.collect(resolved.nodes, admin(), options);

    expect(refusals.records).toEqual([
      expect.objectContaining({ clusterId: 'cluster-emu', username: 'alice', version: 'v-wrong' }),
    ]);
    expect(commandsOf(driver.lastTranscript).some((c) => c.includes('alice:'))).toBe(false);
    expect(listingOf(next).keyListings[0]).toMatchObject({ username: 'alice', status: 'refused-by-guard' });
    expect(read(next)[0]?.notes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'health',
          severity: 'critical',
          detail: expect.stringMatching(/never sent again until the secret changes/),
        }),
      ]),
    );
    expect(failures(cluster, 3, 'alice')).toEqual([1, 1, 1]);
  });

  it('sends no login as a crypto user that user list shows locked, and audits the rest', async () => {
    const { cluster, driver, resolved } = await start({
      nodeCount: 3,
      states: baseStates(lockedOn('bob', [0, 1, 2])),
      faults: {},
    });

    const inventories = await driver.collect(resolved.nodes, admin(), OPTIONS);

    expect(listingOf(inventories).keyListings.map((r) => [r.username, r.status])).toEqual([
      ['alice', 'listed'],
      ['bob', 'refused-by-guard'],
    ]);
    expect(commandsOf(driver.lastTranscript).some((c) => c.includes('bob:'))).toBe(false);
    expect(read(inventories)[0]?.notes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'account-locked',
          detail: expect.stringMatching(/^crypto-user bob: locked out/),
        }),
      ]),
    );
    expect(failures(cluster, 3, 'bob')).toEqual([5, 5, 5]);
  });

  it('proves the admin once before a write: a wrong password at sync time is one attempt, nothing written', async () => {
    const { cluster, driver, resolved, planner } = await start(scenarios.userCreatedWhileHsmFailed);
    const result = audit(
      resolved,
      await driver.collect(resolved.nodes, admin(), OPTIONS),
      CLOUDHSM_CLI_MODULE.rules,
    );
    const thePlan = plan(resolved, result, DEFAULT_POLICY, planner);

    await expect(driver.sync(resolved.nodes, admin('Rotated-wrong-1'), thePlan.actions)).rejects.toThrow(
      /login was refused or failed .* not tried again in this run; nothing written/,
    );

    expect(commandsOf(driver.lastTranscript)).toEqual([
      '$ cloudhsm-cli user list',
      '$ CLOUDHSM_ROLE=admin CLOUDHSM_PIN=admin:<redacted> cloudhsm-cli key list --max-items 1',
    ]);
    expect(cluster.readState(1).users.map((u) => u.username)).not.toContain('carol');
    expect(failures(cluster, 3, 'admin')).toEqual([1, 1, 1]);
  });
});
