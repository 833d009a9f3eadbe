import { describe, expect, it } from '@jest/globals';
import { parseUserList } from '#drivers/cloudhsm-cli/parse/parse-user-list.ts';
import { envelope } from '../../support/cloudhsm-cli/replies.ts';
import { parseErrorOf } from '../../support/core/errors.ts';

const admin = {
  username: 'admin',
  role: 'admin',
  locked: 'false',
  mfa: [],
  'cluster-coverage': 'full',
};
const reply = (...users: unknown[]) => envelope({ users });
const errorFor = (user: unknown) => parseErrorOf(() => parseUserList(reply(user))).message;

describe('parseUserList', () => {
  it('keeps the tool strings, reads MFA and quorum entries, ignores unknown fields', () => {
    const parsed = parseUserList(
      reply(
        { ...admin, extra: { anything: [1, 2] } },
        {
          username: 'carol',
          role: 'inconsistent',
          locked: 'inconsistent',
          mfa: [{ strategy: 'token-sign', status: 'disabled' }],
          quorum: [{ strategy: 'token-sign', status: 'enabled' }],
          'cluster-coverage': 'inconsistent',
        },
      ),
    );
    expect(parsed.users).toEqual([
      { username: 'admin', role: 'admin', locked: 'false', mfa: [], clusterCoverage: 'full' },
      {
        username: 'carol',
        role: 'inconsistent',
        locked: 'inconsistent',
        mfa: [{ strategy: 'token-sign', status: 'disabled' }],
        clusterCoverage: 'inconsistent',
        quorum: [{ strategy: 'token-sign', status: 'enabled' }],
      },
    ]);
  });

  it('refuses an unknown cluster-coverage, locked or MFA status value', () => {
    expect(errorFor({ ...admin, 'cluster-coverage': 'partial' })).toBe(
      'user list: line 0: data.users[0].cluster-coverage: expected "full" or "inconsistent", got the string "partial"',
    );
    expect(errorFor({ ...admin, locked: 'maybe' })).toBe(
      'user list: line 0: data.users[0].locked: expected "true" or "false" or "inconsistent", got the string "maybe"',
    );
    expect(errorFor({ ...admin, locked: false })).toBe(
      'user list: line 0: data.users[0].locked: expected "true" or "false" or "inconsistent", got boolean false',
    );
    expect(errorFor({ ...admin, mfa: [{ strategy: 'token-sign', status: 'on' }] })).toBe(
      'user list: line 0: data.users[0].mfa[0].status: expected "enabled" or "disabled" or "inconsistent", got the string "on"',
    );
  });

  it('refuses a missing or wrongly typed field', () => {
    const { role: _role, ...noRole } = admin;
    expect(errorFor(noRole)).toBe('user list: line 0: data.users[0].role: missing');
    expect(errorFor({ ...admin, mfa: 'none' })).toBe(
      'user list: line 0: data.users[0].mfa: expected an array, got the string "none"',
    );
    expect(errorFor({ ...admin, quorum: {} })).toBe(
      'user list: line 0: data.users[0].quorum: expected an array, got an object',
    );
    expect(errorFor('admin')).toBe(
      'user list: line 0: data.users[0]: expected an object, got the string "admin"',
    );
    expect(parseErrorOf(() => parseUserList(envelope({ users: null }))).message).toBe(
      'user list: line 0: data.users: expected an array, got null',
    );
    expect(parseErrorOf(() => parseUserList(envelope({}))).message).toBe(
      'user list: line 0: data.users: missing',
    );
  });

  it('refuses usernames that are not SDK 5 names: control characters, spaces, too long', () => {
    expect(errorFor({ ...admin, username: 'ad\u001b[31mmin' })).toBe(
      'user list: line 0: data.users[0].username: "ad\\u001b[31mmin" holds a control or non-printable character',
    );
    expect(errorFor({ ...admin, username: 'evil\u202egnp' })).toContain('\\u{202e}');
    expect(errorFor({ ...admin, username: 'two words' })).toContain('is not a username');
    expect(errorFor({ ...admin, username: 'a'.repeat(32) })).toBe(
      'user list: line 0: data.users[0].username: 32 characters, more than the 31 allowed',
    );
    expect(errorFor({ ...admin, username: '' })).toContain('is not a username');
    expect(errorFor({ ...admin, role: 'crypto user' })).toContain('data.users[0].role');
  });

  it('refuses the same user twice, case-insensitively', () => {
    expect(parseErrorOf(() => parseUserList(reply(admin, { ...admin, username: 'ADMIN' }))).message).toBe(
      'user list: line 0: data.users[1].username: "admin" is listed twice',
    );
  });
});
