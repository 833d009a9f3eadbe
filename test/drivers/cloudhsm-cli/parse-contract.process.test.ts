/**
 * `hsm-sentinel parse <command> --tool cloudhsm-cli` (the contract) on the documented
 * outputs (test/fixtures/transcripts/cloudhsm-cli, copied from the AWS user guide), run as a
 * user runs it: a process, the reply on stdin.
 */
import { describe, expect, it } from '@jest/globals';
import { runCli } from '../../support/cli/run-cli.ts';
import { DOCUMENTED_USER_LIST_CONTRACT } from '../../support/cloudhsm-cli/documented-contracts.ts';
import { transcript } from '../../support/fixtures.ts';

const parse = (command: string, stdin: string) =>
  runCli(['parse', command, '--tool', 'cloudhsm-cli'], { stdin });

describe('hsm-sentinel parse … --tool cloudhsm-cli', () => {
  it('user-list: the documented reply (echoed command line first) to exactly the contract', async () => {
    const [plain, quorum] = await Promise.all([
      parse('user-list', transcript('cloudhsm-cli/user-list.txt')),
      parse('user-list', transcript('cloudhsm-cli/user-list-quorum.txt')),
    ]);

    expect(plain.code).toBe(0);
    expect(JSON.parse(plain.stdout)).toEqual(DOCUMENTED_USER_LIST_CONTRACT);
    // The newer output's "quorum" is not part of the contract.
    expect(JSON.parse(quorum.stdout).users[1]).toEqual({
      username: 'example-inconsistent-user',
      role: 'admin',
      locked: 'false',
      mfa: [],
      clusterCoverage: 'inconsistent',
    });
  });

  it('key-list: the documented verbose page to exactly the contract, next_token kept', async () => {
    const result = await parse('key-list', transcript('cloudhsm-cli/key-list-verbose-max-items-2.txt'));

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      command: 'key list',
      keys: [
        {
          keyReference: '0x0000000000000030',
          label: '98a6688d1d964ed7b45b9cec5c4b1909',
          checkValue: '0xb28a46',
          clusterCoverage: 'full',
          owners: [{ username: 'cu1', coverage: 'full' }],
          sharedUsers: [],
        },
        {
          keyReference: '0x0000000000000042',
          label: '4ad6cdcbc02044e09fa954143efde233',
          checkValue: '0xc98104',
          clusterCoverage: 'full',
          owners: [{ username: 'cu1', coverage: 'full' }],
          sharedUsers: [],
        },
      ],
      totalKeyCount: 1580,
      returnedKeyCount: 2,
      nextToken: '2',
    });
  });

  it.each([
    ['key-list', 'key-list.txt', /^hsm-sentinel parse: ParseError: key list: /],
    ['key-list', 'key-list-verbose.txt', /^hsm-sentinel parse: ParseError: key list: /],
    [
      'user-list',
      'user-replicate-failed-connections.txt',
      /^hsm-sentinel parse: CloudHsmCliCommandError: cloudhsm-cli user list failed \(error_code 1\): User replicate failed on 1 of 3 connections$/,
    ],
  ])(
    '%s of %s (elided by the docs, or an error envelope): exit 1, one line naming the command',
    async (command, file, line) => {
      const result = await parse(command, transcript(`cloudhsm-cli/${file}`));

      expect(result.code).toBe(1);
      expect(result.stdout).toBe('');
      expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
      expect(result.stderr.trimEnd()).toMatch(line);
    },
  );

  it('a reply cut short is an error naming the command, never a shorter list', async () => {
    const text = transcript('cloudhsm-cli/user-list.txt');
    const result = await parse('user-list', text.slice(0, text.indexOf('test_user')));

    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/^hsm-sentinel parse: ParseError: user list: .*ends early/);
  });
});
