/**
 * Old runs of a local report folder go away: the newest `keep` run folders (runs/<runId>/:
 * report, inventories, plan, transcripts) and the newest `keep` backups (backups/<id>/, the
 * emulator's folder backups) stay, the rest is removed. What only older versions wrote (the
 * shared transcripts/ folder) is removed once older than every kept run. Age is the time the
 * folder was last written; a run named in `protect` (the one just made) is always kept.
 */
import { readdir, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';

export interface PruneResult {
  removedRuns: string[];
  removedBackups: string[];
  removedLegacyTranscripts: number;
}

interface Entry {
  name: string;
  path: string;
  mtimeMs: number;
}

async function entries(dir: string, kind: 'dirs' | 'files'): Promise<Entry[]> {
  const found = await readdir(dir, { withFileTypes: true }).catch(() => []);
  const chosen = found.filter((e) => (kind === 'dirs' ? e.isDirectory() : e.isFile()));
  const withTimes = await Promise.all(
    chosen.map(async (e) => {
      const path = join(dir, e.name);
      // A run folder is as old as its report (written last); a folder without one, as itself.
      const info = await stat(join(path, 'report.json')).catch(() => stat(path));
      return { name: e.name, path, mtimeMs: info.mtimeMs };
    }),
  );
  return withTimes.sort((a, b) => b.mtimeMs - a.mtimeMs || b.name.localeCompare(a.name));
}

export async function pruneLocalRuns(
  root: string,
  keep: number,
  options: { protect?: readonly string[] } = {},
): Promise<PruneResult> {
  if (!Number.isInteger(keep) || keep < 1) throw new RangeError(`keep must be 1 or more, not ${keep}`);
  const protect = new Set(options.protect ?? []);
  const runs = await entries(join(root, 'runs'), 'dirs');
  const kept = runs.filter((r, i) => i < keep || protect.has(r.name));
  const removedRuns = runs.filter((r) => !kept.includes(r));
  const backups = await entries(join(root, 'backups'), 'dirs');
  const removedBackups = backups.slice(keep);
  for (const e of [...removedRuns, ...removedBackups]) await rm(e.path, { recursive: true, force: true });

  let removedLegacyTranscripts = 0;
  const oldestKept = Math.min(...kept.map((r) => r.mtimeMs));
  if (kept.length > 0) {
    const legacy = join(root, 'transcripts');
    for (const file of await entries(legacy, 'files')) {
      if (file.mtimeMs < oldestKept) {
        await rm(file.path, { force: true });
        removedLegacyTranscripts += 1;
      }
    }
    if ((await readdir(legacy).catch(() => null))?.length === 0)
      await rm(legacy, { recursive: true, force: true });
  }
  return {
    removedRuns: removedRuns.map((r) => r.name),
    removedBackups: removedBackups.map((b) => b.name),
    removedLegacyTranscripts,
  };
}
