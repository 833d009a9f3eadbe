/**
 * The Luna module's rules and planner through the core's audit and plan: identity is what
 * replicates (class, key type, label, id; never the handle), content the fingerprint, and the
 * synchronize plan is all or nothing per group.
 */
import { describe, expect, it } from '@jest/globals';
import { audit } from '#core/audit.ts';
import { DEFAULT_POLICY, type Policy } from '#core/model.ts';
import { plan } from '#core/plan.ts';
import { LUNA_MODULE } from '#drivers/luna/index.ts';
import { aes, GROUP, lunaCluster, member } from '../../support/luna/luna-inventory.ts';

const [A, B, C] = ['154438865287', '1238700701509', '1238700701510'] as const;
const policy = (overrides: Partial<Policy> = {}): Policy => ({ ...DEFAULT_POLICY, ...overrides });
const planner = LUNA_MODULE.planner;

function auditOf(inventories: ReturnType<typeof member>[], states = {}) {
  const cluster = lunaCluster([A, B, C], states);
  return { cluster, result: audit(cluster, inventories, LUNA_MODULE.rules) };
}

describe('Luna rules', () => {
  it('the same replicated object on members with different handles is one consistent object', () => {
    const { result } = auditOf([
      member(A, [aes('app-aes', '01', 'kcv:aa11', '7')]),
      member(B, [aes('app-aes', '01', 'kcv:aa11', '2')]),
      member(C, [aes('app-aes', '01', 'kcv:aa11', '99')]),
    ]);

    expect(result.objects).toHaveLength(1);
    expect(result.objects[0]).toMatchObject({
      objectId: `object:secretKey/AES/${Buffer.from('app-aes').toString('hex')}/01`,
      label: 'secretKey AES "app-aes" (id 01)',
      ref: GROUP,
      status: 'consistent',
    });
  });

  it('a fingerprint conflict (same identity, another fingerprint) is divergent; a missing copy is missing', () => {
    const { result } = auditOf([
      member(A, [aes('shared-config', '04', 'kcv:aaaa'), aes('created-while-down', '03', 'kcv:cccc')]),
      member(B, [aes('shared-config', '04', 'kcv:bbbb'), aes('created-while-down', '03', 'kcv:cccc')]),
      member(C, []),
    ]);
    const byLabel = new Map(result.objects.map((f) => [f.label, f]));

    expect(byLabel.get('secretKey AES "shared-config" (id 04)')).toMatchObject({
      status: 'divergent',
      variants: [
        { content: 'kcv:aaaa', nodeIds: [A] },
        { content: 'kcv:bbbb', nodeIds: [B] },
      ],
    });
    expect(byLabel.get('secretKey AES "created-while-down" (id 03)')).toMatchObject({
      status: 'missing',
      missingOn: [C],
    });
  });

  it('the same label with another id, or another class, is another object', () => {
    const key = aes('k', '01', 'kcv:1');
    // The same label and id as a generic secret (the reader's identity: class/key type/label/id).
    const generic = {
      ...key,
      keyType: 'GENERIC_SECRET',
      identityKey: `secretKey/GENERIC_SECRET/${key.labelHex}/01`,
    };
    const { result } = auditOf([
      member(A, [key, aes('k', '02', 'kcv:1'), generic]),
      member(B, []),
      member(C, []),
    ]);

    expect(result.objects.map((f) => f.status)).toEqual(['single-node', 'single-node', 'single-node']);
  });

  it('two objects with one identity on one member are divergent (ambiguous), whatever their fingerprints', () => {
    const twice = [aes('dup', '05', 'kcv:1', '1'), aes('dup', '05', 'kcv:1', '2')];
    const { result } = auditOf([
      member(A, twice),
      member(B, [aes('dup', '05', 'kcv:1')]),
      member(C, [aes('dup', '05', 'kcv:1')]),
    ]);

    expect(result.objects[0]?.status).toBe('divergent');
    expect(result.objects[0]?.detail).toMatch(/member 154438865287 holds several objects with this class/);
  });

  it('refuses a listing it did not make (TypeError naming the node)', () => {
    expect(() =>
      LUNA_MODULE.rules.objectsOf({
        nodeId: A,
        status: 'read',
        listing: { users: [], keys: [] },
        digest: null,
        notes: [],
        collectedAt: '',
      }),
    ).toThrow(new TypeError(`the inventory of ${A} is not a Luna member listing`));
  });
});

describe('Luna planner: one hagroup synchronize per group, all or nothing', () => {
  const missingOnC = () => [
    member(A, [aes('x', '01', 'kcv:1'), aes('y', '02', 'kcv:2')]),
    member(B, [aes('x', '01', 'kcv:1'), aes('y', '02', 'kcv:2')]),
    member(C, []),
  ];

  it('plans one action per object and member that lacks it, addressed by node id, copied from wherever it is', () => {
    const { cluster, result } = auditOf(missingOnC());

    const thePlan = plan(cluster, result, policy(), planner);

    expect(thePlan.writesBlocked).toBeNull();
    expect(thePlan.actions).toEqual([
      expect.objectContaining({
        operation: 'hagroup synchronize',
        ref: GROUP,
        sourceNodeId: null,
        targetNodeId: C,
      }),
      expect.objectContaining({
        operation: 'hagroup synchronize',
        ref: GROUP,
        sourceNodeId: null,
        targetNodeId: C,
      }),
    ]);
    expect(thePlan.actions[0]?.description).toBe(`hagroup synchronize -group ${GROUP} (to ${C})`);
  });

  it('a fingerprint conflict anywhere in the group blocks every write of the group, with the reason', () => {
    const inventories = missingOnC();
    inventories[0] = member(A, [aes('x', '01', 'kcv:1'), aes('y', '02', 'kcv:2'), aes('z', '03', 'kcv:A')]);
    inventories[1] = member(B, [aes('x', '01', 'kcv:1'), aes('y', '02', 'kcv:2'), aes('z', '03', 'kcv:B')]);
    const { cluster, result } = auditOf(inventories);

    const thePlan = plan(cluster, result, policy(), planner);

    expect(thePlan.actions).toEqual([]);
    expect(thePlan.writesBlocked).toMatch(/differ between members of myHAgroup \(fingerprint conflict\)/);
    expect(thePlan.skipped.map((s) => s.reason).sort()).toEqual([
      'divergent',
      'writes-blocked',
      'writes-blocked',
    ]);
  });

  it('an unread member blocks synchronize even when the policy does not require every node logged in', () => {
    const inventories = missingOnC();
    inventories[2] = {
      nodeId: C,
      status: 'unreadable',
      reason: 'unreachable',
      detail: 'down',
      loginAttempted: false,
    };
    const { cluster, result } = auditOf(inventories);

    const thePlan = plan(cluster, result, policy({ requireAllNodesLoggedIn: false }), planner);

    expect(thePlan.actions).toEqual([]);
    expect(thePlan.writesBlocked).toMatch(/every member must be read first; not read: 1238700701510/);
  });

  it('a member down in the group (DEGRADED) blocks it unless LUNA_RECOVER is on', () => {
    const { cluster, result } = auditOf(missingOnC(), { [C]: 'DEGRADED' });
    const withRecover = LUNA_MODULE.plannerFor?.({ LUNA_RECOVER: 'true' }) ?? null;

    const off = plan(cluster, result, policy(), planner);
    const on = plan(cluster, result, policy(), withRecover);

    expect(off.writesBlocked).toMatch(/1238700701510 is down in HA group myHAgroup .* set LUNA_RECOVER=true/);
    expect(on.writesBlocked).toBeNull();
    expect(on.actions).toHaveLength(2);
  });

  it('never cuts synchronize short: more copies than maxActionsPerRun blocks them all', () => {
    const { cluster, result } = auditOf(missingOnC());

    const one = plan(cluster, result, policy({ maxActionsPerRun: 1 }), planner);
    const two = plan(cluster, result, policy({ maxActionsPerRun: 2 }), planner);

    expect(one.actions).toEqual([]);
    expect(one.writesBlocked).toMatch(
      /makes all 2 missing copies of myHAgroup at once .* allows 1 actions per run/,
    );
    expect(two.actions).toHaveLength(2);
  });

  it('refuses a malformed LUNA_RECOVER, LUNA_ROLE or LUNA_SLOT_MATCH at start, naming it', () => {
    expect(() => LUNA_MODULE.checkSettings({ LUNA_RECOVER: 'yes' })).toThrow(
      "setting LUNA_RECOVER is 'yes': expected true or false",
    );
    expect(() => LUNA_MODULE.checkSettings({ LUNA_ROLE: 'so' })).toThrow(
      /LUNA_ROLE is 'so': expected crypto-officer/,
    );
    expect(() => LUNA_MODULE.checkSettings({ LUNA_SLOT_MATCH: 'slot' })).toThrow(/LUNA_SLOT_MATCH/);
    expect(() => LUNA_MODULE.checkSettings({})).not.toThrow();
  });
});
