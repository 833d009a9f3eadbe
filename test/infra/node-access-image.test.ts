import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from '@jest/globals';
import { NODE_ACCESS_HANDLERS } from '../../infra/bundling.ts';
import { REPO_ROOT } from '../../infra/constructs/paths.ts';
import { bundleNodeAccessHandlers } from '../../infra/node-access-image/bundle.ts';

const dockerfile = readFileSync(join(REPO_ROOT, 'infra', 'node-access-image', 'Dockerfile'), 'utf8');

describe('the node-access image', () => {
  it("starts from the AWS Lambda Node.js base image of the project's Node major", () => {
    const engines = JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')).engines.node as string;
    const major = /\d+/.exec(engines)?.[0];

    expect(dockerfile).toMatch(new RegExp(`^FROM public\\.ecr\\.aws/lambda/nodejs:${major}$`, 'm'));
  });

  it('installs the vendor clients from packages the operator supplies (nothing is downloaded): SDK 5 cloudhsm-cli and/or SDK 3', () => {
    expect(dockerfile).toContain('COPY vendor/ /tmp/vendor/');
    expect(dockerfile).toContain('rpm -i --nodeps --noscripts /tmp/vendor/cloudhsm-cli.rpm');
    expect(dockerfile).toContain('rpm -i --nodeps --noscripts /tmp/vendor/cloudhsm-client.rpm');
    expect(dockerfile).toContain('/opt/cloudhsm/bin/cloudhsm_mgmt_util');
    expect(dockerfile).toContain('/opt/cloudhsm/bin/cloudhsm-cli');
    expect(dockerfile).not.toMatch(/\b(curl|wget)\b|ADD https?:/);
  });

  it("links the SDK 5 CLI's default config path to the config the driver writes in /tmp (either --config answer works)", () => {
    expect(dockerfile).toContain(
      'ln -sf /tmp/hsm-sentinel/cloudhsm-cli.cfg /opt/cloudhsm/etc/cloudhsm-cli.cfg',
    );
    expect(dockerfile).toMatch(/CLOUDHSM_CLI_CONFIG_COPY=\/tmp\/hsm-sentinel\/cloudhsm-cli\.cfg/);
  });

  it('copies exactly the bundled node-access handlers', () => {
    const copied = /^COPY (dist\/\S+\.mjs(?: dist\/\S+\.mjs)*) /m.exec(dockerfile)?.[1]?.split(' ');

    expect(copied).toEqual(NODE_ACCESS_HANDLERS.map((h) => `dist/${h}.mjs`));
  });

  it('bundles each handler into one ESM file that loads and exports `handler`', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'hsm-sentinel-image-'));

    const files = await bundleNodeAccessHandlers(outdir);

    expect(files.filter((f) => f.endsWith('.mjs')).map((f) => f.split('/').pop())).toEqual(
      NODE_ACCESS_HANDLERS.map((h) => `${h}.mjs`),
    );
    const text = readFileSync(join(outdir, 'sync.mjs'), 'utf8');
    expect(text).not.toMatch(/from\s*["']#(core|workflow|drivers)\//);
    expect(text).not.toMatch(/from\s*["']@aws-sdk\//);
  }, 60_000);

  it('produces handlers that run on Node and fail with a named configuration error when unconfigured', async () => {
    const outdir = mkdtempSync(join(tmpdir(), 'hsm-sentinel-image-'));
    await bundleNodeAccessHandlers(outdir);
    const { spawnSync } = await import('node:child_process');
    const script = `import(${JSON.stringify(pathToFileURL(join(outdir, 'verify.mjs')).href)}).then((m) => m.handler({}, { awsRequestId: 'r', functionName: 'f' })).then(() => process.exit(3), (e) => { console.log(e.name); })`;

    const result = spawnSync(
      join(REPO_ROOT, 'node_modules', '.bin', 'node'),
      ['--input-type=module', '-e', script],
      {
        encoding: 'utf8',
        env: { PATH: process.env.PATH ?? '' },
      },
    );

    expect(result.stdout.trim()).toBe('ConfigurationError');
  }, 60_000);
});
