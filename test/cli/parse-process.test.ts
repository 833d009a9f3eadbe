import { describe, expect, it } from '@jest/globals';
import { runCli } from '../support/cli/run-cli.ts';
import { transcript } from '../support/fixtures.ts';

const fixture = async (name: string) => transcript(name);

describe('hsm-sentinel parse (as a process: the contract other tools rely on)', () => {
  it('turns the documented listUsers transcript into the contract JSON', async () => {
    const result = await runCli(['parse', 'listUsers'], { stdin: await fixture('aws-listUsers.txt') });

    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.command).toBe('listUsers');
    expect(
      parsed.servers.map((s: { server: number; address: string; count: number }) => [
        s.server,
        s.address,
        s.count,
      ]),
    ).toEqual([
      [0, '10.0.0.1', 6],
      [1, '10.0.0.2', 5],
    ]);
    expect(parsed.servers[0].users[0]).toEqual({
      userId: 1,
      userType: 'PCO',
      username: 'admin',
      mofnPubKey: true,
      loginFailureCount: 0,
      twoFactor: false,
    });
    expect(parsed.servers[0].users[5]).toMatchObject({
      userId: 6,
      userType: 'CO',
      username: 'officer2',
      mofnPubKey: false,
    });
  });

  it('turns the documented findAllKeys transcript into the contract JSON', async () => {
    const result = await runCli(['parse', 'findAllKeys'], { stdin: await fixture('aws-findAllKeys.txt') });

    expect(result.code).toBe(0);
    const parsed = JSON.parse(result.stdout);
    expect(parsed.servers[0]).toEqual({
      server: 0,
      address: '10.0.0.1',
      count: 6,
      keys: [
        { handle: 8, shared: true },
        { handle: 9, shared: true },
        { handle: 17, shared: false },
        { handle: 262162, shared: true },
        { handle: 19, shared: false },
        { handle: 31, shared: false },
      ],
      keyHash: null,
    });
  });

  it('turns the documented loginHSM lines into the contract JSON', async () => {
    const transcript = (await fixture('aws-startup-login.txt'))
      .split('aws-cloudhsm>loginHSM')[1]
      ?.split('aws-cloudhsm>')[0];
    const result = await runCli(['parse', 'loginHSM'], { stdin: `aws-cloudhsm>loginHSM${transcript}` });

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      command: 'loginHSM',
      servers: [
        { server: 0, address: '10.0.2.9', ok: true },
        { server: 1, address: '10.0.3.11', ok: true },
        { server: 2, address: '10.0.1.12', ok: true },
      ],
    });
  });

  it('exits 1 with a one-line error naming the line when the transcript is cut mid-table', async () => {
    const lines = (await fixture('aws-listUsers.txt')).split('\n');
    const cut = lines.slice(0, 8).join('\n'); // server 0 claims 6 users, only 3 rows arrive
    const result = await runCli(['parse', 'listUsers'], { stdin: cut });

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(/ParseError: listUsers: line \d+: /);
  });

  it('exits 1 with one line naming the command on empty input (parse listUsers < /dev/null)', async () => {
    const result = await runCli(['parse', 'findAllKeys'], { stdin: '' });

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'hsm-sentinel parse: ParseError: findAllKeys: line 0: no reply to parse (the input is empty)\n',
    );
  });

  it('exits 2 on an unknown command name', async () => {
    const result = await runCli(['parse', 'deleteUser'], { stdin: '' });

    expect(result.code).toBe(2);
    expect(result.stderr).toContain("cannot parse 'deleteUser'");
  });
});
