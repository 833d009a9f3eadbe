/**
 * Builds SDK 5 node state directly (users with SDK 5 roles and MFA, keys with labels, classes
 * and types), for the scenarios and the benchmark. Passwords are hashed once per user and the
 * hash reused on every node that holds the user; key material is derived from a name, so the
 * same key on two nodes has the same content, and two halves of one key pair share material
 * (hence the same check value, as in the documented EC pair).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Secret } from '#core/secret.ts';
import type { UserType } from '#drivers/mgmt-util/listing.ts';
import {
  fingerprintOf,
  hashPassword,
  NODE_STATE_FORMAT,
  type NodeStateData,
  type Sdk5KeyClass,
  type Sdk5KeyType,
  type Sdk5Mfa,
  type StoredKey,
  type StoredUser,
  sdk5CheckValue,
} from '../node-state.ts';

export interface Sdk5SeedUser {
  userId: number;
  userType: UserType;
  /** Lowercase (SDK 5 names are case-insensitive and shown lowercase). */
  username: string;
  /** Absent: a random password nobody knows. */
  password?: Secret;
  locked?: boolean;
  mfa?: Sdk5Mfa[];
}

export interface Sdk5SeedKey {
  handle: number;
  /** Owner user id. */
  owner: number;
  sharedWith?: number[];
  label: string;
  keyClass: Sdk5KeyClass;
  keyType: Sdk5KeyType;
  keyLengthBytes: number;
  /** Names the material: keys with the same name have the same content. Default: the handle. */
  materialName?: string;
}

/** Deterministic key material (base64 of 32 bytes) for a scenario and a material name. */
export function sdk5KeyMaterial(scenario: string, name: string): string {
  return createHash('sha256').update(`hsm-sentinel-emulator:sdk5:${scenario}:${name}`).digest('base64');
}

/** An AES-256 secret key (the documented `key-length-bytes` 32). */
export function aesKey(handle: number, owner: number, label: string, sharedWith: number[] = []): Sdk5SeedKey {
  return { handle, owner, sharedWith, label, keyClass: 'secret-key', keyType: 'aes', keyLengthBytes: 32 };
}

/** An EC secp224r1 pair, as in the documented example (private 122 bytes, public 57, one check value). */
export function ecPair(
  privateHandle: number,
  publicHandle: number,
  owner: number,
  label: string,
): Sdk5SeedKey[] {
  const materialName = `ec-pair-${privateHandle}`;
  return [
    {
      handle: privateHandle,
      owner,
      label: `${label}-private`,
      keyClass: 'private-key',
      keyType: 'ec',
      keyLengthBytes: 122,
      materialName,
    },
    {
      handle: publicHandle,
      owner,
      label: `${label}-public`,
      keyClass: 'public-key',
      keyType: 'ec',
      keyLengthBytes: 57,
      materialName,
    },
  ];
}

/** Hashes each user's password once (same user → same hash on every node). */
export class PasswordHashes {
  readonly #hashes = new Map<string, string>();

  of(user: Sdk5SeedUser): string {
    const id = `${user.userId}:${user.username}:${user.userType}`;
    let hash = this.#hashes.get(id);
    if (hash === undefined) {
      hash = hashPassword(user.password?.reveal() ?? randomBytes(18).toString('base64url'));
      this.#hashes.set(id, hash);
    }
    return hash;
  }
}

export function storedUser(user: Sdk5SeedUser, hashes: PasswordHashes): StoredUser {
  return {
    userId: user.userId,
    userType: user.userType,
    username: user.username,
    passwordHash: hashes.of(user),
    mofnPubKey: false,
    loginFailureCount: user.locked === true ? 5 : 0,
    twoFactor: false,
    locked: user.locked ?? false,
    mfa: user.mfa ?? [],
  };
}

export function storedKey(scenario: string, key: Sdk5SeedKey): StoredKey {
  const material = sdk5KeyMaterial(scenario, key.materialName ?? String(key.handle));
  return {
    handle: key.handle,
    owner: key.owner,
    sharedWith: [...(key.sharedWith ?? [])].sort((a, b) => a - b),
    fingerprint: fingerprintOf(material),
    material,
    label: key.label,
    keyClass: key.keyClass,
    keyType: key.keyType,
    keyLengthBytes: key.keyLengthBytes,
    checkValue: sdk5CheckValue({ material, keyType: key.keyType, keyLengthBytes: key.keyLengthBytes }),
  };
}

/** One node's state file contents. */
export function sdk5NodeState(
  nodeId: string,
  maskingKey: string,
  users: readonly StoredUser[],
  keys: readonly StoredKey[],
): NodeStateData {
  return {
    format: NODE_STATE_FORMAT,
    nodeId,
    partition: nodeId,
    maskingKey,
    users: [...users],
    keys: [...keys],
  };
}
