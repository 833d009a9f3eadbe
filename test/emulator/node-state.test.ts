import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from '@jest/globals';
import { Secret } from '#core/secret.ts';
import { buildNodeStates, type ClusterSeed } from '#emulator/cluster-seed.ts';
import { ALREADY_PRESENT_MESSAGES, type EmulatedHsmError, HSM_RETURN_CODES } from '#emulator/hsm-error.ts';
import { newMaskingKey } from '#emulator/masking.ts';
import {
  hashPassword,
  keyOwnershipHash,
  MAX_LOGIN_FAILURES,
  NodeState,
  verifyPassword,
} from '#emulator/node-state.ts';
import { tempDir } from '../support/emulator/temp-dir.ts';

const dir = tempDir('node-state');
afterAll(() => dir.remove());

const PASSWORD = 'correct-horse-9';

function seed(): ClusterSeed {
  const admin = { userId: 1, userType: 'PCO' as const, username: 'admin', password: new Secret(PASSWORD) };
  return {
    name: 'unit',
    description: 'two nodes',
    nodes: [
      {
        users: [admin, { userId: 2, userType: 'CU', username: 'alice' }],
        keys: [
          { handle: 8, owner: 2, sharedWith: [3] },
          { handle: 17, owner: 3 },
          { handle: 31, owner: 2 },
        ],
      },
      { users: [admin], keys: [] },
    ],
  };
}

function twoNodes(name: string, maskingKey = newMaskingKey()): [NodeState, NodeState] {
  const [a, b] = buildNodeStates(seed(), ['n0', 'n1'], maskingKey);
  return [
    NodeState.create(join(dir.path, `${name}-0.json`), a as NonNullable<typeof a>),
    NodeState.create(join(dir.path, `${name}-1.json`), b as NonNullable<typeof b>),
  ];
}

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
    return undefined;
  } catch (error) {
    return (error as EmulatedHsmError).code;
  }
}

describe('NodeState', () => {
  it('keeps only a salted hash of each password', () => {
    // Arrange
    const [node] = twoNodes('hash');
    // Act
    const text = readFileSync(node.filePath, 'utf8');
    // Assert
    expect(text).not.toContain(PASSWORD);
    expect(text).toMatch(/"passwordHash": "scrypt\$/);
    const h1 = hashPassword(PASSWORD);
    expect(h1).not.toBe(hashPassword(PASSWORD));
    expect(verifyPassword(PASSWORD, h1)).toBe(true);
    expect(verifyPassword('wrong', h1)).toBe(false);
  });

  it('counts failed logins, locks the user at the fifth, then answers RET_USER_LOCKED even to the right password', () => {
    const [node] = twoNodes('lockout');
    for (let i = 1; i <= MAX_LOGIN_FAILURES; i++) {
      expect(codeOf(() => node.login('CO', 'admin', 'wrong'))).toBe(HSM_RETURN_CODES.loginFailure);
      expect(node.snapshot().users[0]?.loginFailureCount).toBe(i);
    }
    expect(node.snapshot().users[0]?.locked).toBe(true);
    expect(codeOf(() => node.login('CO', 'admin', PASSWORD))).toBe(HSM_RETURN_CODES.locked);
    expect(NodeState.load(node.filePath).snapshot().users[0]?.locked).toBe(true);
  });

  it('resets the failure count on a successful login and lets a PCO log in as CO', () => {
    const [node] = twoNodes('reset');
    expect(codeOf(() => node.login('CO', 'admin', 'wrong'))).toBe(HSM_RETURN_CODES.loginFailure);
    const session = node.login('CO', 'admin', PASSWORD);
    expect(session).toEqual({ userId: 1, userType: 'PCO', username: 'admin', loginType: 'CO' });
    expect(node.snapshot().users[0]?.loginFailureCount).toBe(0);
  });

  it('lists all keys for user 0 and owned/shared keys for one user, with (s) markers', () => {
    const [node] = twoNodes('keys');
    expect(node.findAllKeys(0, false)).toEqual({
      keys: [
        { handle: 8, shared: true },
        { handle: 17, shared: false },
        { handle: 31, shared: false },
      ],
      hash: null,
    });
    expect(node.findAllKeys(2, false).keys).toEqual([
      { handle: 8, shared: false },
      { handle: 31, shared: false },
    ]);
    expect(codeOf(() => node.findAllKeys(9, false))).toBe(HSM_RETURN_CODES.userNotFound);
  });

  it('hashes the ownership and sharing data of all keys, whatever user is asked for', () => {
    const [node] = twoNodes('keyhash');
    const hash = node.findAllKeys(0, true).hash;
    expect(hash).toMatch(/^[0-9a-f]{64}$/);
    expect(node.findAllKeys(2, true).hash).toBe(hash);
    expect(
      keyOwnershipHash([
        { handle: 8, owner: 2, sharedWith: [3], fingerprint: '', material: '' },
        { handle: 17, owner: 4, sharedWith: [], fingerprint: '', material: '' },
        { handle: 31, owner: 2, sharedWith: [], fingerprint: '', material: '' },
      ]),
    ).not.toBe(hash);
  });

  it('moves a user and a key as masked blobs that hold no clear text, keeping ids and fingerprints', () => {
    const [source, dest] = twoNodes('mask');
    const userBlob = source.extractMasked('user', 2);
    const keyBlob = source.extractMasked('key', 8);
    const material = readFileSync(source.filePath, 'utf8').match(/"material": "([^"]+)"/)?.[1] ?? 'missing';
    for (const blob of [userBlob, keyBlob]) {
      expect(blob).not.toContain('alice');
      expect(blob).not.toContain('scrypt');
      expect(blob).not.toContain(material);
      expect(Buffer.from(blob.split('.')[4] ?? '', 'base64').toString('latin1')).not.toContain('alice');
    }
    expect(dest.insertMasked(userBlob)).toEqual({ kind: 'user', id: 2 });
    expect(dest.insertMasked(keyBlob)).toEqual({ kind: 'key', id: 8 });
    expect(dest.snapshot().users.map((u) => u.username)).toEqual(['admin', 'alice']);
    expect(dest.snapshot().keys).toEqual(source.snapshot().keys.filter((k) => k.handle === 8));
  });

  it('refuses an object already present with the documented texts', () => {
    const [source, dest] = twoNodes('already');
    dest.insertMasked(source.extractMasked('key', 8));
    const attempts = [
      () => dest.insertMasked(source.extractMasked('user', 1)),
      () => dest.insertMasked(source.extractMasked('key', 8)),
    ];
    const errors = attempts.map((fn) => {
      try {
        fn();
        return null;
      } catch (error) {
        return error as EmulatedHsmError;
      }
    });
    expect(errors.map((e) => e?.detail)).toEqual([
      ALREADY_PRESENT_MESSAGES.user,
      ALREADY_PRESENT_MESSAGES.key,
    ]);
    expect(errors.map((e) => e?.code)).toEqual([
      HSM_RETURN_CODES.objectAlreadyExists,
      HSM_RETURN_CODES.objectAlreadyExists,
    ]);
  });

  it('refuses a blob masked under another cluster key', () => {
    const [source] = twoNodes('cluster-a');
    const [, foreign] = twoNodes('cluster-b');
    expect(codeOf(() => foreign.insertMasked(source.extractMasked('user', 2)))).toBe(
      HSM_RETURN_CODES.invalidMaskedObject,
    );
  });

  it('persists every change and reloads it', () => {
    const [node] = twoNodes('persist');
    node.createUser({ userType: 'CU', username: 'carol', password: 'pw-carol-1' });
    const reloaded = NodeState.load(node.filePath);
    expect(reloaded.snapshot()).toEqual(node.snapshot());
    expect(reloaded.login('CU', 'carol', 'pw-carol-1').userId).toBe(3);
    expect(codeOf(() => reloaded.createUser({ userType: 'CU', username: 'carol', password: 'x' }))).toBe(
      HSM_RETURN_CODES.userAlreadyExists,
    );
  });
});
