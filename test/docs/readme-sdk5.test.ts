/** The README's SDK 5 cluster file is a valid cluster file whose tool settings the cloudhsm-cli module accepts. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { clusterFileSchema } from '#cli/cluster-file.ts';
import { CLOUDHSM_CLI_MODULE } from '#drivers/cloudhsm-cli/index.ts';
import { PROJECT_ROOT } from '../support/cli/run-cli.ts';

const readme = await readFile(join(PROJECT_ROOT, 'README.md'), 'utf8');

describe('README: a cluster file for an SDK 5 cluster', () => {
  it('is a valid cluster file of the cloudhsm-cli tool, with settings the tool accepts', () => {
    const start = readme.indexOf('### A cluster file for an SDK 5 cluster');
    const fence = readme.indexOf('```json\n', start);
    const example = JSON.parse(readme.slice(fence + 8, readme.indexOf('\n```', fence + 8)));

    const result = clusterFileSchema.safeParse(example);

    expect(result.error?.issues ?? []).toEqual([]);
    expect(example.tool).toBe(CLOUDHSM_CLI_MODULE.id);
    expect(() => CLOUDHSM_CLI_MODULE.checkSettings(example.toolSettings)).not.toThrow();
  });
});
