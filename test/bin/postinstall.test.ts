/**
 * tools/postinstall.mjs, the root postinstall: with npm's own warnings off (.npmrc), it says
 * which Node the project runs on and checks `engines` and install scripts against that Node.
 * Run here on a made-up checkout: its lockfile, its package.json, its node_modules/node.
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT } from '../support/cli/run-cli.ts';

interface Checkout {
  lock: Record<string, unknown>;
  allowScripts?: Record<string, boolean>;
  projectNode?: boolean;
}

describe('tools/postinstall.mjs', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'postinstall-'));
  });

  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function run(checkout: Checkout, env: NodeJS.ProcessEnv = {}) {
    await mkdir(join(dir, 'tools'));
    await mkdir(join(dir, 'node_modules/node/bin'), { recursive: true });
    await copyFile(join(PROJECT_ROOT, 'tools/postinstall.mjs'), join(dir, 'tools/postinstall.mjs'));
    await symlink(join(PROJECT_ROOT, 'node_modules/semver'), join(dir, 'node_modules/semver'));
    await writeFile(join(dir, 'node_modules/node/package.json'), '{"version":"24.21.0"}');
    if (checkout.projectNode !== false) await writeFile(join(dir, 'node_modules/node/bin/node'), '');
    await writeFile(
      join(dir, 'package.json'),
      JSON.stringify({ name: 'p', allowScripts: checkout.allowScripts }),
    );
    await writeFile(join(dir, 'package-lock.json'), JSON.stringify({ packages: checkout.lock }));
    const userAgent = 'npm/11.19.1 node/v20.20.2 linux x64 workspaces/false';
    return promisify(execFile)(process.execPath, [join(dir, 'tools/postinstall.mjs')], {
      env: { PATH: process.env.PATH, npm_config_user_agent: userAgent, ...env },
    }).then(
      ({ stdout }) => ({ code: 0, stdout }),
      (error: { code: number; stdout: string }) => ({ code: error.code, stdout: error.stdout }),
    );
  }

  it('says in one line which Node the project runs on, and which Node ran npm', async () => {
    const result = await run({
      lock: {
        '': { engines: { node: '>=24' } },
        'node_modules/node': { version: '24.21.0', hasInstallScript: true },
        'node_modules/@middy/core': { version: '7.9.2', engines: { node: '>=22' } },
      },
      allowScripts: { node: true },
    });

    expect(result).toEqual({
      code: 0,
      stdout:
        "hsm-sentinel: runs on its own Node v24.21.0 (node_modules/.bin/node; npm ran on v20.20.2); every package's engines accept v24.21.0\n",
    });
  });

  it('warns about engines the project Node does not meet and install scripts nobody reviewed', async () => {
    const result = await run({
      lock: {
        'node_modules/future': { version: '1.0.0', engines: { node: '>=99' } },
        'node_modules/@scope/native': { version: '2.0.0', hasInstallScript: true },
        'node_modules/@scope/native-win32': {
          version: '2.0.0',
          optional: true,
          os: ['win32'],
          hasInstallScript: true,
        },
        'node_modules/esbuild': { version: '0.28.2', hasInstallScript: true },
      },
      allowScripts: { esbuild: true },
    });

    expect(result.code).toBe(0);
    expect(result.stdout.split('\n')).toEqual([
      'hsm-sentinel: runs on its own Node v24.21.0 (node_modules/.bin/node; npm ran on v20.20.2)',
      'hsm-sentinel: warning: engines that v24.21.0 does not meet: future@1.0.0 needs node >=99',
      'hsm-sentinel: warning: install scripts not reviewed in package.json allowScripts: @scope/native@2.0.0 (npm install-scripts approve|deny NAME)',
      '',
    ]);
  });

  it('fails the install when the project Node is missing, unless devDependencies were omitted', async () => {
    const missing = await run({ lock: {}, projectNode: false });
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir);
    const omitted = await run({ lock: {}, projectNode: false }, { npm_config_omit: 'dev' });

    expect(missing.code).toBe(1);
    expect(missing.stdout).toMatch(
      /^hsm-sentinel: the project's Node was not installed .*: nothing will run\n$/,
    );
    expect(omitted.code).toBe(0);
    expect(omitted.stdout).toMatch(/^hsm-sentinel: devDependencies omitted/);
  });
});
