// Root postinstall (`npm ci`, `npm install`): says which Node the project runs on, and redoes
// the two checks .npmrc's `loglevel=error` keeps npm from printing, against that Node.
//
// Why: npm compares every package's `engines` with the Node that runs npm (the machine's, 20
// here), not with the Node 24 the project installs (the `node` devDependency) and runs on; its
// EBADENGINE warnings for packages that need Node >= 22 read as "Node 24 was not installed".
// npm has no per-package engine override and no way to name another Node, so .npmrc lowers
// npm's log level, and this script checks `engines` against the project's own Node instead.
// It also lists install scripts that package.json `allowScripts` does not cover (npm's notice
// for those is a warning too). Exit 1 only when the project's Node is missing (and was not
// omitted on purpose: `npm ci --omit=dev`).
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const root = new URL('..', import.meta.url);
const read = (path) => JSON.parse(readFileSync(new URL(path, root), 'utf8'));
const say = (line) => process.stdout.write(`hsm-sentinel: ${line}\n`);

const npmNode = /\bnode\/(v\d+\S*)/.exec(process.env.npm_config_user_agent ?? '')?.[1] ?? process.version;
const binary = process.platform === 'win32' ? 'node.exe' : 'node';
if (!existsSync(new URL(`node_modules/node/bin/${binary}`, root))) {
  const omitted = /\bdev\b/.test(process.env.npm_config_omit ?? '') || process.env.NODE_ENV === 'production';
  if (omitted) {
    say(`devDependencies omitted, so the project's own Node is not installed: run the code on Node >= 24`);
    process.exit(0);
  }
  say(
    `the project's Node was not installed (node_modules/node/bin/${binary} is missing: the install script of the 'node' package did not run; allowScripts in package.json must allow it): nothing will run`,
  );
  process.exit(1);
}
const projectNode = `v${read('node_modules/node/package.json').version}`;
const lock = read('package-lock.json');
const manifest = read('package.json');

const problems = [];
const fits = (entry) =>
  (!entry.os || entry.os.includes(process.platform)) && (!entry.cpu || entry.cpu.includes(process.arch));
// The project itself ('') and every package installed here.
const packages = Object.entries(lock.packages ?? {}).filter(
  ([, entry]) => !entry.link && (!entry.optional || fits(entry)),
);
const nameOf = (path) =>
  path === '' ? manifest.name : path.slice(path.lastIndexOf('node_modules/') + 'node_modules/'.length);

let semver = null;
try {
  semver = createRequire(new URL('package.json', root))('semver');
} catch {
  problems.push('could not load semver to check engines');
}
if (semver) {
  const misfits = packages
    .filter(([, entry]) => entry.engines?.node)
    .filter(([, entry]) => !semver.satisfies(projectNode, entry.engines.node, { includePrerelease: true }))
    .map(([path, entry]) => `${nameOf(path)}@${entry.version} needs node ${entry.engines.node}`);
  if (misfits.length > 0) problems.push(`engines that ${projectNode} does not meet: ${misfits.join('; ')}`);
}

const allowed = Object.keys(manifest.allowScripts ?? {}).map((key) => key.replace(/(.)@.*$/, '$1'));
const unreviewed = packages
  .filter(([path, entry]) => path !== '' && entry.hasInstallScript && !allowed.includes(nameOf(path)))
  .map(([path, entry]) => `${nameOf(path)}@${entry.version}`);
if (unreviewed.length > 0) {
  problems.push(
    `install scripts not reviewed in package.json allowScripts: ${unreviewed.join(', ')} (npm install-scripts approve|deny NAME)`,
  );
}

say(
  `runs on its own Node ${projectNode} (node_modules/.bin/node; npm ran on ${npmNode})` +
    (problems.length === 0 ? `; every package's engines accept ${projectNode}` : ''),
);
for (const problem of problems) say(`warning: ${problem}`);
