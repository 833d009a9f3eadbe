/** --keep N: the newest N run folders and N backups stay, older ones go; the run just made always stays. */
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { pruneLocalRuns } from '#store/prune-local-runs.ts';

describe('pruneLocalRuns', () => {
  let root: string;

  /** A run folder (with report.json) or a backup, as old as `ageSeconds`. */
  async function made(kind: 'runs' | 'backups', name: string, ageSeconds: number): Promise<void> {
    const folder = join(root, kind, name);
    await mkdir(join(folder, 'transcripts'), { recursive: true });
    const file = join(folder, kind === 'runs' ? 'report.json' : 'hsm-0.json');
    await writeFile(file, '{}');
    const at = new Date(Date.now() - ageSeconds * 1000);
    await utimes(file, at, at);
    await utimes(folder, at, at);
  }

  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), 'prune-'));
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  it('keeps the newest N runs and backups, removes the rest with their transcripts', async () => {
    for (let i = 0; i < 5; i += 1) {
      await made('runs', `demo-${i}`, 100 - i * 10); // demo-4 is the newest
      await made('backups', `backup-${i}`, 100 - i * 10);
    }

    const result = await pruneLocalRuns(root, 2);

    expect((await readdir(join(root, 'runs'))).sort()).toEqual(['demo-3', 'demo-4']);
    expect((await readdir(join(root, 'backups'))).sort()).toEqual(['backup-3', 'backup-4']);
    expect(result.removedRuns.sort()).toEqual(['demo-0', 'demo-1', 'demo-2']);
    expect(result.removedBackups).toHaveLength(3);
  });

  it('never removes a protected run, and removes the old shared transcripts folder once older than every kept run', async () => {
    await made('runs', 'old-but-mine', 500);
    await made('runs', 'new', 10);
    await mkdir(join(root, 'transcripts'));
    await writeFile(join(root, 'transcripts', 'old.txt'), 'x');
    const at = new Date(Date.now() - 1000 * 1000);
    await utimes(join(root, 'transcripts', 'old.txt'), at, at);

    await pruneLocalRuns(root, 1, { protect: ['old-but-mine'] });

    expect((await readdir(join(root, 'runs'))).sort()).toEqual(['new', 'old-but-mine']);
    expect(existsSync(join(root, 'transcripts'))).toBe(false);
  });

  it('is fine with a folder that has no runs yet, and refuses keep 0', async () => {
    await expect(pruneLocalRuns(root, 20)).resolves.toEqual({
      removedRuns: [],
      removedBackups: [],
      removedLegacyTranscripts: 0,
    });
    await expect(pruneLocalRuns(root, 0)).rejects.toThrow('keep must be 1 or more');
  });
});
