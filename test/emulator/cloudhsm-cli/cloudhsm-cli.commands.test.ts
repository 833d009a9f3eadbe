/**
 * The emulated cloudhsm-cli's command line, config and validation paths, run in-process through
 * `runCloudHsmCli` (the same code main.ts runs) against started emulated HSMs.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Secret } from '#core/secret.ts';
import { renderCloudHsmCliConfig } from '#drivers/cloudhsm-cli/config.ts';
import { parseKeyList } from '#drivers/cloudhsm-cli/parse/parse-key-list.ts';
import { type CloudHsmCliDeps, runCloudHsmCli } from '#emulator/cloudhsm-cli/main.ts';
import { sdk5Scenarios } from '#emulator/cloudhsm-cli/seed-scenarios.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import { tempDir } from '../../support/emulator/temp-dir.ts';

const ADMIN_PASSWORD = 'Cmd-admin-pass-1';
const CU_PASSWORD = 'Cmd-crypto-pass-2';
const scenarios = sdk5Scenarios({
  adminPassword: new Secret(ADMIN_PASSWORD),
  cryptoUserPassword: new Secret(CU_PASSWORD),
});
const ALICE = { CLOUDHSM_ROLE: 'crypto-user', CLOUDHSM_PIN: `alice:${CU_PASSWORD}` };
const ADMIN = { CLOUDHSM_ROLE: 'admin', CLOUDHSM_PIN: `admin:${ADMIN_PASSWORD}` };
const dir = tempDir('cloudhsm-cli-commands');
let cluster: EmulatedCluster;
let config: string;

interface Reply {
  code: number;
  data: unknown;
  prompts: string[];
}

async function run(args: string[], env: Record<string, string> = {}, stdin: string[] = []): Promise<Reply> {
  const prompts: string[] = [];
  const lines = [...stdin];
  const deps: CloudHsmCliDeps = {
    env,
    prompt: (text) => prompts.push(text),
    readLine: async () => lines.shift() ?? null,
  };
  const { output, exitCode } = await runCloudHsmCli(['--config', config, ...args], deps);
  expect(output.endsWith('}\n')).toBe(true);
  const envelope = JSON.parse(output) as { error_code: number; data: unknown };
  expect(envelope.error_code).toBe(exitCode);
  return { code: exitCode, data: envelope.data, prompts };
}

beforeAll(async () => {
  cluster = await startEmulatedCluster({
    stateDir: dir.path,
    nodeCount: 3,
    states: scenarios.consistent.states,
  });
  config = join(dir.path, 'cli.cfg');
  writeFileSync(config, renderCloudHsmCliConfig(cluster.nodes));
});
afterAll(async () => {
  await cluster.stop();
  dir.remove();
});

describe('emulated cloudhsm-cli: command line and config', () => {
  it('refuses unknown options, repeated options and stray words without quoting their values', async () => {
    expect(await run(['user', 'list', '--frobnicate'])).toMatchObject({
      code: 1,
      data: "cloudhsm-cli: 'user list' has no option --frobnicate",
    });
    expect((await run(['key', 'list', '--max-items', '2', '--max-items', '3'], ALICE)).data).toBe(
      'cloudhsm-cli: --max-items is given twice',
    );
    expect((await run(['user', 'list', '--S3cret!'])).data).toBe(
      "cloudhsm-cli: 'user list' got an unknown option",
    );
    expect((await run(['login', '--username'])).data).toBe('cloudhsm-cli: --username needs a value');
    expect((await run(['user', 'list', '--help'])).data).toBe(
      'cloudhsm-cli: help is not implemented by the emulated cloudhsm-cli',
    );
    expect((await run(['Hunter2!', 'list'])).data).toBe(
      "The emulated cloudhsm-cli does not implement 'the given command'",
    );
  });

  it('reads the config from --config anywhere; a missing or malformed file is an error envelope', async () => {
    const { output } = await runCloudHsmCli(['user', 'list', '--config', config], {
      env: {},
      prompt: () => undefined,
      readLine: async () => null,
    });
    expect(JSON.parse(output).error_code).toBe(0);
    const missing = join(dir.path, 'missing.cfg');
    const bad = join(dir.path, 'bad.cfg');
    writeFileSync(bad, '{"clusters": []}');
    const deps = { env: {}, prompt: () => undefined, readLine: async () => null };
    expect(JSON.parse((await runCloudHsmCli(['--config', missing, 'user', 'list'], deps)).output).data).toBe(
      `Unable to read the configuration file ${missing}`,
    );
    expect(JSON.parse((await runCloudHsmCli(['--config', bad, 'user', 'list'], deps)).output).data).toBe(
      `Invalid configuration: ${bad}: expected an object with a non-empty "clusters" array`,
    );
    const readFile = () => {
      throw new Error('ENOENT');
    };
    expect(JSON.parse((await runCloudHsmCli(['user', 'list'], { ...deps, readFile })).output).data).toBe(
      'Unable to read the configuration file /opt/cloudhsm/etc/cloudhsm-cli.cfg',
    );
  });

  it('with several clusters configured, needs --cluster-id (the third-party text) and picks that cluster', async () => {
    const one = JSON.parse(renderCloudHsmCliConfig(cluster.nodes)) as {
      clusters: Array<{ cluster: Record<string, unknown> }>;
    };
    const first = one.clusters[0] as { cluster: Record<string, unknown> };
    const multi = {
      clusters: [
        { ...first, cluster: { ...first.cluster, cluster_id: 'cluster-a' } },
        {
          type: 'hsm2m',
          cluster: { cluster_id: 'cluster-b', servers: [{ hostname: '127.0.0.1', port: 1, enable: false }] },
        },
      ],
    };
    const path = join(dir.path, 'multi.cfg');
    writeFileSync(path, JSON.stringify(multi));
    const deps = { env: {}, prompt: () => undefined, readLine: async () => null };
    const reply = async (args: string[]) =>
      JSON.parse((await runCloudHsmCli(['--config', path, ...args], deps)).output);

    expect((await reply(['user', 'list'])).data).toBe(
      'multiple clusters provided in configuration file. Please specify `cluster-id`',
    );
    expect((await reply(['user', 'list', '--cluster-id', 'cluster-a'])).error_code).toBe(0);
    expect((await reply(['user', 'list', '--cluster-id=cluster-b'])).data).toBe(
      'No enabled HSM in the configuration file',
    );
    expect((await reply(['--cluster-id', 'cluster-z', 'user', 'list'])).data).toBe(
      'No cluster with id cluster-z in the configuration file',
    );
  });
});

describe('emulated cloudhsm-cli: credentials', () => {
  it('never takes a login password from the command line', async () => {
    expect(
      (await run(['login', '--username', 'admin', '--role', 'admin', '--password', ADMIN_PASSWORD], ADMIN))
        .data,
    ).toBe('The emulated cloudhsm-cli takes login credentials from CLOUDHSM_PIN only, never from --password');
  });

  it('refuses a missing PIN, a PIN for another user, and a role that is not admin or crypto-user', async () => {
    expect((await run(['login'])).data).toBe(
      'login needs a login: set CLOUDHSM_ROLE and CLOUDHSM_PIN=<username>:<password>',
    );
    expect((await run(['login', '--username', 'bob'], ALICE)).data).toBe(
      'CLOUDHSM_PIN names another user than --username',
    );
    expect((await run(['login'], { CLOUDHSM_PIN: ALICE.CLOUDHSM_PIN })).data).toBe(
      'CLOUDHSM_ROLE and --role must be admin or crypto-user',
    );
    expect((await run(['key', 'list'], { ...ALICE, CLOUDHSM_ROLE: 'CU' })).data).toBe(
      'key list: CLOUDHSM_ROLE and --role must be admin or crypto-user',
    );
    expect((await run(['key', 'list'], { CLOUDHSM_PIN: 'no-colon' })).data).toBe(
      'key list needs a login: set CLOUDHSM_ROLE and CLOUDHSM_PIN=<username>:<password>',
    );
  });
});

describe('emulated cloudhsm-cli: user create validation', () => {
  const create = ['user', 'create', '--username', 'gina', '--role', 'crypto-user'];

  it('needs an admin login, a valid name, role and password, and two matching prompt answers', async () => {
    expect((await run(create, ALICE, ['Gina-pass-1', 'Gina-pass-1'])).data).toBe(
      'user create requires a login with the admin role',
    );
    expect((await run(['user', 'create', '--role', 'admin'], ADMIN)).data).toBe(
      'user create: --username is required',
    );
    expect((await run(['user', 'create', '--username', 'gina'], ADMIN)).data).toBe(
      'user create: --role is required',
    );
    expect((await run(['user', 'create', '--username', 'g'.repeat(32), '--role', 'admin'], ADMIN)).data).toBe(
      'Username must be 1 to 31 characters of letters, digits, _ and -',
    );
    expect((await run(['user', 'create', '--username', 'gina', '--role', 'officer'], ADMIN)).data).toBe(
      'CLOUDHSM_ROLE and --role must be admin or crypto-user',
    );
    expect((await run([...create, '--password', 'short'], ADMIN)).data).toBe(
      'Password must be 8 to 32 characters',
    );
    const mismatch = await run(create, ADMIN, ['Gina-pass-1', 'Gina-pass-2']);
    expect([mismatch.data, mismatch.prompts]).toEqual([
      'Passwords do not match',
      ['Enter password:', 'Confirm password:'],
    ]);
    expect((await run(create, ADMIN, [])).data).toBe(
      'No password given (use --password or answer the prompts)',
    );
    expect(cluster.readState(0).users.some((u) => u.username === 'gina')).toBe(false);
  });

  it('treats a user already on every HSM with that role as created, and another role as a failure', async () => {
    expect(
      await run(
        ['user', 'create', '--username', 'bob', '--role', 'crypto-user', '--password', 'Whatever-1'],
        ADMIN,
      ),
    ).toMatchObject({
      code: 0,
      data: { username: 'bob', role: 'crypto-user' },
    });
    expect(
      (
        await run(
          ['user', 'create', '--username', 'bob', '--role', 'admin', '--password', 'Whatever-1'],
          ADMIN,
        )
      ).data,
    ).toBe('User create failed on 3 of 3 connections');
  });

  it('with a wrong admin password creates nothing and reports the login failure', async () => {
    const reply = await run([...create, '--password', 'Gina-pass-1'], {
      ...ADMIN,
      CLOUDHSM_PIN: 'admin:wrong-pass',
    });
    expect(reply.data).toBe('Login failed on 3 of 3 connections: invalid username, password or role');
  });
});

describe('emulated cloudhsm-cli: key list options', () => {
  const keys = async (args: string[], env: Record<string, string> = ALICE) => {
    const reply = await run(['key', 'list', ...args], env);
    return parseKeyList(JSON.stringify({ error_code: reply.code, data: reply.data }));
  };

  it('filters by key reference, label, class and key type', async () => {
    expect((await keys(['--filter', 'key-reference=0x0000000000000105'])).keys.map((k) => k.label)).toEqual([
      'app-key-05',
    ]);
    expect(
      (
        await keys(['--filter', 'attr.label=bob-ec-private'], {
          ...ALICE,
          CLOUDHSM_PIN: `bob:${CU_PASSWORD}`,
        })
      ).totalKeyCount,
    ).toBe(1);
    expect((await keys(['--filter', 'attr.class=public-key', 'attr.key-type=ec'])).totalKeyCount).toBe(1);
    expect((await keys(['--filter', 'attr.key-type=aes', '--max-items', '3'])).nextToken).toBe('3');
  });

  it('refuses a bad page size, token or filter', async () => {
    expect((await run(['key', 'list', '--max-items', '0'], ALICE)).data).toBe(
      '--max-items must be a positive integer',
    );
    expect((await run(['key', 'list', '--starting-token', 'abc'], ALICE)).data).toBe(
      '--starting-token must be a next_token from an earlier page',
    );
    expect((await run(['key', 'list', '--starting-token', '12'], ALICE)).data).toBe(
      '--starting-token must be a next_token from an earlier page',
    );
    expect((await run(['key', 'list', '--filter', 'attr.sign=true'], ALICE)).data).toBe(
      'Unsupported filter: use key-reference=0x…, attr.label=…, attr.class=… or attr.key-type=…',
    );
    expect((await run(['key', 'list', '--filter'], ALICE)).data).toBe(
      'cloudhsm-cli: --filter needs at least one value',
    );
    expect((await run(['key', 'list', '--verbose=yes'], ALICE)).data).toBe(
      'cloudhsm-cli: --verbose takes no value',
    );
  });

  it('the last page (starting token = total) is empty and has no next_token', async () => {
    const page = await keys(['--starting-token', '11']);
    expect([page.returnedKeyCount, page.totalKeyCount, page.nextToken]).toEqual([0, 11, null]);
  });
});
