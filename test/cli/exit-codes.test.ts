/**
 * The exit codes, command by command (exit-codes.ts): 0 clean or repaired, 3 a human must
 * act, 1 the run failed, 2 wrong usage. Against an emulated cluster seeded with the AWS seed
 * (a user missing on node 1), run in process as main() runs for the real command.
 */
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { main } from '#cli/main.ts';
import type { EmulatedCluster } from '#emulator/cluster.ts';
import { memoryIo } from '../support/cli/memory-io.ts';
import { PROJECT_ROOT } from '../support/cli/run-cli.ts';
import { emulatedClusterFile } from '../support/emulator/emulated-cluster-file.ts';

const PASSWORD = 'Exit-Pa55-0c3f';
const env = { HSM_CO_PASSWORD: PASSWORD, HSM_CO_USER: 'admin' };

describe('exit codes of audit, sync, run, parse and report', () => {
  let dir: string;
  let cluster: EmulatedCluster;
  let file: string;
  let broken: string;

  const run = async (args: string[]) => {
    const { io, out } = memoryIo({ env, cwd: dir });
    const code = await main(args, io);
    return { code, ...out };
  };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'exit-codes-'));
    const made = await emulatedClusterFile(dir, {
      clusterId: 'exit-cluster',
      seed: 'aws',
      password: PASSWORD,
    });
    ({ cluster, clusterFile: file } = made);
    // A report folder below a file: nothing can be stored, so the run fails.
    await writeFile(join(dir, 'not-a-folder'), 'x');
    broken = await made.variant('broken.json', { reportDir: 'not-a-folder/reports' });
  });

  afterAll(async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('3 when a human must act, 0 once repaired, 0 when clean', async () => {
    const gaps = await run(['audit', '--cluster-file', file]);
    const repaired = await run(['sync', '--cluster-file', file, '--yes']);
    const clean = await run(['audit', '--cluster-file', file]);
    const cleanSync = await run(['sync', '--cluster-file', file, '--yes']);
    const cleanRun = await run(['run', '--cluster-id', 'exit-cluster', '--cluster-file', file, '--yes']);

    expect([gaps.code, repaired.code, clean.code, cleanSync.code, cleanRun.code]).toEqual([3, 0, 0, 0, 0]);
    expect(repaired.stdout).toContain('outcome: repaired');
    expect(clean.stdout).toContain('outcome: clean');
    expect(cleanSync.stderr).toContain('Nothing to write: the plan has no action');
  }, 60000);

  it('1 when the run fails (here: its report folder cannot be written)', async () => {
    const audit = await run(['audit', '--cluster-file', broken]);
    const sync = await run(['sync', '--cluster-file', broken, '--yes']);
    const local = await run(['run', '--cluster-id', 'exit-cluster', '--cluster-file', broken, '--dry-run']);

    expect([audit.code, sync.code, local.code]).toEqual([1, 1, 1]);
    for (const r of [audit, sync, local]) {
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(/ENOTDIR/);
    }
  }, 60000);

  it('2 for wrong usage: a missing cluster file, a wrong --cluster-id, a missing flag, a bad --keep', async () => {
    const results = await Promise.all([
      run(['audit', '--cluster-file', 'missing.json']),
      run(['sync', '--cluster-file', 'missing.json', '--yes']),
      run(['run', '--cluster-id', 'other', '--cluster-file', file]),
      run(['run', '--cluster-id', 'exit-cluster', '--emulator-dir', join(dir, 'no-emulator')]),
      run(['audit']),
      run(['run']),
      run(['audit', '--cluster-file', file, '--keep', '0']),
      run(['demo', '--tool', 'no-such-tool']),
    ]);

    expect(results.map((r) => r.code)).toEqual([2, 2, 2, 2, 2, 2, 2, 2]);
    for (const r of results) {
      expect(r.stdout).toBe('');
      expect(r.stderr.split('\n')).toHaveLength(2); // one line and its newline
    }
    expect(results[0]?.stderr).toMatch(
      /^hsm-sentinel audit: cluster file \/.*\/missing\.json cannot be read \(ENOENT\)\n$/,
    );
    expect(results[2]?.stderr).toContain("describes 'exit-cluster', not 'other'");
    expect(results[6]?.stderr).toBe(
      "hsm-sentinel audit: --keep takes a whole number of 1 or more, not '0'\n",
    );
  });

  it('parse: 0 parsed, 1 a reply it cannot parse (an empty one too), 2 an unknown command', async () => {
    const fixture = await import('node:fs/promises').then((fs) =>
      fs.readFile(join(PROJECT_ROOT, 'test/fixtures/transcripts/aws-listUsers.txt'), 'utf8'),
    );
    const parsed = memoryIo({ stdin: fixture });
    const empty = memoryIo({ stdin: '' });
    const unknown = memoryIo();

    expect(await main(['parse', 'listUsers'], parsed.io)).toBe(0);
    expect(await main(['parse', 'findAllKeys'], empty.io)).toBe(1);
    expect(await main(['parse', 'frobnicate'], unknown.io)).toBe(2);
    expect(empty.out.stdout).toBe('');
    expect(empty.out.stderr.split('\n')).toHaveLength(2);
  });

  it('report: 0 rendered (a report folder gives its newest run), 1 not a run report, 2 no such file', async () => {
    const reports = join(dir, 'reports');
    const [runId] = (await readdir(join(reports, 'runs'))).sort().reverse();
    await writeFile(join(dir, 'not-a-report.json'), '{"runId": 1}');

    const fromFolder = await run(['report', reports]);
    const fromFile = await run(['report', join(reports, 'runs', runId ?? '', 'report.json'), '--json']);
    const notReport = await run(['report', join(dir, 'not-a-report.json')]);
    const missing = await run(['report', join(dir, 'missing.json')]);

    expect([fromFolder.code, fromFile.code, notReport.code, missing.code]).toEqual([0, 0, 1, 2]);
    expect(fromFolder.stdout).toMatch(/^hsm-sentinel run /);
    expect(JSON.parse(fromFile.stdout)).toMatchObject({
      clusterId: 'exit-cluster',
      outcome: expect.any(String),
    });
  });
});
