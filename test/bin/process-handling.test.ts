/**
 * The ways out of the `hsm-sentinel` command, as a person meets them from a fresh clone with
 * the machine's Node (20) first on PATH and the command on PATH as `npm link` puts it (a
 * symlink to bin/hsm-sentinel.js): --version; a closed pipe (`demo | head -1`, `emulator
 * start | head -1`) ends quietly with exit 0; a missing cluster file is one line and exit 2;
 * Ctrl-C (SIGINT) and SIGTERM stop the util and every child, remove the temporary folders and
 * configs of the run, and leave no process behind.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { childProcessIds } from '#cli/shutdown.ts';
import type { EmulatedCluster } from '#emulator/cluster.ts';
import { PROJECT_ROOT } from '../support/cli/run-cli.ts';
import { SYSTEM_PATH } from '../support/cli/system-path.ts';
import { emulatedClusterFile } from '../support/emulator/emulated-cluster-file.ts';

const PASSWORD = 'Signal-Pa55-61aa';
/** No stack trace, no EPIPE, no unhandled error in what a person sees. */
const NOISE = /EPIPE|Error:|\n\s+at |node:internal|Unhandled/;

interface Ran {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(command: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
  const done = new Promise<Ran>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not end in 60 s\n${stdout}\n${stderr}`));
    }, 60000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

/** Every descendant of a process (Linux /proc). */
function descendants(pid: number): number[] {
  return childProcessIds(pid).flatMap((child) => [child, ...descendants(child)]);
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
  } catch {
    return '';
  }
}

function running(pid: number): boolean {
  try {
    return !/\) [ZX] /.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

/** The per-call folders (util configs) of every run below a TMPDIR: hsm-sentinel-work/<process>/<call>. */
function callFolders(temp: string): string[] {
  const work = join(temp, 'hsm-sentinel-work');
  const list = (dir: string) => {
    try {
      return readdirSync(dir);
    } catch {
      return [];
    }
  };
  return list(work).flatMap((p) => list(join(work, p)).map((c) => `${p}/${c}`));
}

async function until<T>(probe: () => T | null | undefined, what: string, ms = 20000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = probe();
    if (value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('hsm-sentinel from a shell with the machine Node first on PATH', () => {
  let dir: string;
  let bin: string;
  let env: NodeJS.ProcessEnv;
  const sh = (script: string, cwd = dir) => start('/bin/bash', ['-c', script], env, cwd).done;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'process-handling-'));
    bin = join(dir, 'bin');
    await mkdir(bin);
    await symlink(join(PROJECT_ROOT, 'bin/hsm-sentinel.js'), join(bin, 'hsm-sentinel')); // what npm link makes
    env = {
      ...process.env,
      PATH: `${bin}${delimiter}${SYSTEM_PATH}`,
      NODE_OPTIONS: '',
      HSM_CO_PASSWORD: PASSWORD,
      HSM_SENTINEL_DEMO_PASSWORD: PASSWORD,
    };
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs on the machine Node (not 24) and prints its version', async () => {
    const node = await sh('node --version');
    const version = await sh('hsm-sentinel --version');

    expect(node.stdout).not.toMatch(/^v24\./);
    expect(version).toMatchObject({ code: 0, stderr: '' });
    expect(version.stdout).toMatch(/^hsm-sentinel \d+\.\d+\.\d+ \(Node 24\.\d+\.\d+\)\n$/);
  });

  it('demo | head -1: the first line, then a quiet end with exit 0', async () => {
    const ran = await sh(`set -o pipefail; hsm-sentinel demo --report-dir ${join(dir, 'demo')} | head -1`);

    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(
      /^hsm-sentinel run demo-\S+ on demo-aws-cluster \(emulator, mgmt-util-aws\)\n$/,
    );
    expect(ran.stderr).not.toMatch(NOISE);
  }, 60000);

  it('emulator start | head -1: quiet, exit 0, and the cluster runs', async () => {
    const state = join(dir, 'emulator');
    const ran = await sh(`set -o pipefail; hsm-sentinel emulator start --state-dir ${state} | head -1`);
    const status = await sh(`hsm-sentinel emulator status --json --state-dir ${state}`);
    await sh(`hsm-sentinel emulator stop --state-dir ${state}`);

    expect(ran.code).toBe(0);
    expect(ran.stdout).toMatch(/^emulated cluster \(pid \d+, seed demo\) in /);
    expect(ran.stderr).not.toMatch(NOISE);
    expect(JSON.parse(status.stdout)).toMatchObject({ running: true });
  }, 60000);

  it('npx hsm-sentinel … --json in the checkout: stdout is the JSON alone (no npm banner)', async () => {
    const ran = await sh('npx hsm-sentinel --version --json', PROJECT_ROOT);

    expect(ran.code).toBe(0);
    expect(JSON.parse(ran.stdout)).toMatchObject({ name: 'hsm-sentinel' });
  }, 30000);

  it('audit --cluster-file missing.json: exit 2 and one line', async () => {
    const ran = await sh('hsm-sentinel audit --cluster-file missing.json');

    expect(ran.code).toBe(2);
    expect(ran.stdout).toBe('');
    expect(ran.stderr).toBe(
      `hsm-sentinel audit: cluster file ${join(dir, 'missing.json')} cannot be read (ENOENT)\n`,
    );
  });

  describe('a signal while a slow node is being read', () => {
    let cluster: EmulatedCluster;
    let clusterFile: string;

    beforeAll(async () => {
      await mkdir(join(dir, 'slow'));
      ({ cluster, clusterFile } = await emulatedClusterFile(join(dir, 'slow'), {
        clusterId: 'slow-cluster',
        seed: 'aws',
        password: PASSWORD,
      }));
      await cluster.setFault(1, { slowMs: 60000 });
    });

    afterAll(async () => {
      await cluster.stop();
    });

    it.each([
      ['SIGINT (Ctrl-C), through the launcher on the machine Node', 'SIGINT', true],
      ['SIGTERM, to the Node 24 process itself', 'SIGTERM', false],
    ] as const)(
      '%s: the util and every child stop, the temp folders go, nothing is left',
      async (_, signal, viaLauncher) => {
        const temp = await mkdtemp(join(dir, `tmp-${signal}-`));
        const args = ['sync', '--cluster-file', clusterFile, '--yes'];
        const withTemp = { ...env, TMPDIR: temp };
        const { child, done } = viaLauncher
          ? start(join(bin, 'hsm-sentinel'), args, withTemp, dir)
          : start(
              join(PROJECT_ROOT, 'node_modules/.bin/node'),
              [join(PROJECT_ROOT, 'bin/hsm-sentinel.ts'), ...args],
              withTemp,
              dir,
            );
        const pid = child.pid ?? 0;

        // The util of the slow node is running, and the run's temp folder (util configs) exists.
        const utils = await until(() => {
          const found = descendants(pid).filter((p) => commandLine(p).includes('mgmt-util/main.ts'));
          return found.length >= 3 && callFolders(temp).length > 0 ? found : null;
        }, 'the utils and the temp folder');
        const everyone = descendants(pid);
        (child as ChildProcess).kill(signal);
        const result = await done;

        expect(result.signal).toBe(signal);
        expect(result.stderr).toContain(
          `hsm-sentinel: ${signal}: stopping the tool's processes and removing temporary files`,
        );
        expect(result.stderr).not.toMatch(NOISE);
        expect(utils.filter(running)).toEqual([]); // the utils it was running stopped with it
        expect(everyone.filter(running).map((p) => `${p} ${commandLine(p)}`)).toEqual([]);
        expect(callFolders(temp)).toEqual([]);
        expect(readdirSync(join(temp, 'hsm-sentinel-work'))).toEqual([]);
      },
      60000,
    );
  });
});
