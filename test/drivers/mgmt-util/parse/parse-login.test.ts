import { describe, expect, it } from '@jest/globals';
import { AWS_PROFILE, AZURE_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import { parseEnableE2e, parseLogin, parseLogout } from '#drivers/mgmt-util/parse/parse-login.ts';
import { parseErrorOf } from '../../../support/core/errors.ts';
import { transcript } from '../../../support/fixtures.ts';

/** The documented start-up + e2e + login + logout transcript, cut into the replies of each command. */
function replies(): Record<string, string> {
  const lines = transcript('aws-startup-login.txt').split('\n');
  const result: Record<string, string> = {};
  let current = 'startup';
  for (const line of lines) {
    const m = /^aws-cloudhsm>\s*(\S+)/.exec(line);
    if (m) {
      current = m[1] as string;
      result[current] = '';
    } else {
      result[current] = `${result[current] ?? ''}${line}\n`;
    }
  }
  return result;
}

describe('parseLogin', () => {
  it('reads the documented cluster-mode login into the exact JSON contract', () => {
    expect(JSON.stringify(parseLogin(replies().loginHSM as string, AWS_PROFILE))).toBe(
      '{"command":"loginHSM","servers":[{"server":0,"address":"10.0.2.9","ok":true},{"server":1,"address":"10.0.3.11","ok":true},{"server":2,"address":"10.0.1.12","ok":true}]}',
    );
  });

  it('reads the Azure runbook lines, which carry no address', () => {
    expect(parseLogin(transcript('azure-loginHSM.txt'), AZURE_PROFILE).servers).toEqual([
      { server: 0, address: null, ok: true },
      { server: 1, address: null, ok: true },
      { server: 2, address: null, ok: true },
    ]);
  });

  it('classifies failure codes: wrong password and locked are credentials rejections, others are not', () => {
    const text = [
      'loginHSM success on server 0(10.0.2.9)',
      'loginHSM failed: RET_USER_LOGIN_FAILURE on server 1(10.0.3.11)',
      'loginHSM failed: RET_USER_LOCKED on server 2(10.0.1.12)',
      'loginHSM failed: RET_SERVER_BUSY try later on server 3(10.0.1.13)',
      'Server 4(10.0.1.14) is not connected',
      '',
    ].join('\n');

    const servers = parseLogin(text, AWS_PROFILE).servers;

    expect(servers.map((s) => (s.ok ? 'ok' : `${s.code}:${s.credentialsRejected}`))).toEqual([
      'ok',
      'RET_USER_LOGIN_FAILURE:true',
      'RET_USER_LOCKED:true',
      'RET_SERVER_BUSY:false',
      'NOT_CONNECTED:false',
    ]);
  });

  it('throws on an unknown line and on a server reported twice', () => {
    const unknown = 'loginHSM success on server 0(10.0.2.9)\nPassword expired\n';
    const twice = 'loginHSM success on server 0(10.0.2.9)\nloginHSM success on server 0(10.0.2.9)\n';

    const error = parseErrorOf(() => parseLogin(unknown, AWS_PROFILE));
    expect([error.command, error.line]).toEqual(['loginHSM', 2]);
    expect(parseErrorOf(() => parseLogin(twice, AWS_PROFILE)).message).toMatch(/appears twice/);
  });
});

describe('parseEnableE2e and parseLogout', () => {
  it('read the documented replies', () => {
    const r = replies();

    expect(parseEnableE2e(r.enable_e2e as string, AWS_PROFILE).map((s) => [s.server, s.ok])).toEqual([
      [0, true],
      [1, true],
      [2, true],
    ]);
    expect(parseLogout(r.logoutHSM as string, AWS_PROFILE)).toHaveLength(3);
  });
});
