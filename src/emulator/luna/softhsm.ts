/**
 * Real PKCS#11 tokens for the emulated Luna: Debian's SoftHSM2, one token per HA member, in a
 * folder of the caller's with its own SOFTHSM2_CONF (the machine-wide /etc/softhsm and
 * /var/lib/softhsm are never touched).
 *
 * Tokens are made with `softhsm2-util --init-token --free --label L --so-pin S --pin P`. That
 * tool reads PINs only from its arguments or from a terminal (piped stdin is refused: "Could not
 * get SO PIN"), so the two PINs are on its command line, visible in `ps` for the few
 * milliseconds it runs. They are emulator/test PINs, never a production credential.
 *
 * A member that is down is a token whose folder is moved out of the token directory: SoftHSM
 * then does not serve it to any process that initialises the library afterwards.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runInThisContext } from 'node:vm';

/**
 * The environment native libraries read (getenv). Test runners such as Jest give test code a
 * copy of process.env; SoftHSM reads SOFTHSM2_CONF from the real one at C_Initialize, so the
 * emulator and the tests set it here. In a plain Node process this is process.env itself.
 */
export function nativeEnv(): NodeJS.ProcessEnv {
  return (runInThisContext('process') as NodeJS.Process).env;
}

/** Runs `fn` with SOFTHSM2_CONF set to `conf` in the native environment, then restores it. */
export function withSoftHsmConf<T>(conf: string, fn: () => T): T {
  const env = nativeEnv();
  const previous = env.SOFTHSM2_CONF;
  env.SOFTHSM2_CONF = conf;
  try {
    return fn();
  } finally {
    if (previous === undefined) delete env.SOFTHSM2_CONF;
    else env.SOFTHSM2_CONF = previous;
  }
}

export const SOFTHSM_LIBRARY = '/usr/lib/softhsm/libsofthsm2.so';
export const SETUP_SCRIPT = 'tools/setup-system.sh';

/** One line a test prints when SoftHSM2 is missing: never a silent skip. */
export const SOFTHSM_MISSING = `SoftHSM2 is not installed (${SOFTHSM_LIBRARY} or softhsm2-util missing): run 'bash ${SETUP_SCRIPT}' as root (CI runs it from .ci/run)`;

export function softHsmAvailable(library = SOFTHSM_LIBRARY): boolean {
  if (!existsSync(library)) return false;
  return spawnSync('softhsm2-util', ['--version'], { stdio: 'ignore' }).status === 0;
}

/** Throws the one-line SOFTHSM_MISSING error when SoftHSM2 is not installed. */
export function requireSoftHsm(library = SOFTHSM_LIBRARY): void {
  if (!softHsmAvailable(library)) throw new Error(SOFTHSM_MISSING);
}

export interface SoftHsmHome {
  /** The SOFTHSM2_CONF file. */
  conf: string;
  tokenDir: string;
  /** Where the folders of tokens that are "down" wait. */
  offlineDir: string;
  library: string;
}

/** Creates `<dir>/softhsm2.conf`, `<dir>/tokens` and `<dir>/offline`. */
export function createSoftHsmHome(dir: string, library = SOFTHSM_LIBRARY): SoftHsmHome {
  const tokenDir = join(dir, 'tokens');
  const offlineDir = join(dir, 'offline');
  mkdirSync(tokenDir, { recursive: true, mode: 0o700 });
  mkdirSync(offlineDir, { recursive: true, mode: 0o700 });
  const conf = join(dir, 'softhsm2.conf');
  writeFileSync(
    conf,
    `# Written by the emulated Luna (src/emulator/luna/softhsm.ts)\ndirectories.tokendir = ${tokenDir}\nobjectstore.backend = file\nlog.level = ERROR\nslots.removable = false\nslots.mechanisms = ALL\nlibrary.reset_on_fork = false\n`,
    { mode: 0o600 },
  );
  return { conf, tokenDir, offlineDir, library };
}

export interface InitialisedToken {
  label: string;
  /** SoftHSM's token serial: the last 16 hex digits of its folder's UUID. */
  serial: string;
  /** The token's folder name under tokenDir. */
  folder: string;
}

/** Initialises one token with softhsm2-util (see the module note about its PIN arguments). */
export function initToken(
  home: SoftHsmHome,
  label: string,
  soPin: string,
  userPin: string,
): InitialisedToken {
  const before = new Set(readdirSync(home.tokenDir));
  const r = spawnSync(
    'softhsm2-util',
    ['--init-token', '--free', '--label', label, '--so-pin', soPin, '--pin', userPin],
    { env: { ...process.env, SOFTHSM2_CONF: home.conf }, encoding: 'utf8' },
  );
  if (r.status !== 0) {
    const detail = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim().split('\n').at(-1) ?? '';
    throw new Error(
      `softhsm2-util --init-token --label ${label} failed (${r.status ?? r.error?.message}): ${detail}`,
    );
  }
  const folder = readdirSync(home.tokenDir).find((f) => !before.has(f));
  if (!folder) throw new Error(`softhsm2-util initialised ${label} but no new token folder appeared`);
  return { label, serial: folder.replaceAll('-', '').slice(-16), folder };
}

/** Stops serving a token (member down). Idempotent. */
export function takeOffline(home: SoftHsmHome, folder: string): void {
  const from = join(home.tokenDir, folder);
  if (existsSync(from)) renameSync(from, join(home.offlineDir, folder));
}

/** Serves a token again (member back). Idempotent. */
export function bringOnline(home: SoftHsmHome, folder: string): void {
  const from = join(home.offlineDir, folder);
  if (existsSync(from)) renameSync(from, join(home.tokenDir, folder));
}

export function isServed(home: SoftHsmHome, folder: string): boolean {
  return existsSync(join(home.tokenDir, folder));
}
