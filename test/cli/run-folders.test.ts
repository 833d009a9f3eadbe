/** Each run in its own folder, and --keep N pruning old runs and backups, through the demo command. */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { main } from '#cli/main.ts';
import { memoryIo } from '../support/cli/memory-io.ts';

describe('run folders and --keep', () => {
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'run-folders-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the newest N runs and backups of the report folder (default 20), pruning the rest', async () => {
    const reportDir = join(dir, 'demo');
    const demo = async (...extra: string[]) => {
      const { io, out } = memoryIo({ env: { HSM_SENTINEL_DEMO_PASSWORD: 'Keep-Pa55-81d0' }, cwd: dir });
      const code = await main(['demo', '--report-dir', reportDir, ...extra], io);
      return { code, ...out };
    };

    const codes = [(await demo()).code, (await demo()).code];
    const afterTwo = await readdir(join(reportDir, 'runs'));
    const pruned = await demo('--keep', '1');
    const runs = await readdir(join(reportDir, 'runs'));
    const backups = await readdir(join(reportDir, 'backups'));

    expect([...codes, pruned.code]).toEqual([0, 0, 0]);
    expect(afterTwo).toHaveLength(2);
    expect(runs).toHaveLength(1);
    expect(backups).toHaveLength(1);
    for (const old of afterTwo) expect(runs).not.toContain(old);
    expect(pruned.stderr).toContain('Pruned 2 old run folder(s) and 2 backup(s) (--keep 1)');
    for (const run of runs) expect(await readdir(join(reportDir, 'runs', run))).toContain('transcripts');
    expect(await readdir(reportDir)).not.toContain('transcripts');
    // The default, as the command states it (two runs cannot show a default of 20 by pruning).
    const help = memoryIo({ cwd: dir });
    expect(await main(['demo', '--help'], help.io)).toBe(0);
    expect(help.out.stdout).toMatch(/--keep N .*\(default: 20\)/);
  }, 60000);
});
