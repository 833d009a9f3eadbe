#!/usr/bin/env node
// The `hsm-sentinel` command, for any Node on PATH (18 or later): plain JavaScript that runs the
// TypeScript entry (bin/hsm-sentinel.ts) on Node 24, the project's own runtime.
// - The current Node is 24 or later and strips types: the entry is imported here, in process.
// - Otherwise the project's Node (the `node` devDependency: node_modules/node/bin/node, found
//   from this file's real path, so `npm link` and `npx hsm-sentinel` symlinks work) runs it as
//   a child with the same arguments and stdio; SIGINT/SIGTERM/SIGHUP are passed on, and its
//   exit code (or signal) becomes ours.
// - No such Node: one line saying to run `npm ci`, exit 1.
import { spawn } from 'node:child_process';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const PROJECT_NODE_MAJOR = 24;
const here = dirname(realpathSync(fileURLToPath(import.meta.url)));
const root = dirname(here);
const entry = join(here, 'hsm-sentinel.ts');

const major = Number(process.versions.node.split('.')[0]);
// process.features.typescript: 'strip' | 'transform' when type stripping is on (false with
// --no-experimental-strip-types, undefined before Node 22.10).
if (major >= PROJECT_NODE_MAJOR && process.features.typescript) {
  await import(pathToFileURL(entry).href);
} else {
  runOnProjectNode();
}

function projectNode() {
  // Where `npm ci` puts it: in this checkout, or hoisted above it when installed as a dependency.
  for (let dir = root; ; dir = dirname(dir)) {
    const candidate = join(
      dir,
      'node_modules',
      'node',
      'bin',
      process.platform === 'win32' ? 'node.exe' : 'node',
    );
    if (existsSync(candidate)) return candidate;
    if (dirname(dir) === dir) return null;
  }
}

function noNode(problem) {
  process.stderr.write(`hsm-sentinel: ${problem}: run \`npm ci\` in ${root}\n`);
  process.exit(1);
}

function runOnProjectNode() {
  const node = projectNode();
  if (!node) {
    noNode(
      `this is Node ${process.versions.node} and the project's Node ${PROJECT_NODE_MAJOR} (node_modules/node) is not installed`,
    );
  }
  const child = spawn(node, [entry, ...process.argv.slice(2)], { stdio: 'inherit' });
  const forward = (signal) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  };
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, forward);
  child.on('error', (error) =>
    noNode(`cannot start the project's Node ${node} (${error.code ?? error.message})`),
  );
  child.on('exit', (code, signal) => {
    for (const s of signals) process.off(s, forward);
    if (signal) process.kill(process.pid, signal);
    else process.exit(code ?? 1);
  });
}
