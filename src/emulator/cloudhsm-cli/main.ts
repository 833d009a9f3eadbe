/**
 * The emulated AWS CloudHSM CLI (Client SDK 5), started like the vendor binary in
 * single-command mode:
 *   node src/emulator/cloudhsm-cli/main.ts [--config <cloudhsm-cli.cfg>] <command words> [--options]
 * It stands in for `/opt/cloudhsm/bin/cloudhsm-cli`, reading the vendor config format (default
 * `/opt/cloudhsm/etc/cloudhsm-cli.cfg`) and talking to the emulated HSMs over the emulator's
 * wire protocol. Credentials come from CLOUDHSM_ROLE and CLOUDHSM_PIN=<user>:<password> only.
 * It prints one JSON envelope on stdout and exits 0 (`error_code` 0) or 1 (an error envelope);
 * password prompts go to stderr. See README.md in this folder.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { createInterface, type Interface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { ConfigurationError } from '#core/errors.ts';
import {
  CLOUDHSM_CLI_DEFAULT_CONFIG,
  type CliCluster,
  parseCloudHsmCliConfig,
} from '#drivers/cloudhsm-cli/config.ts';
import { type CliArgs, CliUsageError, describeWords, parseCliArgs } from './args.ts';
import { type CommandContext, runCommand } from './commands.ts';
import { type CliReply, failed, renderReply, TEXTS } from './format.ts';

/** Absolute path of this entry point, for spawning it. */
export const CLOUDHSM_CLI_ENTRY = fileURLToPath(import.meta.url);

/** The command line that runs the emulated cloudhsm-cli with `args` (with the running Node). */
export function cloudHsmCliCommand(args: readonly string[]): { command: string; args: string[] } {
  return { command: process.execPath, args: [CLOUDHSM_CLI_ENTRY, ...args] };
}

/** What one run needs from its process; tests may inject them. */
export interface CloudHsmCliDeps {
  env: Readonly<Record<string, string | undefined>>;
  /** Writes a prompt (stderr in the process). */
  prompt(text: string): void;
  /** The next line of stdin, or null at its end. */
  readLine(): Promise<string | null>;
  readFile?(path: string): string;
  connectTimeoutMs?: number;
}

function selectCluster(clusters: readonly CliCluster[], clusterId: string | null): CliCluster | CliReply {
  if (clusterId !== null && clusters.length > 1) {
    return clusters.find((c) => c.clusterId === clusterId) ?? failed(TEXTS.unknownCluster(clusterId));
  }
  if (clusters.length > 1) return failed(TEXTS.multipleClusters);
  return clusters[0] as CliCluster;
}

function loadCluster(args: CliArgs, deps: CloudHsmCliDeps): CliCluster | CliReply {
  const path = args.configPath ?? CLOUDHSM_CLI_DEFAULT_CONFIG;
  let text: string;
  try {
    text = (deps.readFile ?? ((p: string) => readFileSync(p, 'utf8')))(path);
  } catch {
    return failed(TEXTS.configUnreadable(path));
  }
  try {
    return selectCluster(parseCloudHsmCliConfig(text, path).clusters, args.clusterId);
  } catch (error) {
    if (error instanceof ConfigurationError) return failed(TEXTS.config(error.message));
    throw error;
  }
}

/** Runs one command line; returns what to print on stdout and the exit status. */
export async function runCloudHsmCli(
  argv: readonly string[],
  deps: CloudHsmCliDeps,
): Promise<{ output: string; exitCode: number }> {
  const reply = await replyTo(argv, deps);
  return { output: renderReply(reply), exitCode: reply.ok ? 0 : 1 };
}

async function replyTo(argv: readonly string[], deps: CloudHsmCliDeps): Promise<CliReply> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (error) {
    if (error instanceof CliUsageError) return failed(TEXTS.usage('cloudhsm-cli', error.message));
    throw error;
  }
  if (args.command === null) return failed(TEXTS.notImplemented(describeWords(args.words)));
  const cluster = loadCluster(args, deps);
  if ('ok' in cluster) return cluster;
  const context: CommandContext = {
    args,
    cluster,
    env: { role: deps.env.CLOUDHSM_ROLE, pin: deps.env.CLOUDHSM_PIN },
    prompter: { prompt: deps.prompt, readLine: deps.readLine },
    connectTimeoutMs: deps.connectTimeoutMs ?? 5000,
  };
  try {
    return await runCommand(context);
  } catch (error) {
    if (error instanceof CliUsageError) return failed(TEXTS.usage(args.command, error.message));
    throw error;
  }
}

function isEntryPoint(): boolean {
  const invoked = process.argv[1];
  if (invoked === undefined) return false;
  try {
    return realpathSync(invoked) === realpathSync(CLOUDHSM_CLI_ENTRY);
  } catch {
    return false;
  }
}

if (isEntryPoint()) {
  let input: Interface | null = null;
  let lines: AsyncIterator<string> | null = null;
  const deps: CloudHsmCliDeps = {
    env: process.env,
    prompt: (text) => process.stderr.write(`${text}\n`),
    readLine: async () => {
      if (input === null) {
        input = createInterface({
          input: process.stdin,
          crlfDelay: Number.POSITIVE_INFINITY,
          terminal: false,
        });
        lines = input[Symbol.asyncIterator]();
      }
      const next = await (lines as AsyncIterator<string>).next();
      return next.done === true ? null : next.value;
    },
  };
  process.stdout.on('error', () => process.exit(1));
  runCloudHsmCli(process.argv.slice(2), deps).then(
    ({ output, exitCode }) => process.stdout.write(output, () => process.exit(exitCode)),
    (error: unknown) => {
      process.stderr.write(
        `emulated cloudhsm-cli: ${error instanceof Error ? error.message : String(error)}\n`,
      );
      process.stdout.write(renderReply(failed('The emulated cloudhsm-cli failed unexpectedly')), () =>
        process.exit(1),
      );
    },
  );
}
