/**
 * The production Luna driver (LUNA_MODULE.createDriver) against the emulated lunacm, spawned for
 * real, over real SoftHSM2 tokens read through the same graphene-pk11 code production uses.
 * Each member is found by its label (LUNA_SLOT_MATCH=label): SoftHSM token serials cannot be set.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { audit } from '#core/audit.ts';
import { MembershipChangedError, TransportError } from '#core/errors.ts';
import {
  DEFAULT_POLICY,
  type NodeInventory,
  type ReadInventory,
  type ResolvedCluster,
  type UnreadableInventory,
} from '#core/model.ts';
import { plan } from '#core/plan.ts';
import { type Credentials, Secret } from '#core/secret.ts';
import { LUNA_MODULE } from '#drivers/luna/index.ts';
import { GrapheneInventoryReader } from '#drivers/luna/pkcs11/graphene-reader.ts';
import { setMemberFault } from '#emulator/luna/faults.ts';
import { lunacmCommand } from '#emulator/luna/main.ts';
import { LUNA_SCENARIOS, type LunaScenario } from '#emulator/luna/scenarios.ts';
import { ClientMembershipProvider } from '#providers/static/client-membership-provider.ts';
import { buildLuna, type LunaFixture, PIN } from '../../support/luna/softhsm-fixture.ts';

const OPTIONS = { loginFailureLimit: 2 };
const [PAR0, PAR1, PAR2] = ['154438865287', '1238700701509', '1238700701510'] as const;

function creds(password = PIN): Credentials {
  return { username: 'co', password: new Secret(password), role: 'co', version: null };
}

interface Rig {
  fixture: LunaFixture;
  transcripts: string[];
  driver: ReturnType<typeof LUNA_MODULE.createDriver>;
  resolve(group: string): Promise<ResolvedCluster>;
  newDriver(settings?: Record<string, string>): ReturnType<typeof LUNA_MODULE.createDriver>;
}

let rig: Rig | null = null;
afterEach(() => {
  rig?.fixture.remove();
  rig = null;
});

function setUp(scenario: LunaScenario, extra: Record<string, string> = {}): Rig {
  const fixture = buildLuna(scenario);
  const { command, args } = lunacmCommand(fixture.luna.statePath);
  const transcripts: string[] = [];
  const settings = (more: Record<string, string> = {}) => ({
    LUNA_PKCS11_LIBRARY: fixture.luna.libraryPath,
    LUNA_SLOT_MATCH: 'label',
    ...extra,
    ...more,
  });
  const newDriver = (more: Record<string, string> = {}) =>
    LUNA_MODULE.createDriver({
      settings: settings(more),
      workDir: fixture.dir,
      command: [command, ...args],
      onTranscript: (t) => transcripts.push(t),
    });
  const membership = LUNA_MODULE.clientMembership?.({ settings: settings(), command: [command, ...args] });
  const provider = new ClientMembershipProvider({
    provider: 'emulator',
    tool: LUNA_MODULE,
    listed: async () => [],
    members: membership ?? (async () => []),
  });
  rig = { fixture, transcripts, driver: newDriver(), resolve: (g) => provider.resolve(g), newDriver };
  return rig;
}

const byId = (inventories: NodeInventory[]) => new Map(inventories.map((i) => [i.nodeId, i]));
const notesOf = (inv: NodeInventory | undefined) => (inv?.notes ?? []).map((n) => n.topic ?? n.kind);
const flagsOf = async (fixture: LunaFixture, labels: string[]) =>
  (
    await new GrapheneInventoryReader({ libraryPath: fixture.luna.libraryPath }).probeMembers(
      labels.map((label) => ({ label })),
    )
  ).map((p) => (p.found ? p.pinCounters.userPinCountLow : null));

describe('Luna driver: collect', () => {
  it('reads every member through PKCS#11 and the group health through lunacm (seed a: missing, Needs sync, conflict)', async () => {
    const { driver, resolve, transcripts } = setUp(LUNA_SCENARIOS['luna-ha']);
    const cluster = await resolve('myHAgroup');

    const inventories = await driver.collect(cluster.nodes, creds(), OPTIONS);
    const result = audit(cluster, inventories, LUNA_MODULE.rules);

    expect(cluster.nodes.map((n) => [n.nodeId, n.state, n.port])).toEqual([
      [PAR0, 'ACTIVE', 1792],
      [PAR1, 'ACTIVE', 1792],
      [PAR2, 'ACTIVE', 1792],
    ]);
    expect(inventories.map((i) => i.status)).toEqual(['read', 'read', 'read']);
    const status = new Map(result.objects.map((f) => [f.label, [f.status, f.missingOn]]));
    expect(status.get('secretKey AES "created-while-down" (id 03)')).toEqual(['missing', [PAR2]]);
    expect(status.get('secretKey AES "shared-config" (id 04)')?.[0]).toBe('divergent');
    expect(status.get('privateKey RSA "app-rsa" (id 02)')).toEqual(['consistent', []]);
    // The group's notes once, on its first alive member.
    expect(notesOf(inventories[0])).toEqual([
      'auto-recovery:myHAgroup',
      'haonly:myHAgroup',
      'needs-sync:myHAgroup',
    ]);
    expect(notesOf(inventories[1])).toEqual([]);
    // The password was typed once (the Needs sync read), at this group's prompt, and never kept.
    const all = transcripts.join('\n');
    expect(all.match(/Enter the password: \*{8}/g)).toHaveLength(1);
    expect(all).not.toContain(PIN);
  });

  it('one call per member (the state machine Map) reports the group notes once, and reads the same objects', async () => {
    const { driver, resolve } = setUp(LUNA_SCENARIOS['cloudhsm-hapg']);
    const cluster = await resolve('hapg1');

    const one = await Promise.all(cluster.nodes.map((n) => driver.collect([n], creds(), OPTIONS)));
    const inventories = one.flat();

    expect(inventories.map((i) => [i.nodeId, i.status])).toEqual([
      ['475256026', 'read'],
      ['511541022', 'read'],
    ]);
    // The seed's client: retry -1 and HAOnly 1 are fine; Needs sync is not.
    expect(inventories.flatMap((i) => notesOf(i))).toEqual(['needs-sync:hapg1']);
    const result = audit(cluster, inventories, LUNA_MODULE.rules);
    expect(result.objects.find((f) => f.label.includes('created-offline'))).toMatchObject({
      status: 'single-node',
      severity: 'critical',
      presentOn: ['475256026'],
      missingOn: ['511541022'],
    });
  });

  it('a refused password is sent to one member only, and to none in a later call (loginAttempted)', async () => {
    const { driver, resolve, transcripts, fixture } = setUp(LUNA_SCENARIOS['cloudhsm-hapg']);
    const cluster = await resolve('hapg1');

    const first = byId(await driver.collect(cluster.nodes, creds('wrong-password-1'), OPTIONS));
    const later = await driver.collect(cluster.nodes.slice(1), creds('wrong-password-1'), OPTIONS);

    expect(first.get('475256026')).toMatchObject({
      status: 'unreadable',
      reason: 'login-failed',
      loginAttempted: true,
      credentialsRejected: true,
    });
    expect(first.get('511541022')).toMatchObject({
      status: 'unreadable',
      reason: 'login-refused-by-guard',
      loginAttempted: false,
      notes: [expect.objectContaining({ kind: 'lockout-risk' })],
    });
    expect(later[0]).toMatchObject({ reason: 'login-refused-by-guard', loginAttempted: false });
    // Only the first member's token counted a failure; lunacm never got the password.
    expect(await flagsOf(fixture, ['hapg1-a', 'hapg1-b'])).toEqual([true, false]);
    expect(transcripts.join('\n')).not.toMatch(/Enter the password: \*/);
  });

  it('the lockout guard: a token that reports a failed login is not logged in to; the others are, each past its own guard', async () => {
    const { driver, resolve, fixture } = setUp(LUNA_SCENARIOS['luna-ha']);
    // Someone typed a wrong password on par1: its token now says CKF_USER_PIN_COUNT_LOW.
    await new GrapheneInventoryReader({ libraryPath: fixture.luna.libraryPath })
      .readMember({ member: { label: 'par1' }, role: 'crypto-officer', pin: new Secret('typo-typo-1') })
      .catch(() => null);
    const cluster = await resolve('myHAgroup');

    const inv = byId(await driver.collect(cluster.nodes, creds(), OPTIONS));

    expect(inv.get(PAR0)?.status).toBe('read');
    expect(inv.get(PAR1)).toMatchObject({
      reason: 'login-refused-by-guard',
      loginAttempted: false,
      detail: expect.stringMatching(/CKF_USER_PIN_COUNT_LOW/),
      notes: [expect.objectContaining({ kind: 'lockout-risk', severity: 'critical' })],
    });
    expect(inv.get(PAR2)?.status).toBe('read');
    expect(inv.get(PAR1)).not.toHaveProperty('credentialsRejected');
    // lunacm was not asked for Needs sync: it would have logged in to par1.
    expect(
      (inv.get(PAR0) as ReadInventory).notes.find((n) => n.topic === 'needs-sync:myHAgroup')?.detail,
    ).toMatch(/Needs sync not read: .*CKF_USER_PIN_COUNT_LOW/);
    expect(await flagsOf(fixture, ['par0', 'par1', 'par2'])).toEqual([false, true, false]);
  });

  it('a member that is down is unknown (no login sent), and blocks every write of its group', async () => {
    const { driver, resolve, fixture } = setUp(LUNA_SCENARIOS['cloudhsm-hapg']);
    setMemberFault(fixture.luna.statePath, '511541022', 'down');
    const cluster = await resolve('hapg1');

    const inventories = await driver.collect(cluster.nodes, creds(), OPTIONS);
    const down = inventories[1] as UnreadableInventory;
    const thePlan = plan(
      cluster,
      audit(cluster, inventories, LUNA_MODULE.rules),
      DEFAULT_POLICY,
      LUNA_MODULE.planner,
    );

    expect(cluster.nodes.map((n) => n.state)).toEqual(['ACTIVE', 'DEGRADED']);
    expect(down).toMatchObject({ status: 'unreadable', reason: 'unreachable', loginAttempted: false });
    expect(down.detail).toMatch(/slot list shows no slot with Serial Number 511541022/);
    expect(notesOf(down)).toEqual(['member-down:hapg1']);
    expect(thePlan.actions).toEqual([]);
    expect(thePlan.writesBlocked).toMatch(/not read: 511541022/);
  });
});

describe('Luna driver: sync', () => {
  async function planned(r: Rig, group: string) {
    const cluster = await r.resolve(group);
    const before = await r.driver.collect(cluster.nodes, creds(), OPTIONS);
    const result = audit(cluster, before, LUNA_MODULE.rules);
    return { cluster, thePlan: plan(cluster, result, DEFAULT_POLICY, LUNA_MODULE.planner) };
  }

  it('seed b: one hagroup synchronize copies the single-member key; each action is read back; nothing else changes', async () => {
    const r = setUp(LUNA_SCENARIOS['cloudhsm-hapg']);
    const { cluster, thePlan } = await planned(r, 'hapg1');

    const results = await r.driver.sync(cluster.nodes, creds(), thePlan.actions, OPTIONS);
    const after = audit(cluster, await r.driver.collect(cluster.nodes, creds(), OPTIONS), LUNA_MODULE.rules);

    expect(thePlan.actions.map((a) => [a.operation, a.targetNodeId])).toEqual([
      ['hagroup synchronize', '511541022'],
    ]);
    expect(results.map((x) => [x.outcome, x.detail])).toEqual([
      ['synced', expect.stringMatching(/^read back on 511541022/)],
    ]);
    expect(after.objects.map((f) => f.status)).toEqual(['consistent', 'consistent']);
    const all = r.transcripts.join('\n');
    expect(all.match(/^lunacm -q hagroup synchronize -group hapg1$/gm)).toHaveLength(1);
    expect(all).not.toContain(PIN);
  });

  it('writes nothing when a fingerprint conflict exists in the group now, even for an action given to it', async () => {
    const r = setUp(LUNA_SCENARIOS['luna-ha']);
    const cluster = await r.resolve('myHAgroup');
    const action = {
      kind: 'key' as const,
      objectId: `object:secretKey/AES/${Buffer.from('created-while-down').toString('hex')}/03`,
      label: 'created-while-down',
      operation: 'hagroup synchronize',
      ref: 'myHAgroup',
      sourceNodeId: null,
      targetNodeId: PAR2,
      description: 'hagroup synchronize -group myHAgroup (to par2)',
    };

    const results = await r.driver.sync(cluster.nodes, creds(), [action], OPTIONS);

    expect(results).toEqual([
      expect.objectContaining({
        outcome: 'not-run',
        detail: expect.stringMatching(/fingerprint conflict in myHAgroup/),
      }),
    ]);
    expect(r.transcripts.join('\n')).not.toMatch(/hagroup synchronize/);
  });

  it('a member down and back: no write while LUNA_RECOVER is off; with it on, hagroup recover first, then synchronize', async () => {
    const r = setUp(LUNA_SCENARIOS['cloudhsm-hapg']);
    setMemberFault(r.fixture.luna.statePath, '511541022', 'down');
    setMemberFault(r.fixture.luna.statePath, '511541022', 'back');
    const cluster = await r.resolve('hapg1');
    const inventories = await r.driver.collect(cluster.nodes, creds(), OPTIONS);
    const result = audit(cluster, inventories, LUNA_MODULE.rules);
    const blocked = plan(cluster, result, DEFAULT_POLICY, LUNA_MODULE.planner);
    const allowed = plan(
      cluster,
      result,
      DEFAULT_POLICY,
      LUNA_MODULE.plannerFor?.({ LUNA_RECOVER: 'true' }) ?? null,
    );

    await expect(r.driver.sync(cluster.nodes, creds(), allowed.actions, OPTIONS)).rejects.toThrow(
      /511541022 is down in HA group hapg1 and LUNA_RECOVER is off: nothing written/,
    );
    const results = await r
      .newDriver({ LUNA_RECOVER: 'true' })
      .sync(cluster.nodes, creds(), allowed.actions, OPTIONS);

    expect(cluster.nodes.map((n) => n.state)).toEqual(['ACTIVE', 'DEGRADED']);
    expect(notesOf(inventories[1])).toEqual(['member-down:hapg1']);
    expect(blocked.writesBlocked).toMatch(/is down in HA group hapg1/);
    expect(results.map((x) => x.outcome)).toEqual(['synced']);
    expect((await r.resolve('hapg1')).nodes.map((n) => n.state)).toEqual(['ACTIVE', 'ACTIVE']);
    expect(r.transcripts.join('\n')).toMatch(
      /lunacm -q hagroup recover -group hapg1\n\s*Member 511541022 of HA group hapg1 recovered\./,
    );
  });

  it('refuses a plan made for another member set (MembershipChangedError), and an unreachable lunacm writes nothing', async () => {
    const r = setUp(LUNA_SCENARIOS['cloudhsm-hapg']);
    const { cluster, thePlan } = await planned(r, 'hapg1');
    const broken = LUNA_MODULE.createDriver({
      settings: { LUNA_PKCS11_LIBRARY: r.fixture.luna.libraryPath, LUNA_SLOT_MATCH: 'label' },
      workDir: r.fixture.dir,
      command: ['/nonexistent/lunacm'],
    });

    await expect(
      r.driver.sync(cluster.nodes.slice(1), creds(), thePlan.actions.slice(0, 1), OPTIONS),
    ).rejects.toThrow(MembershipChangedError);
    await expect(broken.sync(cluster.nodes, creds(), thePlan.actions, OPTIONS)).rejects.toThrow(
      TransportError,
    );
    expect(r.transcripts.join('\n')).not.toMatch(/hagroup synchronize/);
  });
});
