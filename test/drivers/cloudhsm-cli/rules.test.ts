import { describe, expect, it } from '@jest/globals';
import { audit } from '#core/audit.ts';
import type { ReadInventory } from '#core/model.ts';
import { canonicalKeyReference, parseUserRef } from '#drivers/cloudhsm-cli/listing.ts';
import { CLOUDHSM_CLI_RULES, keyObject, userObject } from '#drivers/cloudhsm-cli/rules.ts';
import {
  cliKey,
  cliListing,
  cliUser,
  onEveryNode,
  sdk5Cluster,
} from '../../support/cloudhsm-cli/listing-builders.ts';

describe('cloudhsm-cli rules', () => {
  it('identifies a user by its lowercase username, refers to it by role and name, and keeps role, locked and MFA as content', () => {
    const object = userObject(
      cliUser('Alice', 'crypto-user', { mfa: [{ strategy: 'token-sign', status: 'enabled' }] }),
    );

    expect(object).toEqual({
      kind: 'user',
      id: 'user:alice',
      label: 'crypto-user alice',
      content: JSON.stringify({ role: 'crypto-user', locked: 'false', mfa: ['token-sign:enabled'] }),
      ref: 'crypto-user/alice',
      slot: null,
    });
    expect(parseUserRef(object.ref)).toEqual({ role: 'crypto-user', username: 'alice' });
  });

  it('marks a user with inconsistent coverage uncertain, and one whose role, locked or MFA status reads inconsistent as a conflict', () => {
    expect(userObject(cliUser('carol', 'crypto-user', { clusterCoverage: 'inconsistent' }))).toMatchObject({
      uncertain: true,
    });
    expect(userObject(cliUser('dave', 'inconsistent'))).toMatchObject({
      label: 'user dave (role inconsistent)',
      conflict: expect.stringMatching(/^role reads inconsistent/),
    });
    expect(userObject(cliUser('erin', 'admin', { locked: 'inconsistent' })).conflict).toMatch(
      /locked reads inconsistent/,
    );
    expect(
      userObject(cliUser('finn', 'admin', { mfa: [{ strategy: 'token-sign', status: 'inconsistent' }] }))
        .conflict,
    ).toBe('MFA token-sign status reads inconsistent');
    // Locked on every HSM is not a difference between HSMs (the driver notes it instead).
    expect(userObject(cliUser('gail', 'crypto-user', { locked: 'true' })).conflict).toBeUndefined();
  });

  it('identifies a key by its reference, whatever the padding, and keeps label, check value and users as content', () => {
    const object = keyObject(
      cliKey('0x000000000000010B', 'alice', { sharedUsers: [{ username: 'bob', coverage: 'full' }] }),
    );

    expect(canonicalKeyReference('0x0000000000000000')).toBe('0x0');
    expect(object).toMatchObject({ kind: 'key', id: 'key:0x10b', ref: '0x000000000000010B', slot: null });
    expect(object.label).toBe('key 0x10b label-0x000000000000010B');
    expect(JSON.parse(object.content ?? '')).toEqual({
      label: 'label-0x000000000000010B',
      checkValue: '0x2a737d',
      owners: ['alice:full'],
      sharedUsers: ['bob:full'],
    });
  });

  it('marks a key with inconsistent coverage uncertain; full coverage with a user whose key-coverage differs, two owners, or two listings that disagree, a conflict', () => {
    expect(keyObject(cliKey('0x1', 'alice', { clusterCoverage: 'inconsistent' }))).toMatchObject({
      uncertain: true,
    });
    expect(
      keyObject(cliKey('0x2', 'alice', { sharedUsers: [{ username: 'bob', coverage: 'inconsistent' }] }))
        .conflict,
    ).toMatch(/shared user bob's key-coverage reads inconsistent/);
    expect(
      keyObject(
        cliKey('0x3', 'alice', {
          clusterCoverage: 'inconsistent',
          owners: [
            { username: 'alice', coverage: 'inconsistent' },
            { username: 'bob', coverage: 'inconsistent' },
          ],
        }),
      ).conflict,
    ).toMatch(/2 owners \(alice, bob\)/);
    expect(
      keyObject(cliKey('0x4', 'alice', { listedDifferently: true, listedBy: ['alice', 'bob'] })).conflict,
    ).toMatch(/listed differently to alice and bob/);
  });

  it("gives every node the same objects, so the audit reads the tool's own signals: uncertain on every node, divergent on a conflict", () => {
    const c = sdk5Cluster(3);
    const listing = cliListing(
      [
        cliUser('admin', 'admin'),
        cliUser('carol', 'crypto-user', { clusterCoverage: 'inconsistent' }),
        cliUser('dave', 'inconsistent'),
      ],
      [cliKey('0x101'), cliKey('0x10b', 'alice', { clusterCoverage: 'inconsistent' })],
    );

    const result = audit(c, onEveryNode(c, listing), CLOUDHSM_CLI_RULES);

    const byId = Object.fromEntries(result.objects.map((f) => [f.objectId, f]));
    expect(byId['user:admin']?.status).toBe('consistent');
    expect(byId['user:carol']).toMatchObject({
      status: 'missing',
      presentOn: [],
      missingOn: [],
      uncertainOn: ['hsm-0', 'hsm-1', 'hsm-2'],
    });
    expect(byId['user:dave']?.status).toBe('divergent');
    expect(byId['key:0x10b']).toMatchObject({ status: 'missing', uncertainOn: ['hsm-0', 'hsm-1', 'hsm-2'] });
    expect(result.matrix.rows.find((r) => r.objectId === 'key:0x10b')?.cells).toEqual([
      'uncertain',
      'uncertain',
      'uncertain',
    ]);
  });

  it('refuses a listing it did not make', () => {
    const c = sdk5Cluster(1);
    const [inventory] = onEveryNode(c, cliListing([])) as ReadInventory[];
    expect(() =>
      CLOUDHSM_CLI_RULES.objectsOf({
        ...(inventory as ReadInventory),
        listing: { users: [], keys: [], keyDetails: true },
      }),
    ).toThrow(/does not hold a cloudhsm-cli listing/);
  });
});
