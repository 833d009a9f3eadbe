/** The README's examples are run or validated here, so they cannot drift from the code. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from '@jest/globals';
import { clusterFileSchema } from '#cli/cluster-file.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import { normaliseTrigger } from '#workflow/triggers/normalise.ts';
import { PROJECT_ROOT } from '../support/cli/run-cli.ts';
import { SYSTEM_PATH } from '../support/cli/system-path.ts';

const readme = await readFile(join(PROJECT_ROOT, 'README.md'), 'utf8');

/** The first fenced block of `language` after `heading`. */
function blockAfter(heading: string, language: string): string {
  const start = readme.indexOf(heading);
  if (start < 0) throw new Error(`README has no '${heading}'`);
  const fence = readme.indexOf(`\`\`\`${language}\n`, start);
  const end = readme.indexOf('\n```', fence + 4);
  return readme.slice(fence + language.length + 4, end);
}

describe('README examples', () => {
  it('the cluster file example is a valid cluster file', () => {
    const example = JSON.parse(blockAfter('### A cluster file', 'json'));
    const result = clusterFileSchema.safeParse(example);

    expect(result.error?.issues ?? []).toEqual([]);
  });

  it('the runbook request example starts one run for its cluster', () => {
    const request = JSON.parse(blockAfter('## Triggers and the runbook request', 'json'));
    const normalised = normaliseTrigger(request, {
      clusterIds: [request.clusterId],
      provider: 'aws',
      policy: DEFAULT_POLICY,
    });

    expect(normalised.kind).toBe('runbook');
    expect(normalised.runs).toHaveLength(1);
    expect(normalised.runs[0]?.policy).toMatchObject({
      dryRun: true,
      maxActionsPerRun: 10,
      allowedKinds: ['user'],
    });
  });

  it('the parse example prints what the README shows, run as written with the machine Node first on PATH', async () => {
    const block = blockAfter('### `parse`', 'sh');
    const [command, shown] = block.split('\n');
    expect(command).toBe(
      './bin/hsm-sentinel.js parse listUsers < test/fixtures/transcripts/aws-listUsers.txt',
    );
    const { stdout } = await promisify(execFile)('/bin/sh', ['-c', command ?? ''], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, PATH: SYSTEM_PATH, NODE_OPTIONS: '' },
    });
    const expectedStart = (shown ?? '').replace(/^# /, '').split('…')[0] ?? '';
    expect(expectedStart.length).toBeGreaterThan(100);
    expect(stdout.startsWith(expectedStart)).toBe(true);
  });

  it('names no way to run the CLI that fails on the machine Node (node bin/hsm-sentinel.ts, npm run … --json)', () => {
    expect(readme).not.toMatch(/^node bin\/hsm-sentinel\.ts/m);
    expect(readme).not.toMatch(/`node bin\/hsm-sentinel\.ts/);
    expect(readme).not.toMatch(/npm run hsm-sentinel --/);
  });
});
