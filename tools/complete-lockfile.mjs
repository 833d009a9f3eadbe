// Adds lockfile entries for platform-specific optional dependencies that npm left out.
//
// Why: the registry mirror these machines use holds only the platform binaries someone has
// asked for (linux ones), so `npm install` here cannot record the darwin/win32/musl/android
// variants of @biomejs/cli-* and @unrs/resolver-binding-*; `npm ci` then refuses the lockfile
// ("Missing: … from lock file", npm/cli#4828 family). Each added entry carries os/cpu/libc, so
// npm never fetches it on a platform it does not fit. Run after `npm install` changes the lock:
//   node tools/complete-lockfile.mjs
import { readFileSync, writeFileSync } from 'node:fs';

const path = new URL('../package-lock.json', import.meta.url);
const lock = JSON.parse(readFileSync(path, 'utf8'));
const packages = lock.packages;

const OS = [
  'android',
  'darwin',
  'freebsd',
  'linux',
  'openharmony',
  'win32',
  'aix',
  'netbsd',
  'openbsd',
  'sunos',
];
const CPU = ['arm64', 'x64', 'ia32', 'arm', 'loong64', 'ppc64', 'riscv64', 's390x'];

function platformOf(name) {
  const tail = name.split('/').pop();
  const os = OS.find((o) => tail.includes(`-${o}-`) || tail.startsWith(`${o}-`));
  const cpu = CPU.find(
    (c) =>
      new RegExp(`(^|-)${c}(-|$)`).test(tail) ||
      (c === 'arm' && /-arm-(eabi|gnueabihf|musleabihf)/.test(tail)),
  );
  if (!os || !cpu) return null;
  const entry = { os: [os], cpu: [cpu] };
  if (/musl/.test(tail)) entry.libc = ['musl'];
  else if (/gnu/.test(tail) || (os === 'linux' && name.startsWith('@biomejs/'))) entry.libc = ['glibc'];
  return entry;
}

let added = 0;
for (const [location, meta] of Object.entries(packages)) {
  if (!location || !meta.optionalDependencies) continue;
  for (const [dep, version] of Object.entries(meta.optionalDependencies)) {
    const key = `node_modules/${dep}`;
    const nested = `${location}/node_modules/${dep}`;
    if (packages[key] || packages[nested]) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    packages[key] = { version, ...(meta.dev ? { dev: true } : {}), optional: true, ...platform };
    added += 1;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
);
writeFileSync(path, `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} platform-specific optional entries`);
