/**
 * SDK 5 scenarios (data, like src/emulator/seed-scenarios.ts): node contents for
 * `startEmulatedCluster({ states })`, with the faults and key sync each one needs.
 *
 * Every scenario starts from the same base on each HSM: `admin` (id 1, the activated admin),
 * `app_user` (2, the appliance user, `internal(APPLIANCE_USER)`), crypto users `alice` (3) and
 * `bob` (4); 10 AES keys owned by alice (handles 0x101-0x10a, labels `app-key-01`…, every
 * third shared with bob) and bob's EC pair (0x201 private, 0x202 public). alice sees 11 keys
 * (hers and the public key): two pages at the default page size of 10.
 */
import type { Secret } from '#core/secret.ts';
import type { NodeStateBuilder } from '../cluster.ts';
import type { NodeFault } from '../faults.ts';
import {
  aesKey,
  ecPair,
  PasswordHashes,
  type Sdk5SeedKey,
  type Sdk5SeedUser,
  sdk5NodeState,
  storedKey,
  storedUser,
} from './node-seed.ts';

export const SDK5_SCENARIO_NAMES = [
  'consistent',
  'userCreatedWhileHsmFailed',
  'roleDiffers',
  'keyHeldBack',
  'singleHsm',
  'demo',
] as const;
export type Sdk5ScenarioName = (typeof SDK5_SCENARIO_NAMES)[number];

export interface Sdk5ScenarioOptions {
  /** Password of `admin` on every HSM. */
  adminPassword: Secret;
  /** Password of every crypto user (alice, bob, carol, dave). */
  cryptoUserPassword: Secret;
}

export interface Sdk5Scenario {
  name: Sdk5ScenarioName;
  description: string;
  nodeCount: number;
  states: NodeStateBuilder;
  /** Faults to start the cluster with (`startEmulatedCluster({ faults })`). */
  faults: Readonly<Record<number, NodeFault>>;
}

/** The key held back on HSM 2 in `keyHeldBack`. */
export const HELD_BACK_KEY = 0x10b;
/** The user `userCreatedWhileHsmFailed` lacks on HSM 1, and the one whose role differs in `roleDiffers`. */
export const INCONSISTENT_USERS = { missingOnHsm1: 'carol', roleDiffers: 'dave' } as const;

function baseUsers(options: Sdk5ScenarioOptions): Sdk5SeedUser[] {
  return [
    { userId: 1, userType: 'PCO', username: 'admin', password: options.adminPassword },
    { userId: 2, userType: 'AU', username: 'app_user' },
    { userId: 3, userType: 'CU', username: 'alice', password: options.cryptoUserPassword },
    { userId: 4, userType: 'CU', username: 'bob', password: options.cryptoUserPassword },
  ];
}

function baseKeys(): Sdk5SeedKey[] {
  const aes = Array.from({ length: 10 }, (_, i) =>
    aesKey(0x101 + i, 3, `app-key-${String(i + 1).padStart(2, '0')}`, i % 3 === 0 ? [4] : []),
  );
  return [...aes, ...ecPair(0x201, 0x202, 4, 'bob-ec')];
}

/** A builder giving node i the users and keys of `perNode[i]`. */
function builder(
  name: string,
  perNode: ReadonlyArray<{ users: readonly Sdk5SeedUser[]; keys: readonly Sdk5SeedKey[] }>,
): NodeStateBuilder {
  return (nodeIds, maskingKey) => {
    const hashes = new PasswordHashes();
    return perNode.map((node, i) =>
      sdk5NodeState(
        nodeIds[i] ?? `node-${i}`,
        maskingKey,
        node.users.map((u) => storedUser(u, hashes)),
        node.keys.map((k) => storedKey(name, k)),
      ),
    );
  };
}

/**
 * The scenarios:
 * - `consistent`: the base on 3 HSMs.
 * - `userCreatedWhileHsmFailed` (a): crypto user `carol` (5) on HSMs 0 and 2 only, as a
 *   `user create` leaves it when it fails on HSM 1: `cluster-coverage` `inconsistent`.
 * - `roleDiffers` (b): `dave` (5) is a crypto user on HSMs 0 and 1 and an admin on HSM 2:
 *   `role` `inconsistent` (two SDKs creating the same user with different roles).
 * - `keyHeldBack` (c): key 0x10b (alice's `app-key-11`) on HSMs 0 and 1, held back from HSM 2
 *   by `holdKeySync`: key `cluster-coverage` `inconsistent`, HSM 2 one lower in
 *   HsmKeysTokenOccupied. Start it with `keySync` to see the hold at work.
 * - `singleHsm` (d): the base on a one-HSM cluster (`full` coverage everywhere; `key list`
 *   trips the key availability check unless the config disables it).
 * - `demo`: (a), (b) and (c) in one cluster (`hsm-sentinel demo --tool cloudhsm-cli`): carol
 *   (5) on HSMs 0 and 2, dave (6) an admin on HSM 2 only, key 0x10b held back from HSM 2. HSM 1
 *   has one user fewer than its peers, HSM 2 one token key fewer.
 */
export function sdk5Scenarios(options: Sdk5ScenarioOptions): Record<Sdk5ScenarioName, Sdk5Scenario> {
  const users = baseUsers(options);
  const keys = baseKeys();
  const base = { users, keys };
  const cu = (userId: number, username: string): Sdk5SeedUser => ({
    userId,
    userType: 'CU',
    username,
    password: options.cryptoUserPassword,
  });
  const carol = cu(5, INCONSISTENT_USERS.missingOnHsm1);
  const dave = cu(5, INCONSISTENT_USERS.roleDiffers);
  const heldKey = aesKey(HELD_BACK_KEY, 3, 'app-key-11');
  return {
    consistent: {
      name: 'consistent',
      description: 'SDK 5 base: admin, app_user, alice, bob and 12 keys on each of 3 HSMs',
      nodeCount: 3,
      states: builder('consistent', [base, base, base]),
      faults: {},
    },
    userCreatedWhileHsmFailed: {
      name: 'userCreatedWhileHsmFailed',
      description:
        'crypto user carol was created while HSM 1 failed: on HSMs 0 and 2 only (cluster-coverage inconsistent)',
      nodeCount: 3,
      states: builder('userCreatedWhileHsmFailed', [
        { users: [...users, carol], keys },
        base,
        { users: [...users, carol], keys },
      ]),
      faults: {},
    },
    roleDiffers: {
      name: 'roleDiffers',
      description: 'dave is a crypto user on HSMs 0 and 1 and an admin on HSM 2 (role inconsistent)',
      nodeCount: 3,
      states: builder('roleDiffers', [
        { users: [...users, dave], keys },
        { users: [...users, dave], keys },
        { users: [...users, { ...dave, userType: 'CO' }], keys },
      ]),
      faults: {},
    },
    keyHeldBack: {
      name: 'keyHeldBack',
      description:
        'key 0x10b is on HSMs 0 and 1; key sync holds it back from HSM 2 (key coverage inconsistent)',
      nodeCount: 3,
      states: builder('keyHeldBack', [
        { users, keys: [...keys, heldKey] },
        { users, keys: [...keys, heldKey] },
        base,
      ]),
      faults: { 2: { holdKeySync: true } },
    },
    demo: {
      name: 'demo',
      description:
        'carol created while HSM 1 failed (on HSMs 0 and 2 only); dave a crypto user on HSMs 0 and 1, an admin on HSM 2; key 0x10b held back from HSM 2 by the key sync',
      nodeCount: 3,
      states: builder('demo', [
        { users: [...users, carol, { ...dave, userId: 6 }], keys: [...keys, heldKey] },
        { users: [...users, { ...dave, userId: 6 }], keys: [...keys, heldKey] },
        { users: [...users, carol, { ...dave, userId: 6, userType: 'CO' }], keys },
      ]),
      faults: { 2: { holdKeySync: true } },
    },
    singleHsm: {
      name: 'singleHsm',
      description: 'the SDK 5 base on a one-HSM cluster',
      nodeCount: 1,
      states: builder('singleHsm', [base]),
      faults: {},
    },
  };
}
