/**
 * What the workflow sees when the util floods its output: every node not read by then is
 * `unreadable` / `protocol-error` with the session's one-line ParseError (unknown, never
 * empty, and not `unreachable`: nothing retries a util that floods), in bounded time, and
 * no process is left behind.
 */
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import type { Credentials } from '#core/secret.ts';
import { Secret } from '#core/secret.ts';
import { AWS_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import { MgmtUtilDriver } from '#drivers/mgmt-util/driver.ts';
import type { FakeScenario } from '../../support/mgmt-util/fake-mgmt-util.ts';
import { fakeCommand, fakeEnv, nodes, PASSWORD, tempDir, user } from '../../support/mgmt-util/fake-util.ts';

const CREDENTIALS: Credentials = {
  username: 'admin',
  password: new Secret(PASSWORD),
  role: 'CO',
  version: null,
};

describe('MgmtUtilDriver on a util that floods its output', () => {
  let dir: ReturnType<typeof tempDir>;

  beforeEach(() => {
    dir = tempDir();
  });

  afterEach(() => {
    dir.dispose();
  });

  it.each([
    [
      'a 10 MB line without a line break',
      'line' as const,
      /^listUsers: line 2: .*longer than 1048576 characters/,
    ],
    [
      'an endless stream of lines',
      'endless' as const,
      /^listUsers: line \d+: .*more than 16777216 characters/,
    ],
  ])('%s during listUsers: every node is protocol-error with the ParseError', async (_, kind, detail) => {
    const scenario: FakeScenario = {
      dialect: 'aws',
      password: PASSWORD,
      servers: [0, 1].map(() => ({ users: [user(1, 'admin', 'PCO')], keys: [] })),
      floodOn: { command: 'listUsers', kind },
    };
    const driver = new MgmtUtilDriver({
      profile: AWS_PROFILE,
      command: fakeCommand(),
      workDir: dir.path,
      env: fakeEnv(scenario),
      timeouts: { startupMs: 10_000, commandMs: 20_000, closeMs: 1_000 },
    });

    const inventories = await driver.collect(nodes(2), CREDENTIALS, {
      keyDetails: false,
      loginFailureLimit: 2,
    });

    expect(inventories.map((i) => i.status === 'unreadable' && i.reason)).toEqual([
      'protocol-error',
      'protocol-error',
    ]);
    for (const inventory of inventories) {
      expect(inventory.status === 'unreadable' && inventory.detail).toMatch(detail);
    }
    expect(driver.lastTranscript.length).toBeLessThan(10_000);
  });
});
