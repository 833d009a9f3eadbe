/**
 * bin/hsm-sentinel.js, the `hsm-sentinel` command, run by the machine's own Node (the first
 * `node` on PATH outside node_modules: 20 on these machines), as someone who never ran
 * `npm start` would run it.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { accessSync, constants, readFileSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readdir, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { PROJECT_ROOT } from '../support/cli/run-cli.ts';

const LAUNCHER = join(PROJECT_ROOT, 'bin/hsm-sentinel.js');
const PATH_OUTSIDE_NODE_MODULES = (process.env.PATH ?? '')
  .split(delimiter)
  .filter((dir) => dir !== '' && !dir.includes('node_modules'))
  .join(delimiter);

/** `command -v node` with node_modules/.bin taken off PATH. */
function systemNode(): string {
  for (const dir of PATH_OUTSIDE_NODE_MODULES.split(delimiter)) {
    const candidate = join(dir, 'node');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  throw new Error(`no node on PATH outside node_modules (${PATH_OUTSIDE_NODE_MODULES})`);
}

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function start(command: string, args: string[], options: { cwd?: string; stdin?: string | null } = {}) {
  const child = spawn(command, args, {
    cwd: options.cwd ?? PROJECT_ROOT,
    // What a shell outside `npm run` has: no node_modules/.bin on PATH.
    env: { ...process.env, PATH: PATH_OUTSIDE_NODE_MODULES, NODE_OPTIONS: '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  if (options.stdin !== null) child.stdin?.end(options.stdin ?? '');
  const done = new Promise<Run>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${command} ${args.join(' ')} did not finish in 20 s\n${stdout}\n${stderr}`));
    }, 20000);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { child, done };
}

const run = (command: string, args: string[], options: { cwd?: string; stdin?: string } = {}) =>
  start(command, args, options).done;

/** Children of a process (Linux /proc), polled until one appears or the deadline passes. */
async function childOf(parent: ChildProcess, deadlineMs = 10000): Promise<number> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    const tasks = await readdir(`/proc/${parent.pid}/task`).catch(() => []);
    for (const task of tasks) {
      const children = readFileSync(`/proc/${parent.pid}/task/${task}/children`, 'utf8').trim();
      if (children) return Number(children.split(' ')[0]);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }
  throw new Error(`process ${parent.pid} started no child in ${deadlineMs} ms`);
}

/** Whether a process has ended (gone, or a zombie waiting for its parent), polled until the deadline. */
async function ended(pid: number, deadlineMs = 10000): Promise<boolean> {
  const until = Date.now() + deadlineMs;
  while (Date.now() < until) {
    let stat = '';
    try {
      stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    } catch {
      return true;
    }
    if (/\) Z /.test(stat)) return true;
    await new Promise((resolve) => setImmediate(resolve));
  }
  return false;
}

describe('bin/hsm-sentinel.js on the machine Node', () => {
  const node = systemNode();
  let systemVersion = '';
  let systemMajor = 0;
  let dir: string;

  beforeAll(async () => {
    systemVersion = (await run(node, ['-p', 'process.versions.node'])).stdout.trim();
    systemMajor = Number(systemVersion.split('.')[0]);
    dir = await mkdtemp(join(tmpdir(), 'launcher-'));
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('runs the CLI: usage, exit codes and stdin pass through', async () => {
    const help = await run(node, [LAUNCHER, '--help']);
    const unknown = await run(node, [LAUNCHER, 'no-such-command']);
    const parsed = await run(node, [LAUNCHER, 'parse', 'listUsers'], {
      stdin: readFileSync(join(PROJECT_ROOT, 'test/fixtures/transcripts/aws-listUsers.txt'), 'utf8'),
    });

    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^usage: hsm-sentinel <command>/);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("hsm-sentinel: unknown command 'no-such-command'");
    expect(parsed).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(parsed.stdout)).toMatchObject({ command: 'listUsers' });
  });

  it('runs through a symlink elsewhere (npm link, npx) and as ./bin/hsm-sentinel.ts', async () => {
    const linked = join(dir, 'global-bin', 'hsm-sentinel');
    await mkdir(join(dir, 'global-bin'));
    await symlink(LAUNCHER, linked);

    const viaLink = await run(linked, ['--help'], { cwd: dir });
    const viaTs = await run(join(PROJECT_ROOT, 'bin/hsm-sentinel.ts'), ['--help'], { cwd: dir });

    expect(viaLink).toMatchObject({ code: 0, stderr: '' });
    expect(viaLink.stdout).toMatch(/^usage: hsm-sentinel <command>/);
    expect(viaTs).toMatchObject({ code: 0, stderr: '' });
    expect(viaTs.stdout).toMatch(/^usage: hsm-sentinel <command>/);
  });

  it('passes SIGTERM on to the Node 24 child and ends with it', async () => {
    if (systemMajor >= 24) return; // that Node runs the CLI in process: there is no child
    const { child, done } = start(node, [LAUNCHER, 'parse', 'listUsers'], { stdin: null }); // waits on stdin
    const grandchild = await childOf(child);

    child.kill('SIGTERM');
    const result = await done;

    expect(result.signal).toBe('SIGTERM');
    expect(await ended(grandchild)).toBe(true);
  });

  it('says in one line to run npm ci when the project has no Node 24', async () => {
    if (systemMajor >= 24) return; // that Node needs none
    const checkout = join(dir, 'checkout');
    await mkdir(join(checkout, 'bin'), { recursive: true });
    await copyFile(LAUNCHER, join(checkout, 'bin/hsm-sentinel.js'));

    const result = await run(node, [join(checkout, 'bin/hsm-sentinel.js'), '--help'], { cwd: dir });

    expect(result.code).toBe(1);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      `hsm-sentinel: this is Node ${systemVersion} and the project's Node 24 (node_modules/node) is not installed: run \`npm ci\` in ${checkout}\n`,
    );
  });
});
