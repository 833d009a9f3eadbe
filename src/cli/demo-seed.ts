/**
 * The embedded default's cluster: the three seed documents' scenarios in one 3-node cluster.
 * (a) AWS seed: CU newest_user created while node 1 was missing from the mgmt-util config:
 *     on nodes 0 and 2, not on node 1 (and the operator config still lacks node 1);
 * (b) Azure seed: key 262150 on node 0 only (single-node, at risk);
 * (c) Luna "fingerprint conflict": key 262170 owned by alice on node 0 and by bob on node 1
 *     (different material), absent from node 2: divergent, for a human.
 */
import type { Secret } from '#core/secret.ts';
import type { ClusterSeed, SeedKey, SeedUser } from '#emulator/cluster-seed.ts';

export const DEMO_SINGLE_NODE_KEY = 262150;
export const DEMO_DIVERGENT_KEY = 262170;
export const DEMO_MISSING_USER = 'newest_user';

export function demoSeed(adminPassword: Secret): ClusterSeed {
  const admin: SeedUser = { userId: 1, userType: 'PCO', username: 'admin', password: adminPassword };
  const cu = (userId: number, username: string): SeedUser => ({ userId, userType: 'CU', username });
  const key = (handle: number, owner: number, extra: Partial<SeedKey> = {}): SeedKey => ({
    handle,
    owner,
    ...extra,
  });

  const everyone = [admin, cu(2, 'example_user'), cu(4, 'alice'), cu(5, 'bob')];
  const newest = cu(3, DEMO_MISSING_USER);
  const common = [key(7, 2), key(8, 2), key(262146, 4, { sharedWith: [5] }), key(262147, 2)];
  return {
    name: 'demo',
    description: 'the AWS, Azure and divergent-key seed scenarios in one 3-node cluster',
    nodes: [
      {
        users: [...everyone, newest],
        keys: [...common, key(DEMO_SINGLE_NODE_KEY, 2), key(DEMO_DIVERGENT_KEY, 4, { variant: 'A' })],
      },
      { users: everyone, keys: [...common, key(DEMO_DIVERGENT_KEY, 5, { variant: 'B' })] },
      { users: [...everyone, newest], keys: common },
    ],
  };
}
