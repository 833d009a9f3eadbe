import { describe, expect, it } from '@jest/globals';
import { ParseError } from '#core/errors.ts';
import { AWS_PROFILE, AZURE_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import { parseListUsers, parseListUsersSections } from '#drivers/mgmt-util/parse/parse-list-users.ts';
import { parseErrorOf } from '../../../support/core/errors.ts';
import { firstRawCharacter } from '../../../support/core/raw-characters.ts';
import { transcript } from '../../../support/fixtures.ts';
import { withoutEcho } from '../../../support/mgmt-util/parse-support.ts';

const DOC = withoutEcho(transcript('aws-listUsers.txt'));

const u = (userId: number, userType: string, username: string, mofnPubKey: boolean) => ({
  userId,
  userType,
  username,
  mofnPubKey,
  loginFailureCount: 0,
  twoFactor: false,
});

const SERVER1_USERS = [
  u(1, 'PCO', 'admin', true),
  u(2, 'AU', 'app_user', false),
  u(3, 'CU', 'crypto_user1', false),
  u(4, 'CU', 'crypto_user2', false),
  u(5, 'CO', 'officer1', true),
];

describe('parseListUsers', () => {
  it('reads the documented out-of-sync example into the exact JSON contract', () => {
    const parsed = parseListUsers(DOC, AWS_PROFILE);

    expect(JSON.parse(JSON.stringify(parsed))).toEqual({
      command: 'listUsers',
      servers: [
        {
          server: 0,
          address: '10.0.0.1',
          count: 6,
          users: [...SERVER1_USERS, u(6, 'CO', 'officer2', false)],
        },
        { server: 1, address: '10.0.0.2', count: 5, users: SERVER1_USERS },
      ],
    });
    expect(
      JSON.stringify(parsed).startsWith(
        '{"command":"listUsers","servers":[{"server":0,"address":"10.0.0.1","count":6,"users":[{"userId":1,"userType":"PCO","username":"admin","mofnPubKey":true,"loginFailureCount":0,"twoFactor":false}',
      ),
    ).toBe(true);
  });

  it('accepts other column widths, extra blank lines, CRLF and the Azure banner', () => {
    const squeezed = DOC.replace(/ {2,}/g, ' ').replace(/\n\n/g, '\n\n\n   \n');
    const crlf = `Liquidsec MGMT Util Version : 3.4.0\n\n${squeezed}`.replace(/\n/g, '\r\n');

    expect(parseListUsers(crlf, AZURE_PROFILE)).toEqual(parseListUsers(DOC, AWS_PROFILE));
  });

  it('throws naming the command and line when the reply is cut mid-table', () => {
    const cut = DOC.split('\n').slice(0, 17).join('\n').concat('\n'); // server 1: 3 of 5 rows

    const error = parseErrorOf(() => parseListUsers(cut, AWS_PROFILE));

    expect(error.command).toBe('listUsers');
    expect(error.line).toBe(18);
    expect(error.message).toMatch(/^listUsers: line 18: .*3 of 5 user rows/);
  });

  it('throws on a count that disagrees with the rows, even when the next section follows', () => {
    const lines = DOC.split('\n');
    lines.splice(9, 1); // drop officer2 (line 10): "found:6" but 5 rows, then server 1's header

    const error = parseErrorOf(() => parseListUsers(lines.join('\n'), AWS_PROFILE));

    expect(error.line).toBe(10);
    expect(error.message).toMatch(/5 of 6/);
  });

  it('throws on an unknown line and on a line cut in the middle', () => {
    const unknown = DOC.replace(
      '         3              CU',
      'WARNING: table truncated\n         3              CU',
    );
    const midLine = DOC.slice(0, DOC.lastIndexOf('YES') + 1);

    expect(parseErrorOf(() => parseListUsers(unknown, AWS_PROFILE)).line).toBe(7);
    expect(parseErrorOf(() => parseListUsers(midLine, AWS_PROFILE)).message).toMatch(/not terminated/);
    expect(parseErrorOf(() => parseListUsers(`garbage\n${DOC}`, AWS_PROFILE)).line).toBe(1);
  });

  it('rejects more rows than the count and duplicate user ids', () => {
    const extra = DOC.replace('Number of users found:5', 'Number of users found:4');
    const dup = DOC.replace('         2              AU', '         1              AU');

    expect(parseErrorOf(() => parseListUsers(extra, AWS_PROFILE)).message).toMatch(/more user rows/);
    expect(parseErrorOf(() => parseListUsers(dup, AWS_PROFILE)).message).toMatch(/user id 1 listed twice/);
  });

  it('keeps a server that reports a failure as a per-server error, without hiding the others', () => {
    const text = `${DOC}listUsers failed: RET_SERVER_DISCONNECTED on server 2(10.0.0.3)\nServer 3(10.0.0.4) is not connected\n`;

    const parsed = parseListUsers(text, AWS_PROFILE);

    expect(parsed.servers.slice(2)).toEqual([
      {
        server: 2,
        address: '10.0.0.3',
        error: 'listUsers failed: RET_SERVER_DISCONNECTED on server 2(10.0.0.3)',
      },
      { server: 3, address: '10.0.0.4', error: 'not connected' },
    ]);
  });

  it('reports a cut section as a parse error of that server only (section reading)', () => {
    const cut = DOC.split('\n').slice(0, 17).join('\n').concat('\n');

    const outcomes = parseListUsersSections(cut, AWS_PROFILE);

    expect(outcomes.map((o) => [o.server, o.kind])).toEqual([
      [0, 'ok'],
      [1, 'parse-error'],
    ]);
  });

  it('reads zero users with or without the table header', () => {
    const bare = 'Users on server 0(10.0.0.1):\nNumber of users found:0\n';
    const withHeader = `${bare}\n    User Id  User Type  User Name  MofnPubKey  LoginFailureCnt  2FA\n`;

    expect(parseListUsers(bare, AWS_PROFILE).servers).toEqual([
      { server: 0, address: '10.0.0.1', count: 0, users: [] },
    ]);
    expect(parseListUsers(withHeader, AWS_PROFILE)).toEqual(parseListUsers(bare, AWS_PROFILE));
  });

  it('flags a server that appears twice', () => {
    const text = `${DOC}${DOC.split('\n').slice(10).join('\n')}`;

    expect(parseErrorOf(() => parseListUsers(text, AWS_PROFILE)).message).toMatch(/server 1 appears twice/);
  });
});

describe('parseListUsers: user names', () => {
  /** The documented table with user 6 (officer2, server 0, line 10) renamed. */
  const withName = (name: string): string => DOC.replace('officer2          ', `${name} `);

  it.each([
    ['ESC (an ANSI colour sequence)', '\u001b[31madmin'],
    ['NUL', 'ad\u0000min'],
    ['DEL', 'ad\u007fmin'],
    ['a C1 control (NEL)', 'ad\u0085min'],
    ['U+FFFD (invalid UTF-8, decoded)', 'ad\ufffdmin'],
    ['a bidi override (U+202E)', 'ad\u202emin'],
    ['a bidi isolate (U+2066)', '\u2066admin'],
    ['a zero-width joiner', 'ad\u200dmin'],
    ['a zero-width space', 'ad\u200bmin'],
    ['a byte-order mark', '\ufeffadmin'],
    ['a line separator (U+2028)', 'ad\u2028min'],
    ['a letter outside the documented set', 'josé'],
    ['shell punctuation', 'a;b'],
    ['32 characters (documented maximum: 31)', 'a'.repeat(32)],
    ['1 MB of letters', 'a'.repeat(1_000_000)],
  ])('refuses a row whose name contains %s: the server is unreadable, not shorter', (_, name) => {
    const text = withName(name);

    const error = parseErrorOf(() => parseListUsers(text, AWS_PROFILE));
    const outcomes = parseListUsersSections(text, AWS_PROFILE);

    expect(error.line).toBe(10);
    expect(error.message).toMatch(/user name/);
    expect(firstRawCharacter(error.message)).toBeNull();
    expect(outcomes.map((o) => [o.server, o.kind])).toEqual([
      [0, 'parse-error'],
      [1, 'ok'],
    ]);
  });

  it('refuses a name that smuggles a line break and a command: no extra row, nothing accepted', () => {
    const text = withName('evil\nsyncUser 3 1');

    expect(() => parseListUsers(text, AWS_PROFILE)).toThrow(ParseError);
    expect(parseListUsersSections(text, AWS_PROFILE)[0]?.kind).toBe('parse-error');
  });

  it('refuses a name that hides the rest of its row behind an Azure banner line', () => {
    // The banner pattern takes any text after its colon: inside a table it is not a banner.
    const text = `Liquidsec MGMT Util Version : 3.4.0\n${withName('officer2 NO 0 NO\nLiquidsec MGMT Util Version :')}`;

    expect(() => parseListUsers(text, AZURE_PROFILE)).toThrow(ParseError);
  });

  it('accepts the documented names, 31 characters, and the . - @ the emulator and earlier readings allow', () => {
    for (const name of ['crypto_user1', 'a'.repeat(31), 'ops.team-1', 'alice@example', 'Z']) {
      const parsed = parseListUsers(withName(name), AWS_PROFILE).servers[0] as {
        users: { username: string }[];
      };

      expect(parsed.users[5]?.username).toBe(name);
    }
  });
});
