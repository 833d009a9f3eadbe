/**
 * `NodeAccessDriver` for the mgmt-util family (AWS cloudhsm_mgmt_util, Azure
 * azcloudhsm_mgmt_util): per-node addressing, one util process per call.
 *
 * collect: write a config listing `nodes` → start → start-up (unconnected servers are
 * `unreachable`) → `enable_e2e` → ONE `loginHSM <type> <user> <password>` (never retried) →
 * `listUsers` → `findAllKeys 0 0` (`0 1` with `requestKeyHash`) → `getKeyInfo -k <h>` per key
 * when `keyDetails` → `logoutHSM` → `quit`. Every requested node gets an inventory, in order;
 * a node that was not fully read is `unreadable` with its reason, never empty.
 *
 * sync: config with ALL nodes → start → every server connected, E2E on and logged in, or
 * nothing is written (CredentialsRejectedError / TransportError) → per source server:
 * `server <src>`, `syncUser|syncKey <id> <dest>`…, `exit` → `logoutHSM` → `quit`. One failed
 * action does not stop the others; after a timeout, a lost process or a reply we cannot read
 * the rest are `not-run`.
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  CommandTimeoutError,
  CredentialsRejectedError,
  InvalidInputError,
  ParseError,
  TransportError,
  UnknownNodeError,
} from '#core/errors.ts';
import type {
  ActionResult,
  ClusterNode,
  Dialect,
  HsmKey,
  HsmUser,
  NodeInventory,
  SyncAction,
  UnreadableReason,
} from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';
import { redact } from '#core/secret.ts';
import type { CollectOptions, NodeAccessDriver } from '../node-access-driver.ts';
import { renderConfig } from './config.ts';
import type { DialectProfile } from './dialect.ts';
import { profileFor, serverLabel } from './dialect.ts';
import type { FindAllKeysServer } from './parse/parse-find-all-keys.ts';
import { parseFindAllKeysSections } from './parse/parse-find-all-keys.ts';
import type { KeyInfoServer } from './parse/parse-get-key-info.ts';
import { parseGetKeyInfoSections } from './parse/parse-get-key-info.ts';
import type { ListUsersServer } from './parse/parse-list-users.ts';
import { parseListUsersSections } from './parse/parse-list-users.ts';
import type { LoginReply } from './parse/parse-login.ts';
import { parseEnableE2e, parseLogin } from './parse/parse-login.ts';
import type { ServerConnection } from './parse/parse-startup.ts';
import { connectionsOf, parseStartup } from './parse/parse-startup.ts';
import { parseServerModeReply, parseSyncReply } from './parse/parse-sync.ts';
import type { SectionOutcome } from './parse/sections.ts';
import { MgmtUtilSession } from './session.ts';

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
  dialect: Dialect;
  /** Program and leading arguments (the config path is appended). Default: the vendor binary. */
  command?: readonly string[];
  /** Where per-call config files are written (a fresh sub-directory per call, removed after). */
  workDir: string;
  timeouts?: Partial<MgmtUtilTimeouts>;
  /** Use `findAllKeys 0 1` to read the key hash (default `findAllKeys 0 0`, the Azure runbook's form). */
  requestKeyHash?: boolean;
  env?: NodeJS.ProcessEnv;
  now?: () => Date;
  /** Receives the redacted transcript of every session, after it ends. */
  onTranscript?: (transcript: string) => void;
}

type Slot = { done: false } | { done: true; inventory: NodeInventory };

export class MgmtUtilDriver implements NodeAccessDriver {
  readonly dialect: Dialect;
  readonly addressing = 'per-node' as const;
  readonly profile: DialectProfile;
  readonly #command: readonly string[];
  readonly #workDir: string;
  readonly #timeouts: MgmtUtilTimeouts;
  readonly #requestKeyHash: boolean;
  readonly #env: NodeJS.ProcessEnv | undefined;
  readonly #now: () => Date;
  readonly #onTranscript: ((transcript: string) => void) | undefined;
  #lastTranscript = '';

  constructor(options: MgmtUtilDriverOptions) {
    this.dialect = options.dialect;
    this.profile = profileFor(options.dialect);
    this.#command = options.command ?? [this.profile.defaultBinary];
    this.#workDir = options.workDir;
    this.#timeouts = { ...DEFAULT_MGMT_UTIL_TIMEOUTS, ...options.timeouts };
    this.#requestKeyHash = options.requestKeyHash ?? false;
    this.#env = options.env;
    this.#now = options.now ?? (() => new Date());
    this.#onTranscript = options.onTranscript;
  }

  /** Redacted transcript of the last session (start-up, every command and reply). */
  get lastTranscript(): string {
    return this.#lastTranscript;
  }

  async collect(
    nodes: readonly ClusterNode[],
    credentials: Credentials,
    options: CollectOptions,
  ): Promise<NodeInventory[]> {
    if (nodes.length === 0) return [];
    checkCredentials(credentials);
    checkNodes(nodes);
    const slots: Slot[] = nodes.map(() => ({ done: false }));
    const mark = (i: number, reason: UnreadableReason, detail: string): void => {
      const node = nodes[i];
      if (node && !slots[i]?.done) {
        slots[i] = {
          done: true,
          inventory: {
            nodeId: node.nodeId,
            status: 'unreadable',
            reason,
            detail: redact(detail, [credentials.password]),
          },
        };
      }
    };
    const markOpen = (reason: UnreadableReason, detail: string): void => {
      slots.forEach((_, i) => {
        mark(i, reason, detail);
      });
    };
    // A timeout, a lost util or an unattributable reply ends the read: every node not read
    // by then gets that reason. Any other error (a bug, an unwritable workDir) is thrown.
    await this.#withSession(nodes, credentials, (session) =>
      this.#collectWith(session, nodes, credentials, options, slots, mark),
    ).catch((error: unknown) => {
      const [reason, detail] = classify(error);
      markOpen(reason, detail);
    });
    return slots.map((slot, i) =>
      slot.done
        ? slot.inventory
        : {
            nodeId: (nodes[i] as ClusterNode).nodeId,
            status: 'unreadable',
            reason: 'protocol-error',
            detail: 'not read (internal error: no result recorded)',
          },
    );
  }

  async sync(
    nodes: readonly ClusterNode[],
    credentials: Credentials,
    actions: readonly SyncAction[],
  ): Promise<ActionResult[]> {
    if (actions.length === 0) return [];
    checkCredentials(credentials);
    checkNodes(nodes);
    for (const a of actions) {
      for (const [server, nodeId, role] of [
        [a.sourceServer, a.sourceNodeId, 'source'],
        [a.targetServer, a.targetNodeId, 'target'],
      ] as const) {
        if (nodes[server]?.nodeId !== nodeId) {
          throw new UnknownNodeError(
            `${a.command} ${a.numericId}: ${role} server ${server} is not node ${nodeId} in the node list; nothing written`,
            { context: { objectId: a.objectId, server, nodeId } },
          );
        }
      }
    }
    const results = new Map<SyncAction, ActionResult>(
      actions.map((action) => [action, { action, outcome: 'not-run', detail: 'not run' }]),
    );
    await this.#withSession(nodes, credentials, async (session) => {
      await this.#requireAllLoggedIn(session, nodes, credentials);
      await this.#runSyncActions(session, actions, results);
    });
    return actions.map((a) => results.get(a) as ActionResult);
  }

  /** The one loginHSM of a session; the password goes to stdin only, the reply is read redacted. */
  async #login(session: MgmtUtilSession, credentials: Credentials): Promise<LoginReply> {
    const reply = await this.#run(session, [
      'loginHSM',
      credentials.userType,
      credentials.username,
      credentials.password,
    ]);
    return parseLoginRedacted(reply, this.profile, credentials);
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
    const dir = await mkdtemp(join(this.#workDir, `${this.dialect}-mgmt-util-`));
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

  #expected(nodes: readonly ClusterNode[]) {
    return nodes.map((n, i) => ({
      label: serverLabel(this.profile, n, i),
      hostname: n.address,
      port: n.port,
    }));
  }

  #run(session: MgmtUtilSession, command: Parameters<MgmtUtilSession['run']>[0]): Promise<string> {
    return session.run(command, { timeoutMs: this.#timeouts.commandMs });
  }

  async #collectWith(
    session: MgmtUtilSession,
    nodes: readonly ClusterNode[],
    credentials: Credentials,
    options: CollectOptions,
    slots: Slot[],
    mark: (i: number, reason: UnreadableReason, detail: string) => void,
  ): Promise<void> {
    const live = (): number[] => slots.flatMap((s, i) => (s.done ? [] : [i]));
    const connections = connectionsOf(parseStartup(session.startupText, this.profile), this.#expected(nodes));
    connections.forEach((c: ServerConnection, i) => {
      if (!c.connected) mark(i, 'unreachable', c.detail);
    });
    if (live().length === 0) return;

    if (this.profile.enableE2e) {
      const e2e = parseEnableE2e(await this.#run(session, 'enable_e2e'), this.profile);
      const withoutE2e: number[] = [];
      for (const i of live()) {
        const r = e2e.find((x) => x.server === i);
        if (r?.ok) continue;
        withoutE2e.push(i);
        if (r && r.code === 'NOT_CONNECTED') mark(i, 'unreachable', `server ${i} is not connected`);
        else mark(i, 'protocol-error', r ? r.error : `enable_e2e reply has no line for server ${i}`);
      }
      if (withoutE2e.length > 0) {
        // loginHSM goes to every connected server: never send the password to one without E2E.
        for (const i of live()) {
          mark(
            i,
            'protocol-error',
            `not read: password withheld because end-to-end encryption is not enabled on server(s) ${withoutE2e.join(', ')}`,
          );
        }
        return;
      }
    }

    const login = await this.#login(session, credentials);
    for (const i of live()) {
      const r = login.servers.find((x) => x.server === i);
      if (!r) mark(i, 'protocol-error', `loginHSM reply has no line for server ${i}`);
      else if (r.ok) continue;
      else if (r.code === 'NOT_CONNECTED') mark(i, 'unreachable', `server ${i} is not connected`);
      else if (r.credentialsRejected)
        mark(i, 'login-failed', `${r.error} (credentials rejected; not retried)`);
      else mark(i, 'login-failed', `${r.error} (not a credentials rejection; not retried)`);
    }
    if (live().length === 0) return;

    const users = new Map<number, ListUsersServer>();
    this.#take(
      parseListUsersSections(await this.#run(session, 'listUsers'), this.profile),
      'listUsers',
      live(),
      mark,
      users,
      nodes.length,
    );
    const keyLists = new Map<number, FindAllKeysServer>();
    const findAllKeys = `findAllKeys 0 ${this.#requestKeyHash ? 1 : 0}`;
    this.#take(
      parseFindAllKeysSections(await this.#run(session, findAllKeys), this.profile),
      'findAllKeys',
      live(),
      mark,
      keyLists,
      nodes.length,
    );

    const details = new Map<number, Map<number, KeyInfoServer>>();
    if (options.keyDetails) {
      const handles = [
        ...new Set(live().flatMap((i) => keyLists.get(i)?.keys.map((k) => k.handle) ?? [])),
      ].sort((a, b) => a - b);
      for (const i of live()) details.set(i, new Map());
      for (const handle of handles) {
        const holders = live().filter((i) => keyLists.get(i)?.keys.some((k) => k.handle === handle));
        if (holders.length === 0) continue;
        const found = new Map<number, KeyInfoServer>();
        this.#take(
          parseGetKeyInfoSections(await this.#run(session, `getKeyInfo -k ${handle}`), this.profile),
          `getKeyInfo -k ${handle}`,
          holders,
          mark,
          found,
          nodes.length,
        );
        for (const [i, info] of found) details.get(i)?.set(handle, info);
      }
    }

    const collectedAt = this.#now().toISOString();
    for (const i of live()) {
      const node = nodes[i] as ClusterNode;
      const list = keyLists.get(i) as FindAllKeysServer;
      const keyInfo = details.get(i);
      const keys: HsmKey[] = list.keys.map((k) => {
        const info = keyInfo?.get(k.handle);
        return {
          handle: k.handle,
          shared: k.shared,
          owner: info?.owner ?? null,
          sharedWith: info?.sharedWith ?? [],
        };
      });
      const userList: HsmUser[] = (users.get(i) as ListUsersServer).users;
      slots[i] = {
        done: true,
        inventory: {
          nodeId: node.nodeId,
          status: 'read',
          users: userList,
          keys,
          keyHash: list.keyHash,
          keyDetails: options.keyDetails,
          collectedAt,
        },
      };
    }
    await this.#logout(session);
  }

  /** Keeps the servers' data; a server that failed, could not be parsed or is absent is marked. */
  #take<T>(
    outcomes: SectionOutcome<T>[],
    command: string,
    servers: readonly number[],
    mark: (i: number, reason: UnreadableReason, detail: string) => void,
    into: Map<number, T>,
    configured: number,
  ): void {
    const stranger = outcomes.find((o) => o.server >= configured);
    if (stranger) {
      // The util answers for a server we did not configure: it is not reading our config
      // (or numbers servers differently), so no section can be trusted to be the node we think.
      for (const i of servers)
        mark(
          i,
          'protocol-error',
          `${command} reply has a section for server ${stranger.server}, which is not in the config written for this run (${configured} server(s))`,
        );
      return;
    }
    for (const i of servers) {
      const o = outcomes.find((x) => x.server === i);
      if (!o) mark(i, 'protocol-error', `${command} reply has no section for server ${i}`);
      else if (o.kind === 'ok') into.set(i, o.value);
      else if (o.kind === 'parse-error') mark(i, 'protocol-error', o.error.message);
      else if (o.failure.error === 'not connected')
        mark(i, 'unreachable', `server ${i} is not connected (${command})`);
      else mark(i, 'protocol-error', `${command}: ${o.failure.error}`);
    }
  }

  async #logout(session: MgmtUtilSession): Promise<void> {
    try {
      await this.#run(session, 'logoutHSM');
    } catch {
      // Best effort: everything was read; `close` ends the session (and its logins) anyway.
    }
  }

  async #requireAllLoggedIn(
    session: MgmtUtilSession,
    nodes: readonly ClusterNode[],
    credentials: Credentials,
  ) {
    const name = (i: number): string => `server ${i} (${nodes[i]?.nodeId})`;
    const connections = connectionsOf(parseStartup(session.startupText, this.profile), this.#expected(nodes));
    const down = connections.flatMap((c, i) => (c.connected ? [] : [`${name(i)}: ${c.detail}`]));
    if (down.length > 0)
      throw new TransportError(`not every node is connected; nothing written: ${down.join('; ')}`);

    if (this.profile.enableE2e) {
      const e2e = parseEnableE2e(await this.#run(session, 'enable_e2e'), this.profile);
      const bad = nodes.flatMap((_, i) => {
        const r = e2e.find((x) => x.server === i);
        return r?.ok ? [] : [`${name(i)}: ${r ? r.error : 'no enable_e2e line'}`];
      });
      if (bad.length > 0) {
        throw new TransportError(
          `end-to-end encryption not enabled; password not sent, nothing written: ${bad.join('; ')}`,
        );
      }
    }

    const login = await this.#login(session, credentials);
    const rejected: string[] = [];
    const other: string[] = [];
    nodes.forEach((_, i) => {
      const r = login.servers.find((x) => x.server === i);
      if (!r) other.push(`${name(i)}: no loginHSM line`);
      else if (!r.ok) (r.credentialsRejected ? rejected : other).push(`${name(i)}: ${r.error}`);
    });
    const secret = [credentials.password];
    if (rejected.length > 0) {
      throw new CredentialsRejectedError(
        redact(
          `loginHSM rejected the credentials of ${credentials.username}; not retried, nothing written: ${[...rejected, ...other].join('; ')}`,
          secret,
        ),
        { context: { username: credentials.username } },
      );
    }
    if (other.length > 0) {
      throw new TransportError(
        redact(`loginHSM did not succeed on every node; nothing written: ${other.join('; ')}`, secret),
      );
    }
  }

  async #runSyncActions(
    session: MgmtUtilSession,
    actions: readonly SyncAction[],
    results: Map<SyncAction, ActionResult>,
  ): Promise<void> {
    const groups = new Map<number, SyncAction[]>();
    for (const a of actions) groups.set(a.sourceServer, [...(groups.get(a.sourceServer) ?? []), a]);
    const set = (action: SyncAction, outcome: ActionResult['outcome'], detail: string): void => {
      results.set(action, { action, outcome, detail });
    };
    const stop = (why: string): void => {
      for (const [action, r] of results)
        if (r.outcome === 'not-run') set(action, 'not-run', `not run: ${why}`);
    };
    for (const [source, group] of groups) {
      try {
        parseServerModeReply(await this.#run(session, `server ${source}`), this.profile);
      } catch (error) {
        if (isSessionLost(error)) return stop(error.message);
        if (!(error instanceof ParseError)) throw error;
      }
      const prompt = session.prompt;
      if (prompt.mode !== 'server' || prompt.server !== source) {
        for (const a of group) set(a, 'failed', `could not enter server mode on server ${source}`);
        continue;
      }
      for (const a of group) {
        const line = `${a.command} ${a.numericId} ${a.targetServer}`;
        let reply: string;
        try {
          reply = await this.#run(session, line);
        } catch (error) {
          if (!isSessionLost(error)) throw error;
          // No answer: the copy may or may not have happened (Verify reads it back).
          set(a, 'failed', `${line}: ${error.message}`);
          return stop(`the session was lost during "${line}"`);
        }
        try {
          const r = parseSyncReply(a.command, reply, this.profile);
          set(a, r.outcome, `${line}: ${r.detail}`);
        } catch (error) {
          if (!(error instanceof ParseError)) throw error;
          set(a, 'failed', `${line}: unrecognised reply: ${error.message}`);
          // A reply we cannot read (an empty one: a stray prompt) may be out of step with the
          // commands: the next reply could be this one's. Write nothing more in this session.
          return stop(`the reply to "${line}" was not understood`);
        }
      }
      try {
        await this.#run(session, 'exit');
      } catch (error) {
        if (isSessionLost(error)) return stop(error.message);
        throw error;
      }
      if (session.prompt.mode !== 'global')
        return stop(`"exit" did not leave server mode on server ${source}`);
    }
    await this.#logout(session);
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
}

/** parseLogin whose ParseError (it quotes the util's line, which may echo the password) is redacted. */
function parseLoginRedacted(text: string, profile: DialectProfile, credentials: Credentials): LoginReply {
  try {
    return parseLogin(text, profile);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    const prefix = `${error.command}: line ${error.line}: `;
    const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    throw new ParseError(error.command, error.line, redact(message, [credentials.password]));
  }
}

/**
 * The util names servers `'<address>'` and `server N(<address>)`: an address must be a host
 * name or an IP address (no whitespace, quotes or parentheses), the port a TCP port.
 */
function checkNodes(nodes: readonly ClusterNode[]): void {
  for (const n of nodes) {
    if (!/^[A-Za-z0-9._:-]+$/.test(n.address)) {
      throw new InvalidInputError(
        `node ${n.nodeId}: address ${JSON.stringify(n.address)} is not a host name or IP address`,
      );
    }
    if (!Number.isInteger(n.port) || n.port < 1 || n.port > 65535) {
      throw new InvalidInputError(`node ${n.nodeId}: port ${n.port} is not a TCP port`);
    }
  }
}

function isSessionLost(error: unknown): error is CommandTimeoutError | TransportError {
  return error instanceof CommandTimeoutError || error instanceof TransportError;
}

function classify(error: unknown): [UnreadableReason, string] {
  if (error instanceof CommandTimeoutError) return ['timeout', error.message];
  if (error instanceof TransportError) return ['unreachable', error.message];
  if (error instanceof ParseError) return ['protocol-error', error.message];
  throw error;
}
