/**
 * The emulated mgmt-util program, started like the vendor's:
 *   node src/emulator/mgmt-util/main.ts --dialect aws|azure <config-file>
 * AWS: stands in for /opt/cloudhsm/bin/cloudhsm_mgmt_util <cloudhsm_mgmt_util.cfg>;
 * Azure: for /opt/azurecloudhsm/bin/azcloudhsm_mgmt_util <azcloudhsm_resource.cfg>.
 * `--echo all|login|stderr` (tests only): input lines are written back as they are read,
 * password included: `all` every line to stdout (as a terminal with echo on shows them),
 * `login` only the loginHSM line to stdout (a util that prints its login back), `stderr`
 * every line to stderr, `dump` dies at the loginHSM line after printing it to stderr with a
 * long line after it (a util that dumps its input as it crashes). The secrets scan proves
 * such a util leaks nothing through hsm-sentinel.
 */
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DIALECTS, type Dialect } from '#drivers/mgmt-util/dialect.ts';
import { isEntryPoint } from '../entry-point.ts';
import { parseMgmtUtilConfig } from './config.ts';
import { MgmtUtilShell } from './shell.ts';

/** What `--echo` writes back (tests only). */
export const ECHO_MODES = ['all', 'login', 'stderr', 'dump'] as const;

/** `--echo dump`: a stderr tail of this many characters (the driver keeps 2,000) starts inside the password. */
const DUMP_TAIL = 2000;

/** Absolute path of this entry point, for spawning it. */
export const MGMT_UTIL_ENTRY = fileURLToPath(import.meta.url);

/** The command line that runs the emulated mgmt-util for a config file (with the running Node). */
export function mgmtUtilCommand(dialect: Dialect, configPath: string): { command: string; args: string[] } {
  return { command: process.execPath, args: [MGMT_UTIL_ENTRY, '--dialect', dialect, configPath] };
}

function fail(message: string): never {
  process.stderr.write(`${message}\n`);
  process.exit(2);
}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { dialect: { type: 'string' }, echo: { type: 'string' } },
    allowPositionals: true,
  });
  const dialect = values.dialect;
  const echo = values.echo;
  if (
    dialect === undefined ||
    !(DIALECTS as readonly string[]).includes(dialect) ||
    positionals.length !== 1 ||
    (echo !== undefined && !(ECHO_MODES as readonly string[]).includes(echo))
  ) {
    fail('usage: main.ts --dialect aws|azure [--echo all|login|stderr|dump] <config-file>');
  }
  const configPath = positionals[0] as string;
  let text: string;
  try {
    text = readFileSync(configPath, 'utf8');
  } catch {
    fail(`Error: cannot read config file ${configPath}`);
  }
  let servers: ReturnType<typeof parseMgmtUtilConfig>;
  try {
    servers = parseMgmtUtilConfig(dialect as Dialect, text, configPath);
  } catch (error) {
    fail(`Error: ${(error as Error).message}`);
  }
  process.stdout.on('error', () => process.exit(0));
  const input = createInterface({
    input: process.stdin,
    crlfDelay: Number.POSITIVE_INFINITY,
    terminal: false,
  });
  const lines = input[Symbol.asyncIterator]();
  const shell = new MgmtUtilShell(dialect as Dialect, servers, {
    write: (chunk) => {
      process.stdout.write(chunk);
    },
    readLine: async () => {
      const next = await lines.next();
      if (next.done === true) return null;
      const line = next.value.replace(/\r$/, '');
      if (echo === 'all' || (echo === 'login' && /^\s*loginhsm\b/i.test(line)))
        process.stdout.write(`${line}\n`);
      else if (echo === 'stderr') process.stderr.write(`${line}\n`);
      else if (echo === 'dump' && /^\s*loginhsm\b/i.test(line)) {
        // The last 2,000 characters of stderr start in the middle of the password.
        const password = line.trim().split(/\s+/).pop() ?? '';
        const padding = DUMP_TAIL - 3 - Math.floor(password.length / 2);
        process.stderr.write(`fatal: cannot process "${line}"\n${'x'.repeat(padding)}\n`, () =>
          process.exit(3),
        );
        return new Promise<never>(() => {});
      }
      return line;
    },
  });
  const code = await shell.run();
  input.close();
  return code;
}

if (isEntryPoint(MGMT_UTIL_ENTRY)) {
  main(process.argv.slice(2)).then(
    (code) => process.stdout.write('', () => process.exit(code)),
    (error: unknown) => fail(`Error: ${error instanceof Error ? error.message : String(error)}`),
  );
}
