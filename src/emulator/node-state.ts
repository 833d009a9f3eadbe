/**
 * The contents of one emulated HSM and the operations on them, persisted as one JSON file
 * per node (written after every change, so a node survives a restart). Passwords are kept
 * as salted scrypt hashes only; key material stays inside the node and leaves it only as a
 * masked blob (see masking.ts).
 */
import { createCipheriv, createHash, randomBytes, scryptSync, timingSafeEqual } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ObjectKind } from '#core/model.ts';
import type { ClusterHsm } from '#drivers/cloudhsm-cli/parse/parse-hsm-info.ts';
import type { HsmUser, UserType } from '#drivers/mgmt-util/listing.ts';
import { USER_TYPES } from '#drivers/mgmt-util/listing.ts';
import { ALREADY_PRESENT_MESSAGES, EmulatedHsmError, HSM_RETURN_CODES } from './hsm-error.ts';
import { maskObject, unmaskObject } from './masking.ts';

/** Consecutive failed logins after which a user is locked (as on the real HSMs). */
export const MAX_LOGIN_FAILURES = 5;

export const NODE_STATE_FORMAT = 'hsm-sentinel-emulated-node/1';

export interface StoredUser {
  userId: number;
  userType: UserType;
  username: string;
  /** `scrypt$<salt base64>$<hash base64>`: never the password. */
  passwordHash: string;
  mofnPubKey: boolean;
  loginFailureCount: number;
  twoFactor: boolean;
  locked: boolean;
  /** SDK 5 MFA entries on this HSM; absent: derived from `twoFactor` (token-sign enabled). */
  mfa?: Sdk5Mfa[];
}

export interface StoredKey {
  handle: number;
  owner: number;
  /** Sorted ascending. */
  sharedWith: number[];
  /** Short digest of the key material: differs between two variants of a divergent key. */
  fingerprint: string;
  /** Key material, base64. */
  material: string;
  /** SDK 5 attributes (absent on SDK 3 seeds: label '', secret-key, aes, 32 bytes). */
  label?: string;
  keyClass?: Sdk5KeyClass;
  keyType?: Sdk5KeyType;
  keyLengthBytes?: number;
  /** SDK 5 check value, computed when the key is generated (as the HSM does); absent: computed on listing. */
  checkValue?: string;
}

/** SDK 5 (cloudhsm-cli) key classes, as the CLI prints them. */
export const SDK5_KEY_CLASSES = ['secret-key', 'public-key', 'private-key'] as const;
export type Sdk5KeyClass = (typeof SDK5_KEY_CLASSES)[number];
/** The key types the emulator models (AES secret keys, EC secp224r1 pairs). */
export const SDK5_KEY_TYPES = ['aes', 'ec'] as const;
export type Sdk5KeyType = (typeof SDK5_KEY_TYPES)[number];

/** One SDK 5 MFA entry as held by one HSM (`inconsistent` is computed by the CLI, never stored). */
export interface Sdk5Mfa {
  strategy: string;
  status: 'enabled' | 'disabled';
}

/**
 * The SDK 5 role of a user type: CO/PCO (and PRECO) are `admin`, CU is `crypto-user`, AU (the
 * appliance user the service uses for key sync) is `internal(APPLIANCE_USER)` as in the doc.
 */
export function sdk5RoleOf(userType: UserType): string {
  if (userType === 'CU') return 'crypto-user';
  if (userType === 'AU') return 'internal(APPLIANCE_USER)';
  return 'admin';
}

/** A user as one HSM reports it to the SDK 5 CLI. */
export interface Sdk5UserView {
  userId: number;
  username: string;
  role: string;
  locked: boolean;
  mfa: Sdk5Mfa[];
}

/** `key list --filter`: the attributes the emulator can select on. */
export interface Sdk5KeyFilter {
  keyReference?: number;
  label?: string;
  keyClass?: string;
  keyType?: string;
}

/** A key as one HSM reports it to the SDK 5 CLI (no material). */
export interface Sdk5KeyView {
  handle: number;
  label: string;
  keyClass: Sdk5KeyClass;
  keyType: Sdk5KeyType;
  keyLengthBytes: number;
  /** `0x` + 3 bytes: AES: the start of E(K, zero block); EC: the start of SHA-1 over the material. */
  checkValue: string;
  /** EC keys: a stand-in for the X9.62 point (`0x04…`, 57 bytes), derived from the material. */
  ecPoint: string | null;
  curve: string | null;
  owner: { userId: number; username: string | null };
  shared: Array<{ userId: number; username: string | null }>;
  /** Content digest: two HSMs hold the same key iff their fingerprints match. */
  fingerprint: string;
}

/** `cluster hsm-info` fields of one HSM (the documented hsm1 strings; serial derived from the node id): the parser's shape. */
export type HsmInfo = ClusterHsm;

/** A key written straight into a node (the cluster harness, the benchmark, service key sync tests). */
export interface NewKey {
  handle: number;
  owner: number;
  sharedWith?: number[];
  label?: string;
  keyClass?: Sdk5KeyClass;
  keyType?: Sdk5KeyType;
  keyLengthBytes?: number;
  /** base64; default: 32 random bytes. */
  material?: string;
}

/** What one node's state file holds. */
export interface NodeStateData {
  format: typeof NODE_STATE_FORMAT;
  nodeId: string;
  partition: string;
  /** The cluster-wide masking key (hex); every node of one emulated cluster holds the same. */
  maskingKey: string;
  users: StoredUser[];
  keys: StoredKey[];
}

/** A user as the node reports it to tests (no password hash). */
export interface SnapshotUser extends HsmUser {
  locked: boolean;
}

/** A key as the node reports it to tests (no material). */
export interface SnapshotKey {
  handle: number;
  owner: number;
  sharedWith: number[];
  fingerprint: string;
  /** SDK 5 label, when the key has one. */
  label?: string;
}

/** Read-only view of one node, for tests and status: no secrets, no key material. */
export interface NodeSnapshot {
  nodeId: string;
  partition: string;
  users: SnapshotUser[];
  keys: SnapshotKey[];
}

/** The user a connection is logged in as. */
export interface SessionUser {
  userId: number;
  userType: UserType;
  username: string;
  /** The type given to loginHSM (a PCO logs in as CO). */
  loginType: UserType;
}

export interface FoundKey {
  handle: number;
  /** The `(s)` marker: for user 0, the key is shared with someone; for a user, shared to (not owned by) them. */
  shared: boolean;
}

export interface FindAllKeysResult {
  keys: FoundKey[];
  /** sha256 hex over the ownership/sharing data of all keys on the node; null unless asked. */
  hash: string | null;
}

export interface KeyInfo {
  handle: number;
  owner: number;
  sharedWith: number[];
}

export interface CreateUserInput {
  userType: UserType;
  username: string;
  password: string;
  /** Id to give the user; default: one above the highest id on this node. */
  userId?: number;
}

export interface InsertedObject {
  kind: ObjectKind;
  id: number;
}

const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{1,31}$/;
const SCRYPT_COST = { N: 1024, r: 8, p: 1 } as const;

/** Salted scrypt hash of a password, in the form kept in state files. */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  const hash = scryptSync(password, salt, 32, SCRYPT_COST);
  return `scrypt$${salt.toString('base64')}$${hash.toString('base64')}`;
}

export function verifyPassword(password: string, stored: string): boolean {
  const [scheme, salt, hash] = stored.split('$');
  if (scheme !== 'scrypt' || salt === undefined || hash === undefined) return false;
  const expected = Buffer.from(hash, 'base64');
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), expected.length, SCRYPT_COST);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

/** Fingerprint of key material: first 16 hex digits of its sha256. */
export function fingerprintOf(materialBase64: string): string {
  return createHash('sha256').update(Buffer.from(materialBase64, 'base64')).digest('hex').slice(0, 16);
}

/** The findAllKeys hash: sha256 over the sorted (handle, owner, sharedWith) of every key. */
export function keyOwnershipHash(keys: readonly StoredKey[]): string {
  const rows = [...keys]
    .sort((a, b) => a.handle - b.handle)
    .map((k) => [k.handle, k.owner, [...k.sharedWith].sort((a, b) => a - b)]);
  return createHash('sha256').update(JSON.stringify(rows)).digest('hex');
}

function isUserType(value: unknown): value is UserType {
  return typeof value === 'string' && (USER_TYPES as readonly string[]).includes(value);
}

/** Whether a user of `actual` type may log in as `requested` (a PCO logs in as CO). */
function loginTypeMatches(requested: UserType, actual: UserType): boolean {
  return requested === actual || (requested === 'CO' && actual === 'PCO');
}

/** The SDK 5 check value of a key (see {@link Sdk5KeyView.checkValue}). */
export function sdk5CheckValue(key: Pick<StoredKey, 'material' | 'keyType' | 'keyLengthBytes'>): string {
  const material = Buffer.from(key.material, 'base64');
  if ((key.keyType ?? 'aes') === 'aes') {
    const length = [16, 24, 32].includes(key.keyLengthBytes ?? 32) ? (key.keyLengthBytes ?? 32) : 32;
    const cipher = createCipheriv(`aes-${length * 8}-ecb`, material.subarray(0, length), null);
    cipher.setAutoPadding(false);
    return `0x${Buffer.concat([cipher.update(Buffer.alloc(16)), cipher.final()])
      .subarray(0, 3)
      .toString('hex')}`;
  }
  return `0x${createHash('sha1').update(material).digest('hex').slice(0, 6)}`;
}

function sdk5KeyClassOf(key: StoredKey): Sdk5KeyClass {
  return key.keyClass ?? 'secret-key';
}

function matchesFilter(key: StoredKey, filter: Sdk5KeyFilter): boolean {
  if (filter.keyReference !== undefined && key.handle !== filter.keyReference) return false;
  if (filter.label !== undefined && (key.label ?? '') !== filter.label) return false;
  if (filter.keyClass !== undefined && sdk5KeyClassOf(key) !== filter.keyClass) return false;
  if (filter.keyType !== undefined && (key.keyType ?? 'aes') !== filter.keyType) return false;
  return true;
}

const HSM_INFO_TEMPLATE: Omit<HsmInfo, 'serialNumber'> = {
  vendor: 'Marvell Semiconductors, Inc.',
  model: 'NITROX-III CNN35XX-NFBE',
  hardwareVersionMajor: '5',
  hardwareVersionMinor: '3',
  firmwareVersionMajor: '2',
  firmwareVersionMinor: '6',
  firmwareBuildNumber: '16',
  firmwareId: 'CNN35XX-NFBE-FW-2.06-16',
  fipsState: '2 [FIPS mode with single factor authentication]',
};

function invalid(detail: string): EmulatedHsmError {
  return new EmulatedHsmError(HSM_RETURN_CODES.invalidInput, detail);
}

function copyData(data: NodeStateData): NodeStateData {
  return structuredClone(data);
}

export class NodeState {
  readonly filePath: string;
  #data: NodeStateData;

  private constructor(filePath: string, data: NodeStateData) {
    this.filePath = filePath;
    this.#data = data;
  }

  /** Loads a node's state file. */
  static load(filePath: string): NodeState {
    const data = JSON.parse(readFileSync(filePath, 'utf8')) as NodeStateData;
    if (data.format !== NODE_STATE_FORMAT) {
      throw invalid(`${filePath} is not an emulated node state file (format ${String(data.format)})`);
    }
    return new NodeState(filePath, data);
  }

  /** Creates (or overwrites) a node's state file with the given contents. */
  static create(filePath: string, data: NodeStateData): NodeState {
    const state = new NodeState(filePath, copyData(data));
    state.#save();
    return state;
  }

  get nodeId(): string {
    return this.#data.nodeId;
  }

  get partition(): string {
    return this.#data.partition;
  }

  get maskingKey(): string {
    return this.#data.maskingKey;
  }

  /** Replaces the whole contents (setState / seed) and persists them. */
  replace(data: NodeStateData): void {
    this.#data = copyData(data);
    this.#save();
  }

  snapshot(): NodeSnapshot {
    return {
      nodeId: this.#data.nodeId,
      partition: this.#data.partition,
      users: [...this.#data.users]
        .sort((a, b) => a.userId - b.userId)
        .map((u) => ({
          userId: u.userId,
          userType: u.userType,
          username: u.username,
          mofnPubKey: u.mofnPubKey,
          loginFailureCount: u.loginFailureCount,
          twoFactor: u.twoFactor,
          locked: u.locked,
        })),
      keys: [...this.#data.keys]
        .sort((a, b) => a.handle - b.handle)
        .map((k) => ({
          handle: k.handle,
          owner: k.owner,
          sharedWith: [...k.sharedWith],
          fingerprint: k.fingerprint,
          ...(k.label === undefined ? {} : { label: k.label }),
        })),
    };
  }

  /**
   * Checks a login. A wrong password counts against the user and locks it at
   * {@link MAX_LOGIN_FAILURES}; `forceFailure` (fault injection) behaves like a wrong password.
   */
  login(
    userType: UserType,
    username: string,
    password: string,
    options: { forceFailure?: boolean } = {},
  ): SessionUser {
    const user = this.#data.users.find(
      (u) => u.username === username && loginTypeMatches(userType, u.userType),
    );
    if (user === undefined) {
      throw new EmulatedHsmError(HSM_RETURN_CODES.loginFailure, 'no such user of that type');
    }
    if (user.locked) {
      throw new EmulatedHsmError(HSM_RETURN_CODES.locked, 'user is locked after too many failed logins');
    }
    if (options.forceFailure === true || !verifyPassword(password, user.passwordHash)) {
      user.loginFailureCount += 1;
      if (user.loginFailureCount >= MAX_LOGIN_FAILURES) user.locked = true;
      this.#save();
      throw new EmulatedHsmError(HSM_RETURN_CODES.loginFailure, 'invalid credentials');
    }
    if (user.loginFailureCount !== 0) {
      user.loginFailureCount = 0;
      this.#save();
    }
    return { userId: user.userId, userType: user.userType, username: user.username, loginType: userType };
  }

  listUsers(): HsmUser[] {
    return this.snapshot().users.map(({ locked: _locked, ...user }) => user);
  }

  findAllKeys(userId: number, withHash: boolean): FindAllKeysResult {
    if (userId !== 0 && !this.#data.users.some((u) => u.userId === userId)) {
      throw new EmulatedHsmError(HSM_RETURN_CODES.userNotFound, `user ${userId} does not exist`);
    }
    const keys = [...this.#data.keys]
      .sort((a, b) => a.handle - b.handle)
      .filter((k) => userId === 0 || k.owner === userId || k.sharedWith.includes(userId))
      .map((k) => ({
        handle: k.handle,
        shared: userId === 0 ? k.sharedWith.length > 0 : k.owner !== userId,
      }));
    return { keys, hash: withHash ? keyOwnershipHash(this.#data.keys) : null };
  }

  getKeyInfo(handle: number): KeyInfo {
    const key = this.#data.keys.find((k) => k.handle === handle);
    if (key === undefined)
      throw new EmulatedHsmError(HSM_RETURN_CODES.keyNotFound, `key ${handle} not found`);
    return { handle: key.handle, owner: key.owner, sharedWith: [...key.sharedWith] };
  }

  createUser(input: CreateUserInput): { userId: number } {
    if (!isUserType(input.userType) || input.userType === 'PRECO') throw invalid('invalid user type');
    if (!USERNAME_PATTERN.test(input.username)) throw invalid('invalid user name');
    if (typeof input.password !== 'string' || input.password.length === 0) throw invalid('invalid password');
    if (this.#data.users.some((u) => u.username === input.username)) {
      throw new EmulatedHsmError(HSM_RETURN_CODES.userAlreadyExists, `user ${input.username} already exists`);
    }
    const userId = input.userId ?? Math.max(0, ...this.#data.users.map((u) => u.userId)) + 1;
    if (!Number.isInteger(userId) || userId < 1) throw invalid('invalid user id');
    if (this.#data.users.some((u) => u.userId === userId)) {
      throw new EmulatedHsmError(HSM_RETURN_CODES.userAlreadyExists, `user id ${userId} already in use`);
    }
    this.#data.users.push({
      userId,
      userType: input.userType,
      username: input.username,
      passwordHash: hashPassword(input.password),
      mofnPubKey: false,
      loginFailureCount: 0,
      twoFactor: false,
      locked: false,
    });
    this.#save();
    return { userId };
  }

  /** Users as the SDK 5 CLI sees them on this HSM (no login needed, like `user list`). */
  sdk5Users(): Sdk5UserView[] {
    return [...this.#data.users]
      .sort((a, b) => a.userId - b.userId)
      .map((u) => ({
        userId: u.userId,
        username: u.username,
        role: sdk5RoleOf(u.userType),
        locked: u.locked,
        mfa: u.mfa ?? (u.twoFactor ? [{ strategy: 'token-sign', status: 'enabled' }] : []),
      }));
  }

  /**
   * Handles of the keys `session` may list, ascending: a crypto user sees the keys it owns or
   * that are shared with it, and every public key; an admin (or the appliance user) sees all.
   */
  sdk5KeyRefs(session: SessionUser, filter: Sdk5KeyFilter = {}): number[] {
    return this.#data.keys
      .filter((k) => this.#visible(session, k) && matchesFilter(k, filter))
      .map((k) => k.handle)
      .sort((a, b) => a - b);
  }

  /** The SDK 5 view of the given keys that `session` may list (others are left out). */
  sdk5KeyDetails(session: SessionUser, handles: readonly number[]): Sdk5KeyView[] {
    const wanted = new Set(handles);
    const names = new Map(this.#data.users.map((u) => [u.userId, u.username]));
    const user = (userId: number) => ({ userId, username: names.get(userId) ?? null });
    return this.#data.keys
      .filter((k) => wanted.has(k.handle) && this.#visible(session, k))
      .sort((a, b) => a.handle - b.handle)
      .map((k) => {
        const keyType = k.keyType ?? 'aes';
        const ec = keyType === 'ec';
        return {
          handle: k.handle,
          label: k.label ?? '',
          keyClass: sdk5KeyClassOf(k),
          keyType,
          keyLengthBytes: k.keyLengthBytes ?? 32,
          checkValue: k.checkValue ?? sdk5CheckValue(k),
          ecPoint: ec
            ? `0x04${createHash('sha512').update(Buffer.from(k.material, 'base64')).digest('hex').slice(0, 112)}`
            : null,
          curve: ec ? 'secp224r1' : null,
          owner: user(k.owner),
          shared: k.sharedWith.map(user),
          fingerprint: k.fingerprint,
        };
      });
  }

  /** What `cluster hsm-info` prints for this HSM. */
  hsmInfo(): HsmInfo {
    const digits = BigInt(`0x${createHash('sha256').update(this.#data.nodeId).digest('hex').slice(0, 12)}`);
    return {
      ...HSM_INFO_TEMPLATE,
      serialNumber: `5.3G1941-ICM${String(digits % 1_000_000n).padStart(6, '0')}`,
    };
  }

  /** Writes a key straight into this node (harness and benchmark; no session involved). */
  createKey(input: NewKey): void {
    if (!Number.isInteger(input.handle) || input.handle < 1) throw invalid('invalid key handle');
    if (this.#data.keys.some((k) => k.handle === input.handle)) {
      throw new EmulatedHsmError(HSM_RETURN_CODES.objectAlreadyExists, ALREADY_PRESENT_MESSAGES.key);
    }
    const material = input.material ?? randomBytes(32).toString('base64');
    const key: StoredKey = {
      handle: input.handle,
      owner: input.owner,
      sharedWith: [...(input.sharedWith ?? [])].sort((a, b) => a - b),
      fingerprint: fingerprintOf(material),
      material,
      ...(input.label === undefined ? {} : { label: input.label }),
      ...(input.keyClass === undefined ? {} : { keyClass: input.keyClass }),
      ...(input.keyType === undefined ? {} : { keyType: input.keyType }),
      ...(input.keyLengthBytes === undefined ? {} : { keyLengthBytes: input.keyLengthBytes }),
    };
    key.checkValue = sdk5CheckValue(key);
    this.#data.keys.push(key);
    this.#save();
  }

  /**
   * Removes one object, as an HSM that was replaced or self-healed without it (the cluster
   * harness and the soak; no session). False when the node does not hold it.
   */
  forget(kind: ObjectKind, id: number): boolean {
    const before = kind === 'user' ? this.#data.users.length : this.#data.keys.length;
    if (kind === 'user') this.#data.users = this.#data.users.filter((u) => u.userId !== id);
    else this.#data.keys = this.#data.keys.filter((k) => k.handle !== id);
    const removed = (kind === 'user' ? this.#data.users.length : this.#data.keys.length) < before;
    if (removed) this.#save();
    return removed;
  }

  #visible(session: SessionUser, key: StoredKey): boolean {
    if (session.userType !== 'CU') return true;
    return (
      key.owner === session.userId ||
      key.sharedWith.includes(session.userId) ||
      sdk5KeyClassOf(key) === 'public-key'
    );
  }

  /** The object as a blob only another node of this cluster can open. */
  extractMasked(kind: ObjectKind, id: number): string {
    if (kind === 'user') {
      const user = this.#data.users.find((u) => u.userId === id);
      if (user === undefined)
        throw new EmulatedHsmError(HSM_RETURN_CODES.userNotFound, `user ${id} not found`);
      const { loginFailureCount: _count, locked: _locked, ...record } = user;
      return maskObject(this.#data.maskingKey, 'user', record);
    }
    const key = this.#data.keys.find((k) => k.handle === id);
    if (key === undefined) throw new EmulatedHsmError(HSM_RETURN_CODES.keyNotFound, `key ${id} not found`);
    const { fingerprint: _fingerprint, ...record } = key;
    return maskObject(this.#data.maskingKey, 'key', record);
  }

  /** Inserts a masked object; refuses (with the documented text) one that is already here. */
  insertMasked(blob: string): InsertedObject {
    const { kind, payload } = unmaskObject(this.#data.maskingKey, blob);
    if (kind === 'user') {
      const user = payload as Omit<StoredUser, 'loginFailureCount' | 'locked'>;
      if (!Number.isInteger(user.userId) || !isUserType(user.userType) || typeof user.username !== 'string') {
        throw new EmulatedHsmError(HSM_RETURN_CODES.invalidMaskedObject, 'masked user record is malformed');
      }
      if (this.#data.users.some((u) => u.userId === user.userId || u.username === user.username)) {
        throw new EmulatedHsmError(HSM_RETURN_CODES.objectAlreadyExists, ALREADY_PRESENT_MESSAGES.user);
      }
      this.#data.users.push({ ...user, loginFailureCount: 0, locked: false });
      this.#save();
      return { kind, id: user.userId };
    }
    const key = payload as Omit<StoredKey, 'fingerprint'>;
    if (!Number.isInteger(key.handle) || !Number.isInteger(key.owner) || typeof key.material !== 'string') {
      throw new EmulatedHsmError(HSM_RETURN_CODES.invalidMaskedObject, 'masked key record is malformed');
    }
    if (this.#data.keys.some((k) => k.handle === key.handle)) {
      throw new EmulatedHsmError(HSM_RETURN_CODES.objectAlreadyExists, ALREADY_PRESENT_MESSAGES.key);
    }
    this.#data.keys.push({ ...key, fingerprint: fingerprintOf(key.material) });
    this.#save();
    return { kind, id: key.handle };
  }

  #save(): void {
    mkdirSync(dirname(this.filePath), { recursive: true });
    const tmp = `${this.filePath}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(this.#data, null, 2)}\n`, { mode: 0o600 });
    renameSync(tmp, this.filePath);
  }
}
