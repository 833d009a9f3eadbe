/**
 * `NodeAccessDriver` for the mgmt-util family (AWS cloudhsm_mgmt_util, Azure
 * azcloudhsm_mgmt_util): per-node addressing, one util process per call. This file owns the
 * process and its config file; collect.ts and sync.ts own what is said to it.
 *
 * collect: every requested node gets an inventory, in order; a node that was not fully read
 * is `unreadable` with its reason, never empty. sync: see sync.ts.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CommandTimeoutError, InvalidInputError, ParseError, TransportError } from '#core/errors.ts';
import type { ActionResult, ClusterNode, NodeInventory, SyncAction, UnreadableReason } from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';
import type { CollectOptions, NodeAccessDriver } from '../node-access-driver.ts';
import { checkNodeAddresses } from '../node-addresses.ts';
import { collectNodes } from './collect.ts';
import { renderConfig } from './config.ts';
import type { DialectProfile } from './dialect.ts';
import { type CommandLine, MgmtUtilSession } from './session.ts';
import { InventorySlots, loginRole } from './session-steps.ts';
import { requireAllLoggedIn, runServerActions, toServerActions } from './sync.ts';

export interface MgmtUtilTimeouts {
  /** Until the first prompt (the util connects to every server first). */
  startupMs: number;
  /** Per command. */
  commandMs: number;
  /** Between `quit` and killing the process. */
  closeMs: number;
}

export const DEFAULT_MGMT_UTIL_TIMEOUTS: MgmtUtilTimeouts = {
  startupMs: 60_000,
  commandMs: 30_000,
  closeMs: 5_000,
};

export interface MgmtUtilDriverOptions {
  profile: DialectProfile;
  /** Program and leading arguments (the config path is appended). Default: the vendor binary. */
  command?: readonly string[];
  /** Where per-call config files are written (a fresh sub-directory per call, removed after). */
  workDir: string;
  timeouts?: Partial<MgmtUtilTimeouts>;
  /** Read owner/sharing of every key (getKeyInfo per key). Off: keys carry owner null. */
  keyDetails?: boolean;
  /** Use `findAllKeys 0 1` to read the key hash (default `findAllKeys 0 0`, the Azure runbook's form). */
  requestKeyHash?: boolean;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** Receives the redacted transcript of every session, after it ends. */
  onTranscript?: (transcript: string) => void;
}

export class MgmtUtilDriver implements NodeAccessDriver {
  readonly addressing = 'per-node' as const;
  readonly profile: DialectProfile;
  readonly #command: readonly string[];
  readonly #workDir: string;
  readonly #timeouts: MgmtUtilTimeouts;
  readonly #keyDetails: boolean;
  readonly #requestKeyHash: boolean;
  readonly #env: NodeJS.ProcessEnv | undefined;
  readonly #now: () => Date;
  readonly #onTranscript: ((transcript: string) => void) | undefined;
  #lastTranscript = '';

  constructor(options: MgmtUtilDriverOptions) {
    this.profile = options.profile;
    this.#command = options.command ?? [this.profile.defaultBinary];
    this.#workDir = options.workDir;
    this.#timeouts = { ...DEFAULT_MGMT_UTIL_TIMEOUTS, ...options.timeouts };
    this.#keyDetails = options.keyDetails ?? false;
    this.#requestKeyHash = options.requestKeyHash ?? false;
    this.#env = options.env;
    this.#now = options.now ?? (() => new Date());
    this.#onTranscript = options.onTranscript;
  }

  /** Redacted transcript of the last session (start-up, every command and reply). */
  get lastTranscript(): string {
    return this.#lastTranscript;
  }

  /** `options.keyDetails` overrides the driver's setting for this call. */
  async collect(
    nodes: readonly ClusterNode[],
    credentials: Credentials,
    options: CollectOptions & { keyDetails?: boolean },
  ): Promise<NodeInventory[]> {
    if (nodes.length === 0) return [];
    checkCredentials(credentials);
    checkNodeAddresses(nodes);
    const slots = new InventorySlots(nodes, credentials);
    // A timeout, a lost util or an unattributable reply ends the read: every node not read
    // by then gets that reason. Any other error (a bug, an unwritable workDir) is thrown.
    await this.#withSession(nodes, credentials, (session) =>
      collectNodes({
        session,
        profile: this.profile,
        nodes,
        credentials,
        slots,
        keyDetails: options.keyDetails ?? this.#keyDetails,
        requestKeyHash: this.#requestKeyHash,
        loginFailureLimit: options.loginFailureLimit,
        run: (command) => this.#run(session, command),
        now: this.#now,
      }),
    ).catch((error: unknown) => {
      const [reason, detail] = classify(error);
      slots.markOpen(reason, detail);
    });
    return slots.results();
  }

  async sync(
    nodes: readonly ClusterNode[],
    credentials: Credentials,
    actions: readonly SyncAction[],
    options: CollectOptions,
  ): Promise<ActionResult[]> {
    if (actions.length === 0) return [];
    checkCredentials(credentials);
    checkNodeAddresses(nodes);
    const serverActions = toServerActions(nodes, actions);
    const results = new Map<SyncAction, ActionResult>(
      actions.map((action) => [action, { action, outcome: 'not-run', detail: 'not run' }]),
    );
    await this.#withSession(nodes, credentials, async (session) => {
      const ctx = {
        session,
        profile: this.profile,
        nodes,
        credentials,
        loginFailureLimit: options.loginFailureLimit,
        run: (command: CommandLine) => this.#run(session, command),
      };
      await requireAllLoggedIn(ctx);
      await runServerActions(ctx, serverActions, results);
    });
    return actions.map((a) => results.get(a) as ActionResult);
  }

  /**
   * Writes the config, starts the util, runs `body`, then always closes the util and
   * removes the config. A util that cannot start rethrows (collect maps it to every node).
   */
  async #withSession(
    nodes: readonly ClusterNode[],
    credentials: Credentials,
    body: (session: MgmtUtilSession) => Promise<void>,
  ): Promise<void> {
    await mkdir(this.#workDir, { recursive: true, mode: 0o700 });
    const dir = await mkdtemp(join(this.#workDir, `${this.profile.dialect}-mgmt-util-`));
    let session: MgmtUtilSession | null = null;
    try {
      const configPath = join(dir, this.profile.configFileName);
      await writeFile(configPath, renderConfig(nodes, this.profile), { mode: 0o600 });
      session = await MgmtUtilSession.start({
        command: this.#command,
        configPath,
        profile: this.profile,
        startupTimeoutMs: this.#timeouts.startupMs,
        closeTimeoutMs: this.#timeouts.closeMs,
        secrets: [credentials.password],
        ...(this.#env === undefined ? {} : { env: this.#env }),
      });
      await body(session);
    } finally {
      if (session) {
        await session.close();
        this.#lastTranscript = session.transcript();
        this.#onTranscript?.(this.#lastTranscript);
      }
      await rm(dir, { recursive: true, force: true });
    }
  }

  #run(session: MgmtUtilSession, command: CommandLine): Promise<string> {
    return session.run(command, { timeoutMs: this.#timeouts.commandMs });
  }
}

/** loginHSM takes whitespace-separated words: a user name or password with whitespace cannot be sent. */
function checkCredentials(credentials: Credentials): void {
  if (!/^\S+$/.test(credentials.username)) {
    throw new InvalidInputError('loginHSM: the user name must be one word without whitespace');
  }
  if (!/^\S+$/.test(credentials.password.reveal())) {
    throw new InvalidInputError(
      'loginHSM: the password is empty or contains whitespace (the util cannot take it)',
    );
  }
  try {
    loginRole(credentials);
  } catch (error) {
    throw new InvalidInputError((error as Error).message);
  }
}

function classify(error: unknown): [UnreadableReason, string] {
  if (error instanceof CommandTimeoutError) return ['timeout', error.message];
  if (error instanceof TransportError) return ['unreachable', error.message];
  if (error instanceof ParseError) return ['protocol-error', error.message];
  throw error;
}
