import { describe, expect, it } from '@jest/globals';
import { AWS_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import { parseFindAllKeysSections } from '#drivers/mgmt-util/parse/parse-find-all-keys.ts';
import { parseListUsersSections } from '#drivers/mgmt-util/parse/parse-list-users.ts';
import { checkSection, serverMismatch } from '#drivers/mgmt-util/parse/sections.ts';
import { transcript } from '../../../support/fixtures.ts';
import { withoutEcho } from '../../../support/mgmt-util/parse-support.ts';

const USERS = withoutEcho(transcript('aws-listUsers.txt'));
const KEYS = withoutEcho(transcript('aws-findAllKeys.txt'));

describe('sections: where each outcome came from', () => {
  it('carries the server reference as printed, its line and the command', () => {
    const text = `${KEYS}\nfindAllKeys failed: RET_USER_NOT_LOGGED_IN on server 2(10.0.0.3)\nServer 3(10.0.0.4) is not connected\n`;

    const outcomes = parseFindAllKeysSections(text, AWS_PROFILE);

    expect(outcomes.map((o) => [o.kind, o.server, o.address, o.printed, o.line, o.command])).toEqual([
      ['ok', 0, '10.0.0.1', 'server 0(10.0.0.1)', 1, 'findAllKeys'],
      ['ok', 1, '10.0.0.2', 'server 1(10.0.0.2)', 7, 'findAllKeys'],
      ['failure', 2, '10.0.0.3', 'server 2(10.0.0.3)', 13, 'findAllKeys'],
      ['failure', 3, '10.0.0.4', 'Server 3(10.0.0.4)', 14, 'findAllKeys'],
    ]);
  });
});

describe('checkSection', () => {
  const [server0, server1] = parseListUsersSections(USERS, AWS_PROFILE);

  it('returns the outcome itself when server number and printed address are the configured ones', () => {
    expect(server0 && checkSection(server0, { server: 0, address: '10.0.0.1' })).toBe(server0);
    expect(server1 && checkSection(server1, { server: 1, address: '10.0.0.2' })).toBe(server1);
  });

  it('refuses a section whose address is not the configured address of that server', () => {
    const checked = server0 && checkSection(server0, { server: 0, address: '10.0.2.9' });

    expect(checked?.kind).toBe('parse-error');
    expect(checked?.kind === 'parse-error' && checked.error.message).toBe(
      'listUsers: line 1: the section of server 0(10.0.0.1) names address 10.0.0.1, but server 0 of the config written for this run is 10.0.2.9',
    );
    expect(checked?.server).toBe(0);
  });

  it('refuses a section of another server number', () => {
    const checked = server1 && checkSection(server1, { server: 0, address: '10.0.0.2' });

    expect(checked?.kind === 'parse-error' && checked.error.message).toBe(
      'listUsers: line 11: the section of server 1(10.0.0.2) names server 1, not server 0',
    );
  });

  it('checks a section without an address by its number, and host names without case', () => {
    const [bare] = parseListUsersSections('Users on server 0:\nNumber of users found:0\n', AWS_PROFILE);
    const [named] = parseListUsersSections(
      'Users on server 0(HSM1.Cluster.privatelink.cloudhsm.azure.net):\nNumber of users found:0\n',
      AWS_PROFILE,
    );

    expect(bare && checkSection(bare, { server: 0, address: '10.0.2.9' })).toBe(bare);
    expect(bare && checkSection(bare, { server: 1, address: '10.0.2.9' }).kind).toBe('parse-error');
    expect(
      named && checkSection(named, { server: 0, address: 'hsm1.cluster.privatelink.cloudhsm.azure.net' }),
    ).toBe(named);
  });

  it('refuses a util-reported failure attributed to another address (Verify must not blame the wrong node)', () => {
    const [failure] = parseFindAllKeysSections(
      'findAllKeys failed: RET_USER_NOT_LOGGED_IN on server 0(10.9.9.9)\n',
      AWS_PROFILE,
    );

    expect(failure?.kind).toBe('failure');
    expect(failure && checkSection(failure, { server: 0, address: '10.0.0.1' }).kind).toBe('parse-error');
  });

  it('names a hostile printed address without a raw character', () => {
    const [hostile] = parseListUsersSections(
      'Users on server 0(10.0.0.1\u001b[2J\u202e):\nNumber of users found:0\n',
      AWS_PROFILE,
    );

    const checked = hostile && checkSection(hostile, { server: 0, address: '10.0.0.1' });

    expect(checked?.kind === 'parse-error' && checked.error.message).toBe(
      'listUsers: line 1: the section of server 0(10.0.0.1\\u001b[2J\\u202e) names address 10.0.0.1\\u001b[2J\\u202e, but server 0 of the config written for this run is 10.0.0.1',
    );
    expect(serverMismatch({ server: 0, address: null }, { server: 0, address: 'x' })).toBeNull();
  });
});
