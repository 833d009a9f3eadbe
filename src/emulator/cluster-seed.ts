/**
 * A scenario to load into an emulated cluster: per node, which users and keys it holds. Turned
 * into node state files by {@link buildNodeStates}: passwords are hashed there (a seed user
 * without a password gets a random one nobody knows), key material is derived from the handle
 * and a variant letter, so the same key on two nodes has the same fingerprint and two variants
 * of one handle (a divergent key) do not.
 */
import { createHash, randomBytes } from 'node:crypto';
import { InvalidInputError } from '#core/errors.ts';
import type { Secret } from '#core/secret.ts';
import type { UserType } from '#drivers/mgmt-util/listing.ts';
import { fingerprintOf, hashPassword, NODE_STATE_FORMAT, type NodeStateData } from './node-state.ts';

export interface SeedUser {
  userId: number;
  userType: UserType;
  username: string;
  /** Absent: a random password nobody knows. */
  password?: Secret;
  mofnPubKey?: boolean;
  twoFactor?: boolean;
  loginFailureCount?: number;
  locked?: boolean;
}

export interface SeedKey {
  handle: number;
  owner: number;
  sharedWith?: number[];
  /** Material variant (default 'A'); a different variant gives a different fingerprint. */
  variant?: string;
}

export interface NodeSeed {
  users: SeedUser[];
  keys: SeedKey[];
}

export interface ClusterSeed {
  name: string;
  description: string;
  /** One entry per node, in node order. */
  nodes: NodeSeed[];
}

/** Deterministic key material for a (seed, handle, variant): base64 of 32 bytes. */
export function seedKeyMaterial(seedName: string, handle: number, variant: string): string {
  return createHash('sha256')
    .update(`hsm-sentinel-emulator:${seedName}:${handle}:${variant}`)
    .digest('base64');
}

/** The state file contents of every node of a seeded cluster. */
export function buildNodeStates(
  seed: ClusterSeed,
  nodeIds: readonly string[],
  maskingKey: string,
): NodeStateData[] {
  if (seed.nodes.length !== nodeIds.length) {
    throw new InvalidInputError(
      `emulator seed '${seed.name}' describes ${seed.nodes.length} nodes but the cluster has ${nodeIds.length}`,
    );
  }
  const unknownPasswords = new Map<string, string>();
  return seed.nodes.map((node, index) => ({
    format: NODE_STATE_FORMAT,
    nodeId: nodeIds[index] ?? `node-${index}`,
    partition: nodeIds[index] ?? `node-${index}`,
    maskingKey,
    users: node.users.map((user) => {
      const identity = `${user.userId}:${user.username}`;
      let password = user.password?.reveal();
      if (password === undefined) {
        password = unknownPasswords.get(identity) ?? randomBytes(18).toString('base64url');
        unknownPasswords.set(identity, password);
      }
      const loginFailureCount = user.loginFailureCount ?? 0;
      return {
        userId: user.userId,
        userType: user.userType,
        username: user.username,
        passwordHash: hashPassword(password),
        mofnPubKey: user.mofnPubKey ?? false,
        loginFailureCount,
        twoFactor: user.twoFactor ?? false,
        locked: user.locked ?? false,
      };
    }),
    keys: node.keys.map((key) => {
      const material = seedKeyMaterial(seed.name, key.handle, key.variant ?? 'A');
      return {
        handle: key.handle,
        owner: key.owner,
        sharedWith: [...(key.sharedWith ?? [])].sort((a, b) => a - b),
        fingerprint: fingerprintOf(material),
        material,
      };
    }),
  }));
}
