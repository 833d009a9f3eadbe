import { describe, expect, it } from '@jest/globals';
import { mergeKeys, mergeUsers } from '#emulator/cloudhsm-cli/coverage.ts';
import type { Sdk5KeyView, Sdk5UserView } from '#emulator/node-state.ts';

const user = (username: string, extra: Partial<Sdk5UserView> = {}): Sdk5UserView => ({
  userId: 1,
  username,
  role: 'crypto-user',
  locked: false,
  mfa: [],
  ...extra,
});

const key = (handle: number, extra: Partial<Sdk5KeyView> = {}): Sdk5KeyView => ({
  handle,
  label: `k${handle}`,
  keyClass: 'secret-key',
  keyType: 'aes',
  keyLengthBytes: 32,
  checkValue: '0x000000',
  ecPoint: null,
  curve: null,
  owner: { userId: 3, username: 'alice' },
  shared: [],
  fingerprint: 'f1',
  ...extra,
});

const on = (...keys: Sdk5KeyView[]) => new Map(keys.map((k) => [k.handle, k]));

describe('mergeUsers', () => {
  it('gives full coverage to users on every HSM and inconsistent to the others, by case-insensitive name', () => {
    const merged = mergeUsers([
      [user('admin'), user('Carol')],
      [user('ADMIN')],
      [user('admin'), user('carol')],
    ]);
    expect(merged.map((u) => [u.username, u['cluster-coverage']])).toEqual([
      ['admin', 'full'],
      ['carol', 'inconsistent'],
    ]);
  });

  it('marks role, locked and MFA status inconsistent where the HSMs holding the user disagree', () => {
    const token = (status: 'enabled' | 'disabled') => [{ strategy: 'token-sign', status }];
    const [dave] = mergeUsers([
      [user('dave', { role: 'admin', locked: true, mfa: token('enabled') })],
      [user('dave', { locked: false, mfa: token('enabled') })],
    ]);
    expect(dave).toEqual({
      username: 'dave',
      role: 'inconsistent',
      locked: 'inconsistent',
      mfa: [{ strategy: 'token-sign', status: 'enabled' }],
      quorum: [],
      'cluster-coverage': 'full',
    });
    const [erin] = mergeUsers([[user('erin', { mfa: token('enabled') })], [user('erin')]]);
    expect(erin?.mfa).toEqual([{ strategy: 'token-sign', status: 'inconsistent' }]);
  });
});

describe('mergeKeys', () => {
  it('is full when every HSM holds the same key with the same owner and shared users', () => {
    const k = key(1, { shared: [{ userId: 4, username: 'bob' }] });
    const [merged] = mergeKeys([1], [on(k), on(k), on(k)]);
    expect(merged).toMatchObject({
      clusterCoverage: 'full',
      owners: [{ username: 'alice', coverage: 'full' }],
      sharedUsers: [{ username: 'bob', coverage: 'full' }],
      holders: 3,
    });
  });

  it('is inconsistent for a key missing on an HSM, another content, another owner or a missing share', () => {
    const [missing] = mergeKeys([1], [on(key(1)), on(), on(key(1))]);
    expect(missing).toMatchObject({
      clusterCoverage: 'inconsistent',
      owners: [{ coverage: 'inconsistent' }],
      holders: 2,
    });

    const [divergent] = mergeKeys([1], [on(key(1)), on(key(1, { fingerprint: 'f2' }))]);
    expect(divergent?.clusterCoverage).toBe('inconsistent');
    expect(divergent?.owners).toEqual([{ username: 'alice', coverage: 'full' }]);

    const [owners] = mergeKeys([1], [on(key(1)), on(key(1, { owner: { userId: 4, username: 'bob' } }))]);
    expect(owners?.owners).toEqual([
      { username: 'alice', coverage: 'inconsistent' },
      { username: 'bob', coverage: 'inconsistent' },
    ]);

    const shared = key(1, { shared: [{ userId: 4, username: 'bob' }] });
    const [share] = mergeKeys([1], [on(shared), on(key(1))]);
    expect(share?.sharedUsers).toEqual([{ username: 'bob', coverage: 'inconsistent' }]);
  });

  it('names an owner the holding HSM does not know from another HSM, keeps the order asked, skips unknown keys', () => {
    const orphan = key(2, { owner: { userId: 9, username: null } });
    const merged = mergeKeys([2, 1, 7], [on(key(1), orphan)], [new Map(), new Map([[9, 'Zed']])]);
    expect(merged.map((k) => [k.key.handle, k.owners[0]?.username])).toEqual([
      [2, 'zed'],
      [1, 'alice'],
    ]);
    expect(mergeKeys([2], [on(orphan)])[0]?.owners[0]?.username).toBe('unknown-user-9');
  });
});
