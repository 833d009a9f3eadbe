/**
 * One collect session of the mgmt-util (config listing `nodes` already written, util started):
 * start-up (unconnected servers are `unreachable`) → `listUsers` (needs no login: the lockout
 * guard reads the account's failure count on every server first) → `enable_e2e` → ONE
 * `loginHSM <type> <user> <password>` (never retried) → `findAllKeys 0 0` (`0 1` with
 * `requestKeyHash`) → `getKeyInfo -k <h>` per key when `keyDetails` → `logoutHSM`.
 * Every node not read by the end is left open for the driver to mark; never empty.
 */
import type { ClusterNode } from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';
import type { DialectProfile } from './dialect.ts';
import { type NodeReplies, readInventory } from './inventory.ts';
import { guardRefusal } from './lockout-guard.ts';
import { type FindAllKeysServer, parseFindAllKeysSections } from './parse/parse-find-all-keys.ts';
import { type KeyInfoServer, parseGetKeyInfoSections } from './parse/parse-get-key-info.ts';
import { type ListUsersServer, parseListUsersSections } from './parse/parse-list-users.ts';
import { parseEnableE2e } from './parse/parse-login.ts';
import type { SectionOutcome } from './parse/sections.ts';
import type { CommandLine, MgmtUtilSession } from './session.ts';
import {
  type InventorySlots,
  loginReply,
  logout,
  sectionFor,
  startupConnections,
  statusMismatch,
} from './session-steps.ts';

export interface CollectContext {
  session: MgmtUtilSession;
  profile: DialectProfile;
  nodes: readonly ClusterNode[];
  credentials: Credentials;
  slots: InventorySlots;
  keyDetails: boolean;
  requestKeyHash: boolean;
  /** The lockout guard's limit (Policy.loginFailureLimit). */
  loginFailureLimit: number;
  run(command: CommandLine): Promise<string>;
  now(): Date;
}

export async function collectNodes(ctx: CollectContext): Promise<void> {
  const { nodes, slots, profile } = ctx;
  const connections = startupConnections(ctx.session, profile, nodes);
  connections.forEach((c, i) => {
    if (!c.connected) slots.mark(i, 'unreachable', c.detail);
  });
  if (slots.open().length === 0) return;

  const users = new Map<number, ListUsersServer>();
  take(ctx, parseListUsersSections(await ctx.run('listUsers'), profile), 'listUsers', slots.open(), users);
  if (!guardLogin(ctx, users)) return;

  if (profile.enableE2e && !(await enableE2e(ctx))) return;

  slots.sendingLogin(slots.open());
  const login = await loginReply(profile, ctx.credentials, ctx.run);
  for (const i of slots.open()) {
    const r = login.servers.find((x) => x.server === i);
    const mismatch = r ? statusMismatch(r, nodes, i) : null;
    if (!r) slots.mark(i, 'protocol-error', `loginHSM reply has no line for server ${i}`);
    else if (mismatch) slots.mark(i, 'protocol-error', `loginHSM: the line for server ${i} ${mismatch}`);
    else if (r.ok) continue;
    else if (r.code === 'NOT_CONNECTED') slots.mark(i, 'unreachable', `server ${i} is not connected`);
    else if (r.credentialsRejected)
      slots.mark(i, 'login-failed', `${r.error} (credentials rejected; not retried)`, {
        credentialsRejected: true,
      });
    else slots.mark(i, 'login-failed', `${r.error} (not a credentials rejection; not retried)`);
  }
  if (slots.open().length === 0) return;

  const keyLists = new Map<number, FindAllKeysServer>();
  const findAllKeys = `findAllKeys 0 ${ctx.requestKeyHash ? 1 : 0}`;
  take(
    ctx,
    parseFindAllKeysSections(await ctx.run(findAllKeys), profile),
    'findAllKeys',
    slots.open(),
    keyLists,
  );
  const details = ctx.keyDetails ? await readKeyDetails(ctx, keyLists) : null;

  const collectedAt = ctx.now().toISOString();
  for (const i of slots.open()) {
    const replies: NodeReplies = {
      users: users.get(i) as ListUsersServer,
      keys: keyLists.get(i) as FindAllKeysServer,
      keyInfo: details?.get(i) ?? null,
    };
    slots.done(i, readInventory(nodes[i] as ClusterNode, replies, collectedAt));
  }
  await logout(ctx.run);
}

/**
 * The lockout guard: false when no login may be sent. loginHSM goes to every connected server
 * at once, so one server where the account is at risk keeps the login from all of them.
 */
function guardLogin(ctx: CollectContext, users: Map<number, ListUsersServer>): boolean {
  const { slots } = ctx;
  const refused: number[] = [];
  for (const i of slots.open()) {
    const refusal = guardRefusal(users.get(i)?.users ?? [], ctx.credentials.username, ctx.loginFailureLimit);
    if (refusal === null) continue;
    refused.push(i);
    slots.mark(i, 'login-refused-by-guard', refusal.detail, refusal.note ? { notes: [refusal.note] } : {});
  }
  if (refused.length === 0) return true;
  for (const i of slots.open()) {
    slots.mark(
      i,
      'login-refused-by-guard',
      `not logged in: the login would also reach server(s) ${refused.join(', ')}, where the account is at risk`,
    );
  }
  return false;
}

/** false when the password must be withheld: loginHSM goes to every connected server, never to one without E2E. */
async function enableE2e(ctx: CollectContext): Promise<boolean> {
  const { slots } = ctx;
  const e2e = parseEnableE2e(await ctx.run('enable_e2e'), ctx.profile);
  const withoutE2e: number[] = [];
  for (const i of slots.open()) {
    const r = e2e.find((x) => x.server === i);
    const mismatch = r ? statusMismatch(r, ctx.nodes, i) : null;
    if (r?.ok && mismatch === null) continue;
    withoutE2e.push(i);
    if (mismatch) slots.mark(i, 'protocol-error', `enable_e2e: the line for server ${i} ${mismatch}`);
    else if (r && !r.ok && r.code === 'NOT_CONNECTED')
      slots.mark(i, 'unreachable', `server ${i} is not connected`);
    else
      slots.mark(i, 'protocol-error', r && !r.ok ? r.error : `enable_e2e reply has no line for server ${i}`);
  }
  if (withoutE2e.length === 0) return true;
  for (const i of slots.open()) {
    slots.mark(
      i,
      'protocol-error',
      `not read: password withheld because end-to-end encryption is not enabled on server(s) ${withoutE2e.join(', ')}`,
    );
  }
  return false;
}

/** getKeyInfo for every handle any open node lists, asked of the nodes that hold it. */
async function readKeyDetails(
  ctx: CollectContext,
  keyLists: Map<number, FindAllKeysServer>,
): Promise<Map<number, Map<number, KeyInfoServer>>> {
  const { slots } = ctx;
  const holdersOf = new Map<number, number[]>();
  for (const i of slots.open()) {
    for (const key of keyLists.get(i)?.keys ?? []) {
      const holders = holdersOf.get(key.handle);
      if (holders) holders.push(i);
      else holdersOf.set(key.handle, [i]);
    }
  }
  const details = new Map<number, Map<number, KeyInfoServer>>();
  for (const i of slots.open()) details.set(i, new Map());
  const handles = [...holdersOf.keys()].sort((a, b) => a - b);
  for (const handle of handles) {
    const holders = (holdersOf.get(handle) ?? []).filter((i) => !slots.isDone(i));
    if (holders.length === 0) continue;
    const found = new Map<number, KeyInfoServer>();
    const command = `getKeyInfo -k ${handle}`;
    take(ctx, parseGetKeyInfoSections(await ctx.run(command), ctx.profile), command, holders, found);
    for (const [i, info] of found) details.get(i)?.set(handle, info);
  }
  return details;
}

/** Keeps the servers' data; a server that failed, could not be parsed or is absent is marked. */
function take<T>(
  ctx: CollectContext,
  outcomes: SectionOutcome<T>[],
  command: string,
  servers: readonly number[],
  into: Map<number, T>,
): void {
  const { slots } = ctx;
  const configured = ctx.nodes.length;
  const stranger = outcomes.find((o) => o.server >= configured);
  if (stranger) {
    // The util answers for a server we did not configure: it is not reading our config
    // (or numbers servers differently), so no section can be trusted to be the node we think.
    for (const i of servers)
      slots.mark(
        i,
        'protocol-error',
        `${command} reply has a section for server ${stranger.server}, which is not in the config written for this run (${configured} server(s))`,
      );
    return;
  }
  for (const i of servers) {
    // A section that names another server or address than the config is not this node's.
    const o = sectionFor(outcomes, ctx.nodes, i);
    if (!o) slots.mark(i, 'protocol-error', `${command} reply has no section for server ${i}`);
    else if (o.kind === 'ok') into.set(i, o.value);
    else if (o.kind === 'parse-error') slots.mark(i, 'protocol-error', o.error.message);
    else if (o.failure.error === 'not connected')
      slots.mark(i, 'unreachable', `server ${i} is not connected (${command})`);
    else slots.mark(i, 'protocol-error', `${command}: ${o.failure.error}`);
  }
}
