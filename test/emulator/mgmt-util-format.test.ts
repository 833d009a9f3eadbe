import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '#core/errors.ts';
import type { HsmUser } from '#drivers/mgmt-util/listing.ts';
import { parseMgmtUtilConfig, renderMgmtUtilConfig } from '#emulator/mgmt-util/config.ts';
import { infoServerTable, keyInfoBlock, keysBlock, usersBlock } from '#emulator/mgmt-util/format.ts';
import { transcript } from '../support/fixtures.ts';

const fixture = (name: string) => transcript(name).split('\n');

describe('mgmt-util output formats', () => {
  it('prints listUsers byte-for-byte like the AWS user guide example', () => {
    // Arrange: the transcript's server 0 section
    const transcript = fixture('aws-listUsers.txt');
    const users: HsmUser[] = [
      {
        userId: 1,
        userType: 'PCO',
        username: 'admin',
        mofnPubKey: true,
        loginFailureCount: 0,
        twoFactor: false,
      },
      {
        userId: 2,
        userType: 'AU',
        username: 'app_user',
        mofnPubKey: false,
        loginFailureCount: 0,
        twoFactor: false,
      },
      {
        userId: 3,
        userType: 'CU',
        username: 'crypto_user1',
        mofnPubKey: false,
        loginFailureCount: 0,
        twoFactor: false,
      },
      {
        userId: 4,
        userType: 'CU',
        username: 'crypto_user2',
        mofnPubKey: false,
        loginFailureCount: 0,
        twoFactor: false,
      },
      {
        userId: 5,
        userType: 'CO',
        username: 'officer1',
        mofnPubKey: true,
        loginFailureCount: 0,
        twoFactor: false,
      },
      {
        userId: 6,
        userType: 'CO',
        username: 'officer2',
        mofnPubKey: false,
        loginFailureCount: 0,
        twoFactor: false,
      },
    ];
    // Act
    const lines = usersBlock('server 0(10.0.0.1)', users);
    // Assert
    expect(lines).toEqual(transcript.slice(1, 11));
  });

  it('prints findAllKeys in the documented shape, with and without a hash, and for zero keys', () => {
    const transcript = fixture('aws-findAllKeys.txt');
    expect(
      keysBlock('server 0(10.0.0.1)', {
        keys: [8, 9, 17, 262162, 19, 31].map((handle) => ({
          handle,
          shared: [8, 9, 262162].includes(handle),
        })),
        hash: null,
      }),
    ).toEqual(transcript.slice(1, 6));
    expect(keysBlock('server 1(h)', { keys: [{ handle: 7, shared: false }], hash: 'ab12' })).toEqual([
      'Keys on server 1(h):',
      'Number of keys found 1',
      'number of keys matched from start index 0::1',
      '7',
      'Key Hash:',
      'ab12',
      'findAllKeys success on server 1(h)',
    ]);
    expect(keysBlock('server 2(h)', { keys: [], hash: null })).toEqual([
      'Keys on server 2(h):',
      'Number of keys found 0',
      'number of keys matched from start index 0::0',
      'findAllKeys success on server 2(h)',
    ]);
  });

  it('prints getKeyInfo and info server as documented', () => {
    expect(keyInfoBlock('server 0(10.0.0.1)', { owner: 3, sharedWith: [4, 6] })).toEqual([
      'Key Info on server 0(10.0.0.1):',
      '        Token/Flash Key,',
      '        Owned by user 3',
      '        also, shared to following 2 user(s):',
      '                 4',
      '                 6',
    ]);
    expect(
      infoServerTable({
        index: 0,
        name: '10.0.0.1',
        hostname: '10.0.0.1',
        port: 2225,
        connected: true,
        partition: 'hsm-udw0tkfg1ab',
        loggedInAs: 'testuser(CU)',
      }),
    ).toEqual([
      'Id      Name        Hostname    Port   State       Partition         LoginState',
      "0       10.0.0.1    10.0.0.1    2225   Connected   hsm-udw0tkfg1ab   Logged in as 'testuser(CU)'",
    ]);
  });
});

describe('mgmt-util config files', () => {
  const nodes = [
    { nodeId: 'a', address: '10.0.2.9', port: 2225, state: 'ACTIVE' as const },
    { nodeId: 'b', address: '10.0.3.11', port: 40001, state: 'ACTIVE' as const },
  ];

  it('reads the AWS layout, including the vendor "yes"/"no" enable strings', () => {
    const servers = parseMgmtUtilConfig('aws', renderMgmtUtilConfig('aws', nodes));
    expect(servers).toEqual([
      { index: 0, name: '10.0.2.9', hostname: '10.0.2.9', port: 2225, enabled: true },
      { index: 1, name: '10.0.3.11', hostname: '10.0.3.11', port: 40001, enabled: true },
    ]);
    const disabled = parseMgmtUtilConfig(
      'aws',
      JSON.stringify({ servers: [{ hostname: 'h', enable: 'no' }] }),
    );
    expect(disabled[0]).toMatchObject({ name: 'h', port: 2225, enabled: false });
  });

  it('reads the Azure layout: hostname only, port 2225 unless the emulator extension gives one', () => {
    const text = renderMgmtUtilConfig('azure', nodes);
    expect(JSON.parse(text)).toEqual({
      servers: [{ hostname: '10.0.2.9' }, { hostname: '10.0.3.11', port: 40001 }],
    });
    expect(parseMgmtUtilConfig('azure', text).map((s) => [s.name, s.port])).toEqual([
      ['server 0', 2225],
      ['server 1', 40001],
    ]);
  });

  it('names the file and the problem in errors', () => {
    expect(() => parseMgmtUtilConfig('aws', '{', 'x.cfg')).toThrow(ConfigurationError);
    expect(() => parseMgmtUtilConfig('azure', '{"servers":[{}]}', 'y.cfg')).toThrow(
      'y.cfg: servers[0] has no hostname',
    );
  });
});
