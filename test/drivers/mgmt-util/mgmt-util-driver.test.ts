import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import {
  CredentialsRejectedError,
  ERROR_NAMES,
  InvalidInputError,
  ParseError,
  TransportError,
  UnknownNodeError,
} from '#core/errors.ts';
import type { NodeInventory } from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';
import { Secret } from '#core/secret.ts';
import { AWS_PROFILE, AZURE_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import type { MgmtUtilDriverOptions } from '#drivers/mgmt-util/driver.ts';
import { MgmtUtilDriver } from '#drivers/mgmt-util/driver.ts';
import { syncAction } from '../../support/core/sync-action.ts';
import type { FakeScenario, FakeServer } from '../../support/mgmt-util/fake-mgmt-util.ts';
import { fakeCommand, fakeEnv, nodes, PASSWORD, tempDir, user } from '../../support/mgmt-util/fake-util.ts';

/** The lockout guard's limit of the default policy. */
const GUARD = { loginFailureLimit: 2 };
const NOW = new Date('2026-11-23T10:00:00.000Z');
const CREDENTIALS: Credentials = {
  username: 'admin',
  password: new Secret(PASSWORD),
  role: 'CO',
  version: null,
};
const ADMIN = user(1, 'admin', 'PCO');
const OFFICER2 = user(6, 'officer2', 'CO');

function server(extra: Partial<FakeServer> = {}): FakeServer {
  return {
    users: [ADMIN, user(3, 'crypto_user1')],
    keys: [
      { handle: 8, shared: true, owner: 3, sharedWith: [6, 4] },
      { handle: 17, shared: false, owner: 3, sharedWith: [] },
    ],
    ...extra,
  };
}

const action = syncAction;

describe('MgmtUtilDriver (against the scripted fake util)', () => {
  let dir: ReturnType<typeof tempDir>;
  let log: string;
  let transcripts: string[];

  beforeEach(() => {
    dir = tempDir();
    log = join(dir.path, 'commands.log');
    transcripts = [];
  });

  afterEach(() => {
    dir.dispose();
  });

  function driver(
    scenario: Omit<FakeScenario, 'password' | 'log'>,
    options: Partial<MgmtUtilDriverOptions> = {},
  ) {
    return new MgmtUtilDriver({
      profile: scenario.dialect === 'aws' ? AWS_PROFILE : AZURE_PROFILE,
      command: fakeCommand(),
      workDir: dir.path,
      timeouts: { startupMs: 10_000, commandMs: 10_000, closeMs: 2_000 },
      env: fakeEnv({ ...scenario, password: PASSWORD, log }),
      now: () => NOW,
      onTranscript: (t) => transcripts.push(t),
      ...options,
    });
  }

  const commands = (): string[] => (existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : []);
  const everything = (inventories: unknown): string =>
    `${JSON.stringify(inventories)}${transcripts.join('')}`;

  describe('collect', () => {
    it('reads every node with one login, in node order, with key details', async () => {
      const d = driver({
        dialect: 'aws',
        servers: [server(), server({ users: [ADMIN, user(3, 'crypto_user1'), OFFICER2] })],
      });

      const inventories = await d.collect(nodes(2), CREDENTIALS, { keyDetails: true, loginFailureLimit: 2 });

      expect(inventories[1]).toEqual({
        nodeId: 'hsm-1',
        status: 'read',
        listing: {
          users: [ADMIN, user(3, 'crypto_user1'), OFFICER2],
          keys: [
            { handle: 8, shared: true, owner: 3, sharedWith: [4, 6] },
            { handle: 17, shared: false, owner: 3, sharedWith: [] },
          ],
          keyDetails: true,
        },
        digest: null,
        notes: [],
        collectedAt: NOW.toISOString(),
      });
      expect(inventories[0]).toMatchObject({ nodeId: 'hsm-0', status: 'read' });
      expect(commands()).toEqual([
        'listUsers',
        'enable_e2e',
        'loginHSM CO admin <pw>',
        'findAllKeys 0 0',
        'getKeyInfo -k 8',
        'getKeyInfo -k 17',
        'logoutHSM',
        'quit',
      ]);
      expect(everything(inventories)).not.toContain(PASSWORD);
      expect(transcripts[0]).toContain('aws-cloudhsm> loginHSM CO admin <redacted>');
    });

    it('writes its own config listing exactly the requested nodes, and removes it afterwards', async () => {
      const d = driver({ dialect: 'azure', servers: [server(), server(), server()] });

      await d.collect(nodes(3), CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 });

      expect(transcripts[0]).toMatch(/Connected to server 'server 2': hostname '127\.0\.0\.3', port 2225\./);
      expect(commands()).not.toContain('getKeyInfo -k 8');
      expect(readdirSync(dir.path)).toEqual(['commands.log']);
    });

    it('reads the key hash with requestKeyHash', async () => {
      const d = driver({ dialect: 'aws', servers: [server()] }, { requestKeyHash: true });

      const [inventory] = await d.collect(nodes(1), CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 });

      expect(inventory).toMatchObject({
        status: 'read',
        digest: 'ab12cd',
        listing: { keys: [{ owner: null }, { owner: null }] },
      });
      expect(commands()).toContain('findAllKeys 0 1');
    });

    it('marks an unconnected node unreachable and still reads the others (AWS and Azure start-up)', async () => {
      for (const dialect of ['aws', 'azure'] as const) {
        const d = driver({ dialect, servers: [server(), server({ down: true }), server()] });

        const inventories = await d.collect(nodes(3), CREDENTIALS, {
          keyDetails: true,
          loginFailureLimit: 2,
        });

        expect(inventories.map((i) => (i.status === 'read' ? 'read' : i.reason))).toEqual([
          'read',
          'unreachable',
          'read',
        ]);
      }
    });

    it('marks a node whose login was rejected login-failed, without retrying the login', async () => {
      const d = driver({
        dialect: 'aws',
        servers: [server(), server({ loginCode: 'RET_USER_LOCKED' }), server()],
      });

      const inventories = await d.collect(nodes(3), CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 });

      expect(inventories[1]).toEqual({
        nodeId: 'hsm-1',
        status: 'unreadable',
        reason: 'login-failed',
        detail: 'loginHSM failed: RET_USER_LOCKED on server 1(127.0.0.2) (credentials rejected; not retried)',
        loginAttempted: true,
        credentialsRejected: true,
      });
      expect(inventories.filter((i) => i.status === 'read')).toHaveLength(2);
      expect(commands().filter((c) => c.startsWith('loginHSM'))).toHaveLength(1);
    });

    it('never sends the password again after a wrong one, and never shows it', async () => {
      const d = driver({ dialect: 'aws', servers: [server(), server()] });
      const wrong: Credentials = { ...CREDENTIALS, password: new Secret('Wrong-Pass-99812') };

      const inventories = await d.collect(nodes(2), wrong, { keyDetails: false, loginFailureLimit: 2 });

      expect(inventories.map((i) => i.status === 'unreadable' && i.reason)).toEqual([
        'login-failed',
        'login-failed',
      ]);
      expect(commands()).toEqual(['listUsers', 'enable_e2e', 'loginHSM CO admin Wrong-Pass-99812', 'quit']);
      expect(everything(inventories)).not.toContain('Wrong-Pass-99812');
    });

    it('marks only the node whose section is cut short protocol-error, with the parse error', async () => {
      const reply = [
        'Users on server 0(127.0.0.1):',
        'Number of users found:1',
        '    User Id  User Type  User Name  MofnPubKey  LoginFailureCnt  2FA',
        '         1   PCO        admin      NO          0                NO',
        'Users on server 1(127.0.0.2):',
        'Number of users found:2',
        '    User Id  User Type  User Name  MofnPubKey  LoginFailureCnt  2FA',
        '         1   PCO        admin      NO          0                NO',
        '',
      ].join('\n');
      const d = driver({ dialect: 'aws', servers: [server(), server()], replies: { listUsers: reply } });

      const inventories = await d.collect(nodes(2), CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 });

      expect(inventories[0]).toMatchObject({
        status: 'read',
        listing: { users: [{ userId: 1, username: 'admin' }] },
      });
      expect(inventories[1]).toEqual({
        nodeId: 'hsm-1',
        status: 'unreadable',
        reason: 'protocol-error',
        detail: 'listUsers: line 9: section of server 1 ends after 1 of 2 user rows (reply cut short?)',
        loginAttempted: false,
      });
    });

    it('refuses a section whose address is not the one the config gives its server number', async () => {
      // Before, the section of server 1 was taken as hsm-1's, whatever address it named:
      // Verify then blamed (or cleared) the wrong node.
      const reply = [
        'Users on server 0(127.0.0.1):',
        'Number of users found:1',
        '    User Id  User Type  User Name  MofnPubKey  LoginFailureCnt  2FA',
        '         1   PCO        admin      NO          0                NO',
        'Users on server 1(10.66.6.6):',
        'Number of users found:1',
        '    User Id  User Type  User Name  MofnPubKey  LoginFailureCnt  2FA',
        '         1   PCO        admin      NO          0                NO',
        '',
      ].join('\n');
      const d = driver({ dialect: 'aws', servers: [server(), server()], replies: { listUsers: reply } });

      const inventories = await d.collect(nodes(2), CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 });

      expect(inventories[0]).toMatchObject({ status: 'read' });
      expect(inventories[1]).toMatchObject({
        status: 'unreadable',
        reason: 'protocol-error',
        detail: expect.stringContaining(
          'names address 10.66.6.6, but server 1 of the config written for this run is 127.0.0.2',
        ),
      });
    });

    it('marks a node missing from a reply protocol-error instead of reading it as empty', async () => {
      const reply =
        'Keys on server 0(127.0.0.1):\nNumber of keys found 0\nfindAllKeys success on server 0(127.0.0.1)\n';
      const d = driver({ dialect: 'aws', servers: [server(), server()], replies: { findAllKeys: reply } });

      const inventories = await d.collect(nodes(2), CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 });

      expect(inventories[0]).toMatchObject({ status: 'read', listing: { keys: [] } });
      expect(inventories[1]).toMatchObject({
        status: 'unreadable',
        reason: 'protocol-error',
        detail: 'findAllKeys reply has no section for server 1',
      });
    });

    it('trusts no section when a reply names a server that is not in its config', async () => {
      // The util answers for 2 servers though we configured 1: it is not reading our config.
      const reply =
        'Keys on server 0(127.0.0.1):\nNumber of keys found 0\nfindAllKeys success on server 0(127.0.0.1)\n\n' +
        'Keys on server 1(10.9.9.9):\nNumber of keys found 0\nfindAllKeys success on server 1(10.9.9.9)\n';
      const d = driver({ dialect: 'aws', servers: [server()], replies: { findAllKeys: reply } });

      const [inventory] = await d.collect(nodes(1), CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 });

      expect(inventory).toMatchObject({ status: 'unreadable', reason: 'protocol-error' });
      expect(inventory?.status === 'unreadable' && inventory.detail).toMatch(
        /findAllKeys reply has a section for server 1, which is not in the config/,
      );
    });

    it('refuses a node address the util could not name (whitespace, quotes), before starting it', async () => {
      const d = driver({ dialect: 'aws', servers: [server()] });
      const bad = [{ ...nodes(1)[0], address: "10.0.0 .1'" } as ReturnType<typeof nodes>[number]];

      const error = await d
        .collect(bad, CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).toMatch(/node hsm-0: address .* is not a host name or IP address/);
      expect(commands()).toEqual([]);
    });

    it('marks the unread nodes timeout when a command does not answer', async () => {
      const d = driver(
        { dialect: 'aws', servers: [server(), server({ down: true })], hangOn: 'findAllKeys' },
        { timeouts: { startupMs: 10_000, commandMs: 300, closeMs: 2_000 } },
      );

      const inventories = await d.collect(nodes(2), CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 });

      expect(inventories.map((i) => i.status === 'unreadable' && i.reason)).toEqual([
        'timeout',
        'unreachable',
      ]);
      expect(inventories[0]).toMatchObject({
        detail: 'cloudhsm_mgmt_util: "findAllKeys" did not answer within 300 ms',
      });
    });

    it('marks every node unreachable when the util dies, and says no login reached them before it was sent', async () => {
      const dies = driver({ dialect: 'aws', servers: [server(), server()], exitOn: 'listUsers' });

      const died = await dies.collect(nodes(2), CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 });

      expect(died.map((i) => i.status === 'unreadable' && i.reason)).toEqual(['unreachable', 'unreachable']);
      expect(died[0]).toMatchObject({
        detail: expect.stringMatching(/exited \(code 3\) during "listUsers"/),
        // listUsers comes before the login: the workflow may read these nodes again.
        loginAttempted: false,
      });
      expect(everything(died)).not.toContain(PASSWORD);
    });

    it('calls a util that is not installed a configuration error, not a node fault', async () => {
      // Before: every node "unreachable" (ENOENT), retried as a transport error.
      const missing = driver(
        { dialect: 'aws', servers: [server()] },
        { command: ['/nonexistent/cloudhsm_mgmt_util'] },
      );

      const error = await missing
        .collect(nodes(1), CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 })
        .catch((e: unknown) => e);

      expect(error).toMatchObject({
        name: ERROR_NAMES.configuration,
        message: expect.stringContaining('/nonexistent/cloudhsm_mgmt_util: ENOENT'),
      });
      expect(String((error as Error).message)).not.toContain(PASSWORD);
    });

    it('withholds the password when end-to-end encryption fails on a server', async () => {
      const d = driver({ dialect: 'aws', servers: [server(), server({ e2eFails: true })] });

      const inventories = await d.collect(nodes(2), CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 });

      expect(inventories.map((i) => i.status === 'unreadable' && i.reason)).toEqual([
        'protocol-error',
        'protocol-error',
      ]);
      expect(inventories[0]).toMatchObject({ detail: expect.stringMatching(/password withheld/) });
      expect(commands()).toEqual(['listUsers', 'enable_e2e', 'quit']);
    });

    it('refuses credentials the util could not take as one word, without starting it or showing them', async () => {
      const d = driver({ dialect: 'aws', servers: [server()] });
      const spaced: Credentials = { ...CREDENTIALS, password: new Secret('two words-88412') };

      const error = await d
        .collect(nodes(1), spaced, { keyDetails: false, loginFailureLimit: 2 })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(InvalidInputError);
      expect((error as Error).message).not.toContain('two words-88412');
      expect(commands()).toEqual([]);
    });

    it('asks getKeyInfo only for the keys a node lists, ignoring the failure of nodes without the key', async () => {
      const only0 = server({ keys: [{ handle: 262150, shared: false, owner: 3, sharedWith: [] }] });
      const d = driver({ dialect: 'aws', servers: [only0, server({ keys: [] })] });

      const inventories: NodeInventory[] = await d.collect(nodes(2), CREDENTIALS, {
        keyDetails: true,
        loginFailureLimit: 2,
      });

      expect(inventories.map((i) => i.status)).toEqual(['read', 'read']);
      expect(inventories[0]).toMatchObject({
        listing: { keys: [{ handle: 262150, owner: 3, sharedWith: [] }] },
      });
    });
  });

  describe('the lockout guard', () => {
    const failing = (count: number) => ({ ...ADMIN, loginFailureCount: count });

    it('sends no login at all when the account already has the limit of failures on one server', async () => {
      // Before: the login went to every server whatever its count: five runs locked admin everywhere.
      const d = driver({
        dialect: 'aws',
        servers: [server(), server({ users: [failing(2), user(3, 'crypto_user1')] })],
      });

      const inventories = await d.collect(nodes(2), CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 });

      expect(commands()).toEqual(['listUsers', 'quit']);
      expect(inventories[1]).toMatchObject({
        status: 'unreadable',
        reason: 'login-refused-by-guard',
        loginAttempted: false,
        detail: expect.stringContaining('admin already has 2 failed login(s) here'),
        notes: [expect.objectContaining({ kind: 'lockout-risk', severity: 'critical' })],
      });
      // The other server shares the session's one cluster-wide login: it is not logged in either.
      expect(inventories[0]).toMatchObject({ reason: 'login-refused-by-guard', loginAttempted: false });
    });

    it('calls an account at the HSM lock locked, and one missing from the HSM not worth a login', async () => {
      const d = driver({
        dialect: 'aws',
        servers: [server({ users: [failing(5)] }), server({ users: [user(3, 'crypto_user1')] })],
      });

      const inventories = await d.collect(nodes(2), CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 });

      expect(inventories[0]).toMatchObject({
        reason: 'login-refused-by-guard',
        notes: [expect.objectContaining({ kind: 'account-locked' })],
      });
      expect(inventories[1]).toMatchObject({
        reason: 'login-refused-by-guard',
        detail: expect.stringContaining('does not exist on this HSM'),
      });
      expect(commands().some((c) => c.startsWith('loginHSM'))).toBe(false);
    });

    it('logs in below the limit', async () => {
      const d = driver({
        dialect: 'aws',
        servers: [server({ users: [failing(1), user(3, 'crypto_user1')] })],
      });

      const [inventory] = await d.collect(nodes(1), CREDENTIALS, { keyDetails: false, loginFailureLimit: 2 });

      expect(inventory?.status).toBe('read');
    });

    it('writes nothing and sends no login in a sync when a server is at the limit', async () => {
      const d = driver({ dialect: 'aws', servers: [server(), server({ users: [failing(3)] })] });

      const error = await d
        .sync(nodes(2), CREDENTIALS, [action('syncUser', 3, 0, 1)], GUARD)
        .catch((e: unknown) => e);

      expect(error).toMatchObject({ name: ERROR_NAMES.lockoutGuard });
      expect(commands()).toEqual(['listUsers', 'quit']);
    });
  });

  describe('sync', () => {
    it('logs in everywhere first, then runs the actions grouped by source server', async () => {
      const d = driver({
        dialect: 'aws',
        servers: [server({ users: [ADMIN, OFFICER2] }), server(), server()],
      });
      const actions = [action('syncUser', 6, 0, 1), action('syncKey', 17, 1, 0), action('syncUser', 6, 0, 2)];

      const results = await d.sync(nodes(3), CREDENTIALS, actions, GUARD);

      expect(results.map((r) => [r.action, r.outcome])).toEqual([
        [actions[0], 'synced'],
        [actions[1], 'already-present'],
        [actions[2], 'synced'],
      ]);
      expect(results[0]?.detail).toBe(
        'syncUser 6 1: ExtractMaskedObject: 0x0 ! | InsertMaskedObject: 0x0 ! | syncUser success',
      );
      expect(commands()).toEqual([
        'listUsers',
        'enable_e2e',
        'loginHSM CO admin <pw>',
        'server 0',
        'syncUser 6 1',
        'syncUser 6 2',
        'exit',
        'server 1',
        'syncKey 17 0',
        'exit',
        'logoutHSM',
        'quit',
      ]);
      expect(everything(results)).not.toContain(PASSWORD);
    });

    it('continues after one failed action', async () => {
      const d = driver({
        dialect: 'azure',
        servers: [
          server({ users: [ADMIN, OFFICER2] }),
          server({ insertCode: 'RET_FAULT_INJECTED' }),
          server(),
        ],
      });

      const results = await d.sync(
        nodes(3),
        CREDENTIALS,
        [action('syncUser', 6, 0, 1), action('syncUser', 6, 0, 2)],
        GUARD,
      );

      expect(results.map((r) => r.outcome)).toEqual(['failed', 'synced']);
      expect(results[0]?.detail).toMatch(/syncUser failed: RET_FAULT_INJECTED/);
    });

    it('writes nothing when a login is rejected, and says so without the password', async () => {
      const d = driver({
        dialect: 'aws',
        servers: [server(), server({ loginCode: 'RET_USER_LOGIN_FAILURE' })],
      });

      const error = await d
        .sync(nodes(2), CREDENTIALS, [action('syncUser', 3, 0, 1)], GUARD)
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(CredentialsRejectedError);
      expect((error as Error).message).toMatch(/server 1 \(hsm-1\): loginHSM failed: RET_USER_LOGIN_FAILURE/);
      expect((error as Error).message).not.toContain(PASSWORD);
      expect(commands()).toEqual(['listUsers', 'enable_e2e', 'loginHSM CO admin <pw>', 'quit']);
    });

    it('keeps the password out of the error when the loginHSM reply cannot be parsed', async () => {
      const d = driver({
        dialect: 'aws',
        servers: [server(), server()],
        replies: { loginHSM: `HSM Error: bad password '${PASSWORD}'\n` },
      });

      const error = await d
        .sync(nodes(2), CREDENTIALS, [action('syncUser', 3, 0, 1)], GUARD)
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(ParseError);
      expect((error as Error).message).toMatch(/loginHSM: line 1: unrecognised line/);
      expect((error as Error).message).not.toContain(PASSWORD);
      expect((error as Error).stack).not.toContain(PASSWORD);
      expect(commands()).toEqual(['listUsers', 'enable_e2e', 'loginHSM CO admin <pw>', 'quit']);
    });

    it('never reports an action synced on the reply of another command (an extra prompt)', async () => {
      // `server 0` answers with one prompt too many; key 99 does not exist on the source.
      const d = driver({
        dialect: 'aws',
        servers: [server(), server({ keys: [] })],
        promptNewline: true,
        extraPromptAfter: 'server',
      });

      const results = await d.sync(
        nodes(2),
        CREDENTIALS,
        [action('syncKey', 8, 0, 1), action('syncKey', 99, 0, 1)],
        GUARD,
      );

      expect(results[1]?.outcome).not.toBe('synced');
      expect(results.map((r) => r.outcome)).not.toContain('synced');
    });

    it('writes nothing when a node is not connected', async () => {
      const d = driver({ dialect: 'azure', servers: [server(), server({ down: true })] });

      await expect(d.sync(nodes(2), CREDENTIALS, [action('syncUser', 3, 0, 1)], GUARD)).rejects.toThrow(
        TransportError,
      );
      expect(commands()).toEqual(['quit']);
    });

    it('refuses actions whose server numbers do not match the node list, before starting the util', async () => {
      const d = driver({ dialect: 'aws', servers: [server(), server()] });
      const wrong = { ...action('syncUser', 3, 0, 1), targetNodeId: 'hsm-7' };

      await expect(d.sync(nodes(2), CREDENTIALS, [wrong], GUARD)).rejects.toThrow(UnknownNodeError);
      expect(commands()).toEqual([]);
    });

    it('reports the action that timed out failed and the rest not-run', async () => {
      const d = driver(
        { dialect: 'aws', servers: [server(), server()], hangOn: 'syncKey' },
        { timeouts: { startupMs: 10_000, commandMs: 300, closeMs: 2_000 } },
      );

      const results = await d.sync(
        nodes(2),
        CREDENTIALS,
        [action('syncKey', 8, 0, 1), action('syncUser', 3, 1, 0)],
        GUARD,
      );

      expect(results.map((r) => r.outcome)).toEqual(['failed', 'not-run']);
      expect(results[1]?.detail).toBe('not run: the session was lost during "syncKey 8 1"');
    });
  });
});
