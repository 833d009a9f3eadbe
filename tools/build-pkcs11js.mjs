// The root `postinstall`: builds the pkcs11js native addon (under graphene-pk11, the Luna
// driver's PKCS#11 binding) for the Node that runs the project, offline.
//
// Why here and not in pkcs11js's own install script: node-gyp needs the target Node's
// headers, and the only Node 24 headers on the machine are the ones the `node` devDependency
// unpacks in its preinstall (node_modules/node/node_modules/node-<platform>-<arch>/include).
// npm does not order the install scripts of unrelated packages, so pkcs11js's own
// `node-gyp rebuild` could run before they exist (and fall back to downloading headers, which
// fails offline, or to a machine-wide `nodedir`). package.json `allowScripts` therefore denies
// pkcs11js's script, and this script, which npm runs after every dependency's scripts, builds it.
//
// Every run (npm ci, npm install, npm install <pkg>):
// 1. pkcs11js not installed: nothing to do.
// 2. the addon already loads in this Node: nothing to do (a later `npm install <pkg>` keeps it).
// 3. else: the headers of this Node are taken from the `node` package (restored with
//    `npm rebuild node` when a later `npm install` pruned them: npm removes that package's
//    --no-save install as extraneous), npm's own node-gyp builds the addon with --nodedir,
//    and a fresh process of this Node must load it. Any failure exits 1 with one line and
//    node-gyp's last lines.
// It runs on whatever `node` npm finds first on PATH: node_modules/.bin/node (the project's
// Node 24) when devDependencies are installed.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const started = Date.now();
const say = (line) => process.stdout.write(`build-pkcs11js: ${line}\n`);
const fail = (line, detail = '') => {
  process.stderr.write(`build-pkcs11js: ${line}\n${detail}`);
  process.exit(1);
};

function pkcs11jsDir() {
  try {
    return dirname(createRequire(join(root, 'package.json')).resolve('pkcs11js/package.json'));
  } catch {
    return null;
  }
}

/** Loads the addon in a fresh process of this Node: null when it loads, else the reason. */
function loadError(dir) {
  const r = spawnSync(process.execPath, ['-e', 'require(process.argv[1])', dir], { encoding: 'utf8' });
  if (r.status === 0) return null;
  return (r.stderr || r.error?.message || 'unknown error').split('\n').find((l) => /Error/.test(l)) ?? '';
}

/** The `node` package's headers for exactly this Node version, or null. */
function projectNodeHeaders() {
  const platform = process.platform === 'win32' ? 'win' : process.platform;
  const dir = join(root, 'node_modules', 'node', 'node_modules', `node-${platform}-${process.arch}`);
  const versionH = join(dir, 'include', 'node', 'node_version.h');
  if (!existsSync(versionH)) return null;
  const h = readFileSync(versionH, 'utf8');
  const part = (name) => new RegExp(`#define ${name} (\\d+)`).exec(h)?.[1];
  const version = `v${part('NODE_MAJOR_VERSION')}.${part('NODE_MINOR_VERSION')}.${part('NODE_PATCH_VERSION')}`;
  return version === process.version ? dir : null;
}

function npmCli() {
  const execPath = process.env.npm_execpath;
  if (execPath && existsSync(execPath)) return [process.execPath, execPath];
  return ['npm'];
}

function nodeGyp() {
  const candidates = [process.env.npm_config_node_gyp];
  if (process.env.npm_execpath) {
    candidates.push(
      join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    );
  }
  return candidates.find((c) => c && existsSync(c)) ?? null;
}

const dir = pkcs11jsDir();
if (dir === null) process.exit(0);
if (loadError(dir) === null) {
  say(`pkcs11js already built for Node ${process.version}`);
  process.exit(0);
}

let headers = projectNodeHeaders();
if (headers === null && existsSync(join(root, 'node_modules', 'node', 'package.json'))) {
  // A later `npm install` pruned the headers; the `node` package's preinstall brings them back.
  const [cmd, ...args] = npmCli();
  spawnSync(cmd, [...args, 'rebuild', 'node', '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd: root,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  headers = projectNodeHeaders();
}
if (headers === null) {
  fail(
    `no headers for Node ${process.version}: the 'node' devDependency is not installed (npm ci --omit=dev?) ` +
      'or is another version; run npm ci with devDependencies.\n',
  );
}
const gyp = nodeGyp();
if (gyp === null) fail("npm's node-gyp not found: run this through npm (npm ci / npm rebuild).\n");

const env = { ...process.env, npm_config_nodedir: headers };
const build = spawnSync(process.execPath, [gyp, 'rebuild', `--nodedir=${headers}`, '--jobs=max'], {
  cwd: dir,
  env,
  encoding: 'utf8',
});
if (build.status !== 0) {
  const tail = `${build.stdout ?? ''}${build.stderr ?? ''}`.trim().split('\n').slice(-25).join('\n');
  fail(`node-gyp rebuild of pkcs11js failed (exit ${build.status ?? build.error?.message}):`, `${tail}\n`);
}
const after = loadError(dir);
if (after !== null) fail(`pkcs11js was built but Node ${process.version} cannot load it: ${after}\n`);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
say(`pkcs11js built for Node ${process.version} against ${relative(root, headers)} in ${seconds} s`);
