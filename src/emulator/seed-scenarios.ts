/**
 * The three seed scenarios of the project, as cluster seeds for 3 nodes. The admin password
 * always comes from the caller; the state files only ever hold its salted hash.
 */
import type { Secret } from '#core/secret.ts';
import type { ClusterSeed, SeedKey, SeedUser } from './cluster-seed.ts';

export const SEED_SCENARIO_NAMES = ['aws', 'azure', 'divergent', 'demo'] as const;
export type SeedScenarioName = (typeof SEED_SCENARIO_NAMES)[number];

export interface SeedScenarioOptions {
  /** Password of the PCO `admin` on every node. */
  adminPassword: Secret;
}

/** Handle of the Azure seed's key that only node 0 holds. */
export const AZURE_SINGLE_NODE_KEY = 262150;
/** Handle of the divergent key (different owner and material on nodes 0 and 1, absent from node 2). */
export const DIVERGENT_KEY = 262170;

/**
 * The seed scenarios:
 * - `aws`: PCO `admin` (1), CU `example_user` (2) on all nodes; CU `newest_user` (3) created while
 *   node 1 was missing from the mgmt-util config, so it is on nodes 0 and 2 only; keys 7 and 8
 *   (owner 2) on all nodes.
 * - `azure`: PCO `admin` (1), CU `example_user` (2) on all nodes; keys 262146 and 262147 on all
 *   nodes; key 262150 on node 0 only (single-node: lost if node 0 dies).
 * - `divergent`: PCO `admin` (1), CUs `alice` (2) and `bob` (3) on all nodes; key 262146 (owner 2,
 *   shared with 3) on all nodes; key 262170 on node 0 owned by alice (variant A) and on node 1 owned
 *   by bob (variant B, another fingerprint), absent from node 2: a planner must not copy either
 *   variant to node 2 (divergent beats missing).
 * - `demo`: the three together in one cluster (what `npm start` runs).
 */
export function seedScenarios(options: SeedScenarioOptions): Record<SeedScenarioName, ClusterSeed> {
  const admin: SeedUser = {
    userId: 1,
    userType: 'PCO',
    username: 'admin',
    password: options.adminPassword,
    mofnPubKey: false,
  };
  const cu = (userId: number, username: string): SeedUser => ({ userId, userType: 'CU', username });
  const key = (handle: number, owner: number, extra: Partial<SeedKey> = {}): SeedKey => ({
    handle,
    owner,
    ...extra,
  });

  const awsUsers = [admin, cu(2, 'example_user')];
  const awsKeys = [key(7, 2), key(8, 2)];
  const aws: ClusterSeed = {
    name: 'aws',
    description:
      'AWS seed: CU newest_user was created while node 1 was missing from cloudhsm_mgmt_util.cfg, so it exists on nodes 0 and 2 only',
    nodes: [
      { users: [...awsUsers, cu(3, 'newest_user')], keys: awsKeys },
      { users: awsUsers, keys: awsKeys },
      { users: [...awsUsers, cu(3, 'newest_user')], keys: awsKeys },
    ],
  };

  const azureUsers = [admin, cu(2, 'example_user')];
  const azureKeys = [key(262146, 2), key(262147, 2)];
  const azure: ClusterSeed = {
    name: 'azure',
    description: `Azure seed: key ${AZURE_SINGLE_NODE_KEY} exists on node 0 only (single-node); the other keys are on every node`,
    nodes: [
      { users: azureUsers, keys: [...azureKeys, key(AZURE_SINGLE_NODE_KEY, 2)] },
      { users: azureUsers, keys: azureKeys },
      { users: azureUsers, keys: azureKeys },
    ],
  };

  const divergentUsers = [admin, cu(2, 'alice'), cu(3, 'bob')];
  const sharedKey = key(262146, 2, { sharedWith: [3] });
  const divergent: ClusterSeed = {
    name: 'divergent',
    description: `Divergent key: handle ${DIVERGENT_KEY} is owned by alice on node 0 and by bob (other material) on node 1, absent from node 2`,
    nodes: [
      { users: divergentUsers, keys: [sharedKey, key(DIVERGENT_KEY, 2, { variant: 'A' })] },
      { users: divergentUsers, keys: [sharedKey, key(DIVERGENT_KEY, 3, { variant: 'B' })] },
      { users: divergentUsers, keys: [sharedKey] },
    ],
  };

  // The embedded default: the three scenarios in one cluster (user ids and handles kept apart).
  const demoUsers = [admin, cu(2, 'example_user'), cu(4, 'alice'), cu(5, 'bob')];
  const newest = cu(3, 'newest_user');
  const demoKeys = [key(7, 2), key(8, 2), key(262146, 4, { sharedWith: [5] }), key(262147, 2)];
  const demo: ClusterSeed = {
    name: 'demo',
    description: `the AWS, Azure and divergent-key seed scenarios in one 3-node cluster: newest_user on nodes 0 and 2 only, key ${AZURE_SINGLE_NODE_KEY} on node 0 only, key ${DIVERGENT_KEY} owned by alice on node 0 and by bob on node 1`,
    nodes: [
      {
        users: [...demoUsers, newest],
        keys: [...demoKeys, key(AZURE_SINGLE_NODE_KEY, 2), key(DIVERGENT_KEY, 4, { variant: 'A' })],
      },
      { users: demoUsers, keys: [...demoKeys, key(DIVERGENT_KEY, 5, { variant: 'B' })] },
      { users: [...demoUsers, newest], keys: demoKeys },
    ],
  };

  return { aws, azure, divergent, demo };
}
