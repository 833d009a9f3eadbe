/**
 * On a terminal (a real pseudo-terminal: util-linux `script`), hsm-sentinel draws a live line
 * per node with its elapsed time, colours its report, and asks before a local sync writes;
 * NO_COLOR turns the colour off, a pipe has neither colour nor live lines, FORCE_COLOR forces
 * colour into a pipe.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { EmulatedCluster } from '#emulator/cluster.ts';
import { PROJECT_ROOT, runCli } from '../support/cli/run-cli.ts';
import { emulatedClusterFile } from '../support/emulator/emulated-cluster-file.ts';

const PASSWORD = 'Tty-Pa55-0b7e';
const NODE = join(PROJECT_ROOT, 'node_modules/.bin/node');
const CLI = join(PROJECT_ROOT, 'bin/hsm-sentinel.ts');
// biome-ignore lint/suspicious/noControlCharactersInRegex: looks for the colour codes written
const COLOUR = /\u001b\[3[1-3]m/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: looks for the live redraw
const REDRAW = /\u001b\[\d+A\r\u001b\[2K/;

/** A pattern where `<31m` stands for the escape sequence ESC [ 31 m. */
function ansi(pattern: string): RegExp {
  return new RegExp(pattern.replace(/<(\d+[A-Za-z])/g, '\u001b\\[$1'));
}

/** Runs the CLI on a pseudo-terminal; `typed` is what the person types. */
function onTerminal(
  args: string[],
  env: NodeJS.ProcessEnv,
  typed = '',
): Promise<{ code: number | null; screen: string }> {
  const command = [NODE, CLI, ...args].map((a) => `'${a}'`).join(' ');
  return new Promise((resolve, reject) => {
    const child = spawn('script', ['-qfec', command, '/dev/null'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, ...env, TERM: 'xterm', COLUMNS: '120' },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.on('data', (c: Buffer) => (screen += c.toString()));
    child.stderr.on('data', (c: Buffer) => (screen += c.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no end in 60 s: ${screen}`));
    }, 60000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
    child.stdin.end(typed);
  });
}

describe('hsm-sentinel on a terminal', () => {
  let dir: string;
  let cluster: EmulatedCluster;
  let clusterFile: string;
  const env = { HSM_CO_PASSWORD: PASSWORD, HSM_CO_USER: 'admin' };

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'terminal-'));
    ({ cluster, clusterFile } = await emulatedClusterFile(dir, {
      clusterId: 'tty-cluster',
      seed: 'azure',
      password: PASSWORD,
    }));
  });

  afterAll(async () => {
    await cluster.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('draws a live line per node with its elapsed time while a slow node is read, in colour', async () => {
    await cluster.setFault(2, { slowMs: 400 });
    try {
      const { code, screen } = await onTerminal(['audit', '--cluster-file', clusterFile], env);

      expect(code).toBe(3);
      expect(screen).toMatch(REDRAW);
      // The slow node is drawn still running (…) after a second while the others are done (✓).
      const slowRunning = ansi('…<39m CollectNode \\[server 2\\] hsm-emu-2 {2}<2m([1-9]\\d*\\.\\d) s').exec(
        screen,
      );
      expect(slowRunning).not.toBeNull();
      expect(screen).toMatch(ansi('✓<39m CollectNode \\[server 0\\] hsm-emu-0'));
      expect(screen).toMatch(COLOUR);
      expect(screen).toMatch(ansi('<31m\\[critical\\]<39m'));
    } finally {
      await cluster.clearFaults(2);
    }
  }, 60000);

  it('NO_COLOR: no colour, still live lines; a pipe: neither; FORCE_COLOR: colour in a pipe', async () => {
    const noColour = await onTerminal(['audit', '--cluster-file', clusterFile], { ...env, NO_COLOR: '1' });
    const piped = await runCli(['audit', '--cluster-file', clusterFile], {
      env: { ...env, NO_COLOR: '', FORCE_COLOR: '' },
    });
    const forced = await runCli(['audit', '--cluster-file', clusterFile], {
      env: { ...env, FORCE_COLOR: '1' },
    });

    expect(noColour.screen).not.toMatch(COLOUR);
    expect(noColour.screen).toMatch(REDRAW);
    expect(piped.stdout + piped.stderr).not.toContain('\u001b[');
    expect(piped.stderr).toMatch(/^ {2}> CollectNode \[server 1\] hsm-emu-1$/m);
    expect(forced.stdout).toMatch(COLOUR);
  }, 60000);

  it('asks before a local sync writes: "n" writes nothing (exit 3), "y" applies the plan shown (exit 0)', async () => {
    const declined = await onTerminal(['sync', '--cluster-file', clusterFile], env, 'n\n');
    const untouched = cluster.readState(1).keys.map((k) => k.handle);
    const applied = await onTerminal(['sync', '--cluster-file', clusterFile], env, 'y\n');

    expect(declined.code).toBe(3);
    expect(declined.screen).toContain('Apply these 2 action(s) to tty-cluster? [y/N]');
    expect(declined.screen).toContain('Not applied: nothing written.');
    expect(untouched).not.toContain(262150);
    expect(applied.code).toBe(0);
    expect(applied.screen).toMatch(ansi('outcome: <32mrepaired'));
    expect(cluster.readState(1).keys.map((k) => k.handle)).toContain(262150);
  }, 90000);
});
