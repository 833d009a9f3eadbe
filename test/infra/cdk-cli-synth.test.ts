/**
 * The Done-when of issue 4: `npx cdk synth` works on a fresh clone with no AWS credentials
 * and no network beyond the package registry, and the pinned CDK CLI accepts the assembly
 * of the aws-cdk-lib in use. Runs the real CLI (with real esbuild bundling of the seven
 * bundled functions) as a child process, then loads each bundle; about 20 s.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { REPO_ROOT } from '../../infra/constructs/paths.ts';

/** The environment of a machine with no AWS credentials or profile. */
function credentialFreeEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (!name.startsWith('AWS_') && !name.startsWith('CDK_') && name !== 'NODE_OPTIONS') env[name] = value;
  }
  const bin = join(REPO_ROOT, 'node_modules', '.bin');
  return {
    ...env,
    // What `npx cdk` does: node_modules/.bin first, so `node` is the project's Node 24.
    PATH: `${bin}${delimiter}${process.env.PATH ?? ''}`,
    AWS_CONFIG_FILE: join(tmpdir(), 'hsm-sentinel-no-aws-config'),
    AWS_SHARED_CREDENTIALS_FILE: join(tmpdir(), 'hsm-sentinel-no-aws-credentials'),
    AWS_EC2_METADATA_DISABLED: 'true',
    CDK_DISABLE_VERSION_CHECK: 'true',
  };
}

describe('npx cdk synth', () => {
  it('synthesizes the cdk.json app with the pinned CLI, without credentials, in under 60 s', () => {
    // Arrange
    const outdir = mkdtempSync(join(tmpdir(), 'hsm-sentinel-cdk-cli-'));
    const cli = join(REPO_ROOT, 'node_modules', '.bin', 'cdk');
    const started = Date.now();

    // Act
    const result = spawnSync(cli, ['synth', '--quiet', '--no-notices', '--output', outdir], {
      cwd: REPO_ROOT,
      env: credentialFreeEnv(),
      encoding: 'utf8',
      timeout: 120_000,
    });
    const seconds = (Date.now() - started) / 1000;

    // Assert
    expect({ status: result.status, stderr: result.status === 0 ? '' : result.stderr }).toEqual({
      status: 0,
      stderr: '',
    });
    expect(seconds).toBeLessThan(60);
    const templateFile = join(outdir, 'HsmSentinel.template.json');
    expect(existsSync(templateFile)).toBe(true);
    const template = JSON.parse(readFileSync(templateFile, 'utf8'));
    expect(
      Object.values(template.Resources).filter(
        (r) => (r as { Type: string }).Type === 'AWS::Lambda::Function',
      ),
    ).toHaveLength(11);
    const manifest = JSON.parse(readFileSync(join(outdir, 'manifest.json'), 'utf8'));
    expect(manifest.artifacts.HsmSentinel.environment).toBe('aws://unknown-account/unknown-region');
    // The seven esbuild bundles load on their own (no node_modules) and export `handler`.
    const bundles = readdirSync(outdir)
      .map((dir) => join(outdir, dir, 'index.mjs'))
      .filter((file) => existsSync(file));
    expect(bundles).toHaveLength(7);
    const probe = `Promise.all(${JSON.stringify(bundles.map((b) => pathToFileURL(b).href))}.map((u) => import(u))).then((ms) => console.log(ms.map((m) => typeof m.handler).join(',')))`;
    const loaded = spawnSync(
      join(REPO_ROOT, 'node_modules', '.bin', 'node'),
      ['--input-type=module', '-e', probe],
      {
        cwd: tmpdir(),
        encoding: 'utf8',
        env: credentialFreeEnv(),
      },
    );
    expect(loaded.stdout.trim()).toBe(Array(7).fill('function').join(','));
  }, 130_000);
});
