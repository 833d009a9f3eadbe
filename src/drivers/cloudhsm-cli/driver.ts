/**
 * `NodeAccessDriver` for the AWS Client SDK 5 CLI: cluster-wide addressing (the CLI talks to
 * every HSM of its config at once and reports coverage per object), one process per command.
 * This file owns the config file and the secrets; collect.ts and sync.ts own what is run.
 *
 * Every call writes `cloudhsm-cli.cfg` from the node list it is given (port 2223 unless the
 * node says otherwise, the CLI's log beside it, the key availability check off so that a key
 * on one HSM is listed rather than failing the listing) in a fresh folder removed afterwards
 * (and, with CLOUDHSM_CLI_CONFIG_COPY, to that path too: the image's link target), and reads
 * the crypto users' passwords before the first process starts. The config holds addresses
 * only, never a secret.
 */
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ConfigurationError, InvalidInputError } from '#core/errors.ts';
import type { ActionResult, ClusterNode, NodeInventory, SyncAction } from '#core/model.ts';
import type { Credentials, NamedSecret, Secret, SecretReader } from '#core/secret.ts';
import type { CollectOptions, NodeAccessDriver } from '../node-access-driver.ts';
import { checkNodeAddresses } from '../node-addresses.ts';
import type { AccountRefusals } from '../tool-module.ts';
import { collectCluster } from './collect.ts';
import { renderCloudHsmCliConfig } from './config.ts';
import { USERNAME_PATTERN } from './parse/fields.ts';
import { CloudHsmCliSession } from './session.ts';
import { CLOUDHSM_CLI_SETTINGS, type CloudHsmCliSettings } from './settings.ts';
import { runUserCreates, toUserCreates } from './sync.ts';

/** The name of the config the driver writes for each call, in a fresh folder of its work directory. */
export const CLOUDHSM_CLI_CONFIG_FILE = 'cloudhsm-cli.cfg';

/** Per command: a page of 1,000 keys from 28 HSMs, or a user create fanned out to all of them. */
export const DEFAULT_COMMAND_TIMEOUT_MS = 120_000;

export interface CloudHsmCliDriverOptions {
  /** Program and leading arguments (`--config <file>` and the command follow). */
  command: readonly string[];
  workDir: string;
  settings: CloudHsmCliSettings;
  /** Where the crypto users' and re-created users' passwords are read; null: none can be. */
  secrets: SecretReader | null;
  /** The memory of refused crypto-user secrets across runs (absent: this run's guard only). */
  refusals?: AccountRefusals;
  env?: NodeJS.ProcessEnv;
  commandTimeoutMs?: number;
  now?: () => Date;
  onTranscript?: (transcript: string) => void;
}

export class CloudHsmCliDriver implements NodeAccessDriver {
  readonly addressing = 'cluster-wide' as const;
  readonly #options: CloudHsmCliDriverOptions;
  #lastTranscript = '';
  #lastProcesses = 0;

  constructor(options: CloudHsmCliDriverOptions) {
    this.#options = options;
  }

  /** Redacted transcript of the last call. */
  get lastTranscript(): string {
    return this.#lastTranscript;
  }

  /** CLI processes the last call started (one per command, one per key page). */
  get lastProcesses(): number {
    return this.#lastProcesses;
  }

  /**
   * `options.loginFailureLimit` has nothing to act on: SDK 5's `user list` tells `locked`
   * (true, false, inconsistent), never a count of failed logins; the guard refuses a locked
   * or inconsistently locked account instead.
   */
  async collect(
    nodes: readonly ClusterNode[],
    credentials: Credentials,
    options: CollectOptions,
  ): Promise<NodeInventory[]> {
    if (nodes.length === 0) return [];
    checkAdmin(credentials);
    checkNodeAddresses(nodes);
    const cryptoUsers = await Promise.all(
      this.#options.settings.cryptoUsers.map(async (username) => ({
        username,
        ...(await this.#secret(username)),
      })),
    );
    const secrets = [credentials.password, ...cryptoUsers.map((c) => c.password)];
    const refusals = this.#options.refusals;
    return this.#withSession(nodes, secrets, (session) =>
      collectCluster({
        session,
        nodes,
        admin: credentials,
        cryptoUsers,
        maxItems: this.#options.settings.maxItems,
        now: this.#options.now ?? (() => new Date()),
        ...(refusals !== undefined && options.clusterId !== undefined
          ? { refusals: { memory: refusals, clusterId: options.clusterId } }
          : {}),
      }),
    );
  }

  async sync(
    nodes: readonly ClusterNode[],
    credentials: Credentials,
    actions: readonly SyncAction[],
  ): Promise<ActionResult[]> {
    if (actions.length === 0) return [];
    checkAdmin(credentials);
    checkNodeAddresses(nodes);
    const creates = toUserCreates(actions);
    const passwords = new Map<string, Secret>();
    for (const create of creates) {
      if (passwords.has(create.username) || !this.#options.settings.userSecrets.has(create.username))
        continue;
      const { password } = await this.#secret(create.username);
      if (/[\r\n]/.test(password.reveal())) {
        throw new ConfigurationError(
          `the secret of ${create.username} holds a line break: it cannot be typed at user create's prompt; nothing written`,
        );
      }
      passwords.set(create.username, password);
    }
    const secrets = [credentials.password, ...passwords.values()];
    return this.#withSession(nodes, secrets, (session) =>
      runUserCreates({ session, admin: credentials, passwords }, creates),
    );
  }

  async #secret(username: string): Promise<NamedSecret> {
    const reference = this.#options.settings.userSecrets.get(username);
    if (reference === undefined || this.#options.secrets === null) {
      throw new ConfigurationError(
        `no secret of ${username} can be read: set it in ${CLOUDHSM_CLI_SETTINGS.userSecrets}${this.#options.secrets === null ? ' (and give the tool a secret reader)' : ''}`,
      );
    }
    return this.#options.secrets.read(reference);
  }

  async #withSession<T>(
    nodes: readonly ClusterNode[],
    secrets: readonly Secret[],
    body: (session: CloudHsmCliSession) => Promise<T>,
  ): Promise<T> {
    const { workDir, settings } = this.#options;
    await mkdir(workDir, { recursive: true, mode: 0o700 });
    const dir = await mkdtemp(join(workDir, 'cloudhsm-cli-'));
    try {
      const configPath = join(dir, CLOUDHSM_CLI_CONFIG_FILE);
      const config = renderCloudHsmCliConfig(nodes, {
        hsmCaFile: settings.caFile,
        disableKeyAvailabilityCheck: true,
        logFile: join(dir, 'cloudhsm-cli.log'),
      });
      await writeFile(configPath, config, { mode: 0o600 });
      if (settings.configCopy !== null) {
        // Where the image links the CLI's default config path: a CLI that ignores --config reads this run's too.
        const staging = `${settings.configCopy}.${process.pid}.tmp`;
        await writeFile(staging, config, { mode: 0o600 });
        await rename(staging, settings.configCopy);
      }
      const session = new CloudHsmCliSession({
        command: this.#options.command,
        configPath,
        env: this.#options.env ?? process.env,
        timeoutMs: this.#options.commandTimeoutMs ?? DEFAULT_COMMAND_TIMEOUT_MS,
        secrets,
      });
      try {
        return await body(session);
      } finally {
        this.#lastTranscript = session.transcript();
        this.#lastProcesses = session.processes;
        this.#options.onTranscript?.(this.#lastTranscript);
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

/** The run's account is the admin (user create needs one); its name goes into CLOUDHSM_PIN before a colon. */
function checkAdmin(credentials: Credentials): void {
  if (!USERNAME_PATTERN.test(credentials.username)) {
    throw new InvalidInputError('cloudhsm-cli: the admin user name must be 1-31 of A-Z a-z 0-9 _ . @ -');
  }
  if (credentials.role !== null && credentials.role !== 'admin') {
    throw new InvalidInputError(
      `cloudhsm-cli: the run's credentials must be an admin's (role "admin"), not ${JSON.stringify(credentials.role)}`,
    );
  }
  if (credentials.password.reveal() === '')
    throw new InvalidInputError('cloudhsm-cli: the admin password is empty');
}
