/**
 * Random drift and random faults for the emulated cluster (fast-check arbitraries), shared by
 * the randomised fault schedules (test/faults) and the soak (test/soak).
 *
 * Drift: which of a fixed set of CUs and keys each of the 3 nodes holds (missing, single-node,
 * everywhere, nowhere), keys in a second variant on one node (another owner: what the
 * mgmt-util can see of a divergent key), and users whose name or id collides across nodes. The
 * PCO `admin` (the run's account) is on every node.
 * Faults: per node, from the emulator's set (faults.ts), including trips at one wire operation
 * (crash, disconnect, hang: the request that hangs is carried out, never answered).
 */
import fc from 'fast-check';
import type { Policy } from '#core/model.ts';
import type { Secret } from '#core/secret.ts';
import type { ClusterSeed, NodeSeed, SeedKey, SeedUser } from '#emulator/cluster-seed.ts';
import type { NodeFault } from '#emulator/faults.ts';

export const NODE_COUNT = 3;
const CUS: readonly [number, string][] = [
  [2, 'example_user'],
  [3, 'newest_user'],
  [4, 'alice'],
  [5, 'bob'],
];
const HANDLES = [7, 8, 262146, 262147, 262150, 262170] as const;

type Presence = readonly boolean[];

export interface KeyDrift {
  handle: number;
  owner: number;
  present: Presence;
  /** A node holding the key in a second variant (another owner), or null. */
  variantOn: number | null;
}

export interface Drift {
  users: { userId: number; username: string; present: Presence }[];
  keys: KeyDrift[];
  /** `carol` as user 6 on node 0 and as user 7 on node 1 (a divergent user). */
  nameClash: boolean;
  /** user id 8 is `dave` on node 0 and `erin` on node 2 (a slot collision). */
  idClash: boolean;
}

const sometimes = fc.oneof(
  { weight: 4, arbitrary: fc.constant(false) },
  { weight: 1, arbitrary: fc.constant(true) },
);
const presence = fc.array(fc.boolean(), { minLength: NODE_COUNT, maxLength: NODE_COUNT });

export const driftArb: fc.Arbitrary<Drift> = fc.record({
  users: fc.tuple(
    ...CUS.map(([userId, username]) => presence.map((present) => ({ userId, username, present }))),
  ),
  keys: fc.tuple(
    ...HANDLES.map((handle) =>
      fc.record({
        handle: fc.constant(handle),
        owner: fc.constantFrom(2, 3, 4, 5),
        present: presence,
        variantOn: fc.option(fc.integer({ min: 0, max: NODE_COUNT - 1 }), { freq: 4 }),
      }),
    ),
  ),
  nameClash: sometimes,
  idClash: sometimes,
});

/** The cluster seed of a drift (admin's password from the rig). */
export function seedOf(drift: Drift, adminPassword: Secret, name = 'random-drift'): ClusterSeed {
  const nodes: NodeSeed[] = Array.from({ length: NODE_COUNT }, (_, i) => {
    const users: SeedUser[] = [
      { userId: 1, userType: 'PCO', username: 'admin', password: adminPassword, mofnPubKey: false },
    ];
    for (const u of drift.users)
      if (u.present[i]) users.push({ userId: u.userId, userType: 'CU', username: u.username });
    if (drift.nameClash && i < 2) users.push({ userId: 6 + i, userType: 'CU', username: 'carol' });
    if (drift.idClash && i !== 1)
      users.push({ userId: 8, userType: 'CU', username: i === 0 ? 'dave' : 'erin' });
    const keys: SeedKey[] = drift.keys
      .filter((k) => k.present[i] || k.variantOn === i)
      .map((k) =>
        k.variantOn === i
          ? { handle: k.handle, owner: k.owner === 5 ? 2 : k.owner + 1, variant: 'B' }
          : { handle: k.handle, owner: k.owner },
      );
    return { users, keys };
  });
  return { name, description: describeDrift(drift), nodes };
}

export function describeDrift(drift: Drift): string {
  const where = (p: Presence) => p.map((x) => (x ? '1' : '.')).join('');
  return [
    ...drift.users.map((u) => `${u.username}:${where(u.present)}`),
    ...drift.keys.map(
      (k) => `${k.handle}:${where(k.present)}${k.variantOn === null ? '' : `+B@${k.variantOn}`}`,
    ),
    ...(drift.nameClash ? ['carol:6@0,7@1'] : []),
    ...(drift.idClash ? ['id8:dave@0,erin@2'] : []),
  ].join(' ');
}

const TRIP_OPS = [
  'listUsers',
  'login',
  'findAllKeys',
  'getKeyInfo',
  'extractMasked',
  'insertMasked',
  'logout',
] as const;

/** One node's faults for a run; `hang` faults cost a command timeout (three for a whole-node hang). */
export const faultArb: fc.Arbitrary<NodeFault> = fc.oneof(
  { weight: 32, arbitrary: fc.constant({}) },
  { weight: 2, arbitrary: fc.constant({ down: true }) },
  { weight: 2, arbitrary: fc.constant({ rejectLogin: true }) },
  { weight: 2, arbitrary: fc.constantFrom<NodeFault>({ failInsert: 1 }, { failInsert: 'all' }) },
  { weight: 2, arbitrary: fc.constant({ lieOnInsert: true }) },
  {
    weight: 6,
    arbitrary: fc
      .record({
        op: fc.constantFrom(...TRIP_OPS),
        action: fc.constantFrom('crash' as const, 'disconnect' as const, 'hang' as const),
        skip: fc.integer({ min: 0, max: 3 }),
      })
      .map((tripOn) => ({ tripOn })),
  },
  // Rare: a node that answers nothing costs three command timeouts (the read is retried).
  { weight: 1, arbitrary: fc.constant({ slowMs: 600_000 }) },
);

export const nodeFaultsArb = fc.array(faultArb, { minLength: NODE_COUNT, maxLength: NODE_COUNT });

/** Policies a deployment or a runbook request may set. */
export const policyArb: fc.Arbitrary<Partial<Policy>> = fc.oneof(
  { weight: 6, arbitrary: fc.constant({}) },
  { weight: 1, arbitrary: fc.constant({ dryRun: true }) },
  { weight: 1, arbitrary: fc.constant({ requireAllNodesLoggedIn: false }) },
  { weight: 1, arbitrary: fc.record({ maxActionsPerRun: fc.integer({ min: 0, max: 3 }) }) },
  { weight: 1, arbitrary: fc.constant<Partial<Policy>>({ allowedKinds: ['user'] }) },
);

export function describeFaults(faults: readonly NodeFault[]): string {
  return faults
    .map((f, i) => (Object.keys(f).length === 0 ? '' : `n${i}:${JSON.stringify(f)}`))
    .filter((x) => x !== '')
    .join(' ');
}
