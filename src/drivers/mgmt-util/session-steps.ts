/**
 * What collect and sync sessions share: reading the start-up, the one login (its reply
 * redacted), the logout, and the per-node result slots of a collect.
 */
import { ParseError } from '#core/errors.ts';
import type { ClusterNode, NodeInventory, NodeNote, UnreadableReason } from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';
import { redact } from '#core/secret.ts';
import { type DialectProfile, serverLabel } from './dialect.ts';
import type { ServerRef } from './parse/lines.ts';
import { type LoginReply, parseLogin } from './parse/parse-login.ts';
import { connectionsOf, parseStartup, type ServerConnection } from './parse/parse-startup.ts';
import {
  type ConfiguredServer,
  checkSection,
  type SectionOutcome,
  serverMismatch,
} from './parse/sections.ts';
import type { CommandLine, MgmtUtilSession } from './session.ts';

export function expectedServers(profile: DialectProfile, nodes: readonly ClusterNode[]) {
  return nodes.map((n, i) => ({ label: serverLabel(profile, n, i), hostname: n.address, port: n.port }));
}

export function startupConnections(
  session: MgmtUtilSession,
  profile: DialectProfile,
  nodes: readonly ClusterNode[],
): ServerConnection[] {
  return connectionsOf(parseStartup(session.startupText, profile), expectedServers(profile, nodes));
}

/** An IPv4 or IPv6 literal (the util may print one for a host name it resolved). */
const IP_LITERAL = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9A-Fa-f:]*:[0-9A-Fa-f:.]*)$/;

/**
 * What a reply must say of server `i`: its number and the address the config gives it. Where
 * the config has a host name (Azure's FQDNs) and the util printed an IP, the address cannot be
 * told from here (UNCONFIRMED which one the util prints): then only the number is checked.
 */
function expectedOf(nodes: readonly ClusterNode[], i: number, printed: string | null): ConfiguredServer {
  const address = nodes[i]?.address ?? '';
  const resolved = printed !== null && !IP_LITERAL.test(address) && IP_LITERAL.test(printed);
  return { server: i, address: resolved ? printed : address };
}

/** The section of server `i`, refused (parse-error) when it names another server or address than the config. */
export function sectionFor<T>(
  outcomes: readonly SectionOutcome<T>[],
  nodes: readonly ClusterNode[],
  i: number,
) {
  const found = outcomes.find((o) => o.server === i);
  return found && checkSection(found, expectedOf(nodes, i, found.address));
}

/** Why a status line (`… on server N(addr)`) does not belong to server `i` of the config; null when it does. */
export function statusMismatch(ref: ServerRef, nodes: readonly ClusterNode[], i: number): string | null {
  return serverMismatch(ref, expectedOf(nodes, i, ref.address));
}

/** The mgmt-util login types; a credential without a role logs in as CO. */
const LOGIN_ROLES = ['CO', 'PCO'] as const;

export function loginRole(credentials: Credentials): (typeof LOGIN_ROLES)[number] {
  const role = credentials.role ?? 'CO';
  const known = LOGIN_ROLES.find((r) => r === role.toUpperCase());
  if (!known) throw new TypeError(`loginHSM: role '${role}' is not one of ${LOGIN_ROLES.join(', ')}`);
  return known;
}

/** The one loginHSM of a session; the password goes to stdin only, the reply is read redacted. */
export async function loginReply(
  profile: DialectProfile,
  credentials: Credentials,
  run: (command: CommandLine) => Promise<string>,
): Promise<LoginReply> {
  const reply = await run(['loginHSM', loginRole(credentials), credentials.username, credentials.password]);
  try {
    return parseLogin(reply, profile);
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    // The ParseError quotes the util's line, which may echo the password.
    const prefix = `${error.command}: line ${error.line}: `;
    const message = error.message.startsWith(prefix) ? error.message.slice(prefix.length) : error.message;
    throw new ParseError(error.command, error.line, redact(message, [credentials.password]));
  }
}

export async function logout(run: (command: CommandLine) => Promise<string>): Promise<void> {
  try {
    await run('logoutHSM');
  } catch {
    // Best effort: everything was read; `close` ends the session (and its logins) anyway.
  }
}

/** What a mark adds to an unreadable node besides its reason. */
export interface MarkExtras {
  notes?: NodeNote[];
  credentialsRejected?: boolean;
}

/**
 * One result per requested node, in order: the first reason recorded for a node wins. It also
 * knows which servers a login was sent to: an unreadable node says whether one may have reached
 * it (`loginAttempted`), so the workflow reads again only nodes that were never logged in to.
 */
export class InventorySlots {
  readonly #nodes: readonly ClusterNode[];
  readonly #results: (NodeInventory | null)[];
  readonly #secrets: Credentials['password'][];
  readonly #loginSentTo = new Set<number>();

  constructor(nodes: readonly ClusterNode[], credentials: Credentials) {
    this.#nodes = nodes;
    this.#results = nodes.map(() => null);
    this.#secrets = [credentials.password];
  }

  /** Indexes of the nodes still being read. */
  open(): number[] {
    const open: number[] = [];
    this.#results.forEach((r, i) => {
      if (r === null) open.push(i);
    });
    return open;
  }

  isDone(i: number): boolean {
    return this.#results[i] !== null;
  }

  done(i: number, inventory: NodeInventory): void {
    if (this.#results[i] === null) this.#results[i] = inventory;
  }

  /** The login is about to be sent to these servers (cluster mode: every connected one). */
  sendingLogin(servers: readonly number[]): void {
    for (const i of servers) this.#loginSentTo.add(i);
  }

  mark(i: number, reason: UnreadableReason, detail: string, extras: MarkExtras = {}): void {
    const node = this.#nodes[i];
    if (node === undefined) return;
    this.done(i, {
      nodeId: node.nodeId,
      status: 'unreadable',
      reason,
      detail: redact(detail, this.#secrets),
      loginAttempted: this.#loginSentTo.has(i),
      ...(extras.notes && extras.notes.length > 0 ? { notes: extras.notes } : {}),
      ...(extras.credentialsRejected ? { credentialsRejected: true } : {}),
    });
  }

  /** Every node still open gets this reason (a timeout, a lost util). */
  markOpen(reason: UnreadableReason, detail: string): void {
    for (const i of this.open()) this.mark(i, reason, detail);
  }

  results(): NodeInventory[] {
    return this.#results.map(
      (r, i) =>
        r ?? {
          nodeId: (this.#nodes[i] as ClusterNode).nodeId,
          status: 'unreadable',
          reason: 'protocol-error',
          detail: 'not read (internal error: no result recorded)',
          loginAttempted: this.#loginSentTo.has(i),
        },
    );
  }
}
