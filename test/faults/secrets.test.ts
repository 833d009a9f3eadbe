/**
 * The secrets scan: full runs (a repair, a refused login and the run after it, a util that
 * echoes every line it reads, a node down, a lying insert, a membership change, a missing
 * util binary, the CLI's `sync` and `audit` as a person runs them) and then a search for the
 * password, in plain, base64 and hex, in every step-log line, everything printed, every alert,
 * every file below the run's folders (report.json/.txt/.html, transcripts, credential and
 * alert memories, backups), every os.tmpdir() entry the run left, and every exception message
 * (the run's error, the report's failure, every unreadable node's detail). It must find
 * nothing, and it is shown to find a planted leak in each place and encoding.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunReport } from '#core/report.ts';
import { Secret } from '#core/secret.ts';
import { emulatedCommand } from '#emulator/programs.ts';
import { seedScenarios } from '#emulator/seed-scenarios.ts';
import { runCli } from '../support/cli/run-cli.ts';
import {
  DRIVER_WORK_DIR,
  type Rig,
  type RigRun,
  runOnce,
  startRig,
  uniquePassword,
  writeClusterFile,
} from '../support/faults/rig.ts';
import { filesBelow, type ScanResult, scanForSecret, secretForms } from '../support/faults/secret-scan.ts';

/** Every message an exception of the run left: the run's error, the report's failure, each unreadable node's detail. */
function exceptionTexts(run: RigRun): Record<string, string> {
  const report: RunReport | null = run.report;
  const details = [
    ...(report?.before ? report.before.nodes.map((n) => n.detail) : []),
    ...(report?.after ? report.after.nodes.map((n) => n.detail) : []),
    ...(report?.results ?? []).map((r) => r.detail),
  ];
  return {
    'run error': JSON.stringify(run.result.error),
    'report failure': JSON.stringify(report?.failure ?? null),
    'node and action details': details.join('\n'),
    thrown: run.thrown ? `${run.thrown.name}: ${run.thrown.message}\n${run.thrown.stack}` : '',
  };
}

/** Scans everything one run touched for each password. */
function scanRun(rig: Rig, run: RigRun, passwords: readonly string[]): ScanResult[] {
  const texts = {
    'step log': run.log.join('\n'),
    output: run.output,
    alerts: JSON.stringify(run.alerts),
    ...exceptionTexts(run),
  };
  const paths = [
    rig.reportDir,
    rig.stateDir,
    DRIVER_WORK_DIR,
    ...run.tmpEntries.map((e) => join(tmpdir(), e)),
  ];
  return passwords.map((p) => scanForSecret(p, paths, texts));
}

function kindsOfFiles(dir: string): Set<string> {
  return new Set(
    filesBelow(dir).map((f) => {
      if (f.includes('/transcripts/')) return 'transcript';
      if (f.includes('/backups/')) return 'backup';
      if (f.includes('/refused-credentials/')) return 'credential memory';
      return f.split('.').pop() ?? '';
    }),
  );
}

describe('the secrets scanner', () => {
  it('finds a planted password in a log line, a temp file, a transcript and an exception, in every encoding', () => {
    const password = uniquePassword('Plant');
    const dir = mkdtempSync(join(tmpdir(), 'hsm-faults-plant-'));
    try {
      const forms = secretForms(password);
      mkdirSync(join(dir, 'transcripts'));
      writeFileSync(join(dir, 'transcripts', 'a.txt'), `aws-cloudhsm> loginHSM CO admin ${password}\n`);
      // Inside a longer base64 value, at every byte alignment.
      for (const offset of [0, 1, 2]) {
        const blob = Buffer.concat([
          Buffer.from('xyz'.slice(0, offset)),
          Buffer.from(password),
          Buffer.from('!'),
        ]);
        writeFileSync(join(dir, `blob-${offset}.json`), JSON.stringify({ v: blob.toString('base64') }));
      }
      writeFileSync(join(dir, 'report.html'), `<td>${Buffer.from(password).toString('hex')}</td>`);
      writeFileSync(join(dir, 'upper.txt'), Buffer.from(password).toString('hex').toUpperCase());
      writeFileSync(join(dir, 'url.txt'), `token=${Buffer.from(`ab${password}`).toString('base64url')}`);

      const result = scanForSecret(password, [dir], {
        'log line': JSON.stringify({ level: 'INFO', message: `login ${password}` }),
        exception: new Error(`loginHSM failed for ${password}`).message,
        'cut message': `stderr: ${password.slice(password.length - 11)}" / xxxx`,
        clean: 'nothing here',
      });

      const where = (suffix: string) =>
        result.hits.filter((h) => h.where.endsWith(suffix)).map((h) => h.encoding);
      expect(forms.length).toBeGreaterThanOrEqual(6);
      expect(where('a.txt')).toEqual(['plain', 'fragment']);
      expect(where('blob-0.json')).toContain('base64');
      expect(where('blob-1.json')).toContain('base64');
      expect(where('blob-2.json')).toContain('base64');
      expect(where('report.html')).toEqual(['hex']);
      expect(where('upper.txt')).toEqual(['hex']);
      expect(where('url.txt')).toContain('base64url');
      expect(where('log line')).toEqual(['plain', 'fragment']);
      expect(where('exception')).toEqual(['plain', 'fragment']);
      expect(where('cut message')).toEqual(['fragment']);
      expect(where('clean')).toEqual([]);
      expect(result.files).toBe(7);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds nothing of another password in the same files (no false alarm)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hsm-faults-plant-'));
    try {
      writeFileSync(join(dir, 'a.txt'), `loginHSM CO admin ${uniquePassword('Plant')}\n`);
      expect(scanForSecret(uniquePassword('Other'), [dir], {}).hits).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('no password anywhere after full runs', () => {
  let rig: Rig;
  const wrong = uniquePassword('Wrong');
  const runs: { name: string; run: RigRun }[] = [];

  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    await rig.close();
  });

  const scanned = (name: string, run: RigRun) => {
    runs.push({ name, run });
    const results = scanRun(rig, run, [rig.password, wrong]);
    return { hits: results.flatMap((r) => r.hits), files: results[0]?.files ?? 0 };
  };

  it('a repairing run (Sync, Verify, backup)', async () => {
    const run = await runOnce(rig);

    expect(run.report?.results.map((r) => r.outcome)).toEqual(['synced', 'synced', 'synced']);
    const { hits, files } = scanned('repair', run);
    expect(hits).toEqual([]);
    expect(files).toBeGreaterThan(5);
    // The login line reached the kept transcripts, redacted.
    const transcripts = filesBelow(join(rig.reportDir, 'transcripts')).map((f) => readFileSync(f, 'utf8'));
    expect(transcripts.some((t) => t.includes('loginHSM CO admin <redacted>'))).toBe(true);
  });

  it.each([
    ['all', 'every line echoed to stdout'],
    ['login', 'the login line echoed to stdout'],
    ['stderr', 'every line echoed to stderr'],
    ['dump', 'the login line dumped to stderr as the util dies, cut by the 2,000-character tail'],
  ] as const)('a util that echoes its input (%s: %s)', async (echo, _what) => {
    rig.cluster.seed(seedScenarios({ adminPassword: new Secret(rig.password) }).demo);
    const run = await runOnce(rig, { echo, version: `echo-${echo}` });

    expect(run.report).not.toBeNull();
    if (echo === 'dump') {
      // The util's last words reached the report: its stderr tail, with the password cut out.
      expect(exceptionTexts(run)['node and action details']).toMatch(/stderr: .*xxxxxxxx/);
    }
    expect(scanned(`echo ${echo}`, run).hits).toEqual([]);
  });

  it('failure paths: a node down, a lying insert, a membership change, a missing util binary', async () => {
    rig.cluster.seed(seedScenarios({ adminPassword: new Secret(rig.password) }).demo);
    await rig.cluster.setFault(2, { down: true });
    const down = await runOnce(rig, { version: 'down' });
    await rig.cluster.clearFaults();
    await rig.cluster.setFault(1, { lieOnInsert: true });
    const lying = await runOnce(rig, { version: 'lie' });
    await rig.cluster.clearFaults();
    let calls = 0;
    const moved = await runOnce(rig, {
      version: 'moved',
      nodes: () => (++calls === 1 ? rig.cluster.nodes : rig.cluster.nodes.slice(0, 2)),
    });
    const missing = await runOnce(rig, { version: 'missing', toolCommand: ['/nonexistent/hsm-util'] });

    expect(down.report?.outcome).toBe('attention');
    expect(lying.report?.verification?.ok).toBe(false);
    expect(moved.report?.failure?.errorName).toBe('MembershipChangedError');
    expect(missing.result.state?.failure?.errorName ?? missing.report?.failure?.errorName).toBe(
      'ConfigurationError',
    );
    for (const [name, run] of Object.entries({ down, lying, moved, missing })) {
      expect({ name, hits: scanned(name, run).hits }).toEqual({ name, hits: [] });
    }
  });

  it('a refused login, and the run after it that sends none, with a util that echoes to stderr', async () => {
    const refused = await runOnce(rig, { password: wrong, version: 'wrong', echo: 'stderr' });
    const guarded = await runOnce(rig, { password: wrong, version: 'wrong' });

    expect(refused.result.state?.collected?.some((n) => n.reason === 'login-failed')).toBe(true);
    expect(guarded.result.state?.collected?.every((n) => n.reason === 'login-refused-by-guard')).toBe(true);
    expect(scanned('refused', refused).hits).toEqual([]);
    expect(scanned('guarded', guarded).hits).toEqual([]);
  });

  it('covered every kind of file a run leaves', () => {
    expect([...kindsOfFiles(rig.reportDir)].sort()).toEqual(
      expect.arrayContaining(['backup', 'credential memory', 'html', 'json', 'transcript', 'txt']),
    );
    expect(runs.map((r) => r.name)).toEqual([
      'repair',
      'echo all',
      'echo login',
      'echo stderr',
      'echo dump',
      'down',
      'lying',
      'moved',
      'missing',
      'refused',
      'guarded',
    ]);
  });
});

describe('no password anywhere after the CLI runs', () => {
  it('`sync --verbose` and `audit --json` with the password in the environment, right and wrong', async () => {
    const rig = await startRig();
    const wrong = uniquePassword('Wrong');
    try {
      const file = writeClusterFile(rig, 'cli-cluster', {
        credentials: {
          from: 'env',
          passwordVariable: 'HSM_CO_PASSWORD',
          usernameVariable: 'HSM_CO_USER',
          versionVariable: 'HSM_CO_VERSION',
        },
        reportDir: 'cli-reports',
      });
      const env = (password: string, version: string) => ({
        HSM_CO_PASSWORD: password,
        HSM_CO_USER: 'admin',
        HSM_CO_VERSION: version,
      });

      const outputs = [
        await runCli(['sync', '--cluster-file', file, '--yes', '--verbose'], { env: env(rig.password, '1') }),
        await runCli(['audit', '--cluster-file', file, '--json', '--verbose'], { env: env(wrong, '2') }),
        await runCli(['audit', '--cluster-file', file, '--verbose'], { env: env(wrong, '2') }),
      ];
      // The same with a util that dumps its input as it dies (a new version, so a login is sent).
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          JSON.stringify(emulatedCommand(rig.tool)),
          JSON.stringify([...emulatedCommand(rig.tool), '--echo', 'dump']),
        ),
      );
      outputs.push(
        await runCli(['audit', '--cluster-file', file, '--verbose'], { env: env(rig.password, '3') }),
      );

      expect(outputs.map((o) => o.code)).toEqual([3, 3, 3, 3]);
      expect(outputs[0]?.stderr).toContain('"message":"synced"');
      const texts = Object.fromEntries(
        outputs.flatMap((o, i) => [
          [`stdout ${i}`, o.stdout],
          [`stderr ${i}`, o.stderr],
        ]),
      );
      for (const password of [rig.password, wrong]) {
        const result = scanForSecret(password, [join(rig.dir, 'cli-reports')], texts);
        expect(result.hits).toEqual([]);
        expect(result.files).toBeGreaterThan(5);
      }
    } finally {
      await rig.close();
    }
  }, 120_000);
});
