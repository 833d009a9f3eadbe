/**
 * The README's "Practise the runbook" block, run as written: each line in one bash session
 * (the export carries over), with the machine's Node first on PATH (no node_modules/.bin), from
 * a checkout of its own (the repository's bin/ and node_modules linked in, so its .runs/ is the
 * test's), the emulator on loopback; each line's exit code is the one its comment states.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT } from '../support/cli/run-cli.ts';
import { SYSTEM_PATH } from '../support/cli/system-path.ts';

async function runbookLines(): Promise<{ command: string; exit: number }[]> {
  const readme = await readFile(join(PROJECT_ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('## Practise the runbook'));
  const block = section.slice(
    section.indexOf('```sh\n') + 6,
    section.indexOf('\n```', section.indexOf('```sh\n')),
  );
  return block
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((command) => ({ command, exit: Number(/#\s*exit (\d+)/.exec(command)?.[1] ?? 0) }));
}

describe('README: Practise the runbook', () => {
  let checkout: string;
  let lines: { command: string; exit: number }[];
  let exits: number[];
  let output: string;

  beforeAll(async () => {
    lines = await runbookLines();
    checkout = await mkdtemp(join(tmpdir(), 'runbook-'));
    await symlink(join(PROJECT_ROOT, 'bin'), join(checkout, 'bin'));
    await symlink(join(PROJECT_ROOT, 'node_modules'), join(checkout, 'node_modules'));
    const exitsFile = join(checkout, 'exits');
    const script = lines.map((l) => `${l.command}\necho $? >> ${exitsFile}`).join('\n');
    await writeFile(join(checkout, 'runbook.sh'), `${script}\n`);
    output = await new Promise<string>((resolve, reject) => {
      const child = spawn('/bin/bash', ['runbook.sh'], {
        cwd: checkout,
        env: { ...process.env, PATH: SYSTEM_PATH, NODE_OPTIONS: '', HSM_CO_PASSWORD: undefined },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      child.stdout.on('data', (c: Buffer) => (text += c.toString()));
      child.stderr.on('data', (c: Buffer) => (text += c.toString()));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the runbook did not end in 120 s:\n${text}`));
      }, 120000);
      child.on('close', () => {
        clearTimeout(timer);
        resolve(text);
      });
    });
    exits = (await readFile(exitsFile, 'utf8')).trim().split('\n').map(Number);
  }, 150000);

  afterAll(async () => {
    // Whatever happened above, no emulator is left running.
    await new Promise((resolve) =>
      spawn(join(PROJECT_ROOT, 'bin/hsm-sentinel.js'), ['emulator', 'stop'], {
        cwd: checkout,
        stdio: 'ignore',
      }).on('close', resolve),
    );
    await rm(checkout, { recursive: true, force: true });
  });

  it('starts the emulator, injects a fault, audits, syncs with a plan, reads the report, stops', () => {
    const words = lines.map((l) => l.command);
    expect(words.some((c) => c.startsWith('export HSM_CO_PASSWORD='))).toBe(true);
    for (const step of [
      'emulator start',
      'emulator fault',
      'audit',
      '--save-plan',
      'sync',
      '--plan',
      'report',
      'emulator stop',
    ])
      expect(words.some((c) => c.includes(step))).toBe(true);
  });

  it('every line exits with the code its comment states', () => {
    expect(exits.map((code, i) => `${code} ${lines[i]?.command.split('#')[0]?.trim()}`)).toEqual(
      lines.map((l) => `${l.exit} ${l.command.split('#')[0]?.trim()}`),
    );
  });

  it('the sync applied the saved plan and verified it; the page was written; nothing was left running', async () => {
    expect(output).toMatch(/hsm-emu-1: .*unreachable|unreachable\s+hsm-emu-1/);
    expect(output).toContain('Verified: every repaired object is now on every node.');
    expect(output).toMatch(/key 262170: divergent/);
    expect(output).not.toMatch(/\n\s+at .*\.(ts|js):\d+/);
    expect(existsSync(join(checkout, '.runs/emulator/report.html'))).toBe(true);
    expect(existsSync(join(checkout, '.runs/emulator/cluster.json'))).toBe(false);
  });
});
