/**
 * One collect of the SDK 5 CLI (config written, secrets read): the cluster as the CLI sees it,
 * then one inventory per node holding it.
 *
 * 1. `user list` (no login): every user with its coverage, `locked` and MFA. Its failure
 *    leaves every node unreadable (no login sent: the step may try again).
 * 2. The lockout guard, on what `user list` says, before any login: no login as a user that
 *    is locked (`true` or `inconsistent`), missing, not on every HSM, of another role, or with
 *    MFA on. For the run's admin that leaves every node `login-refused-by-guard`.
 * 3. The admin's login: `key list --max-items 1` as the admin (one process, one login; its
 *    `total_key_count` is every key of the cluster, which an admin sees without coverage).
 *    Refused, or any answer that is not a listing: every node `login-failed` (or what it
 *    was), never tried again, and no other user's login follows.
 * 4. Each crypto user of the settings, in order: every page of `key list --verbose
 *    --max-items N` (one process, hence one login, per page), joined and checked complete. A
 *    first page refused is that user's one attempt: a `lockout-risk` note, and the planner
 *    then blocks every write of the run (nothing else is sent on a run where a login failed).
 * 5. The keys merged by reference; notes for locked users and for keys no listed crypto user
 *    sees; the same listing on every node.
 */
import { CommandTimeoutError, ParseError, TransportError } from '#core/errors.ts';
import type {
  ClusterNode,
  NodeInventory,
  NodeNote,
  ReadInventory,
  UnreadableInventory,
  UnreadableReason,
} from '#core/model.ts';
import type { Credentials, Secret } from '#core/secret.ts';
import type { AccountRefusals } from '../tool-module.ts';
import {
  type CliKey,
  type CloudHsmCliListing,
  canonicalKeyReference,
  type KeyListingRecord,
} from './listing.ts';
import { CloudHsmCliCommandError } from './parse/envelope.ts';
import { joinKeyListPages, type KeyListReply, type ListedKey, parseKeyList } from './parse/parse-key-list.ts';
import { type ListedUser, parseUserList } from './parse/parse-user-list.ts';
import type { CliLogin, CliOutput, CliRole, CloudHsmCliSession } from './session.ts';

export interface CollectContext {
  session: CloudHsmCliSession;
  nodes: readonly ClusterNode[];
  admin: Credentials;
  /** The crypto users to list keys as, with their passwords and secret versions (settings order). */
  cryptoUsers: ReadonlyArray<{ username: string; password: Secret; version: string | null }>;
  /** Crypto-user secrets refused in earlier runs of this cluster: never sent again (absent: none kept). */
  refusals?: { memory: AccountRefusals; clusterId: string };
  maxItems: number;
  now(): Date;
}

/** The documented key availability text (working-client-sync.html) and its third-party CLI variant. */
const AVAILABILITY = /availability requirements|available on at least 2 HSMs/i;

/** Whether a CLI error is the key availability check refusing a listing (not a login failure). */
export function isAvailabilityRefusal(error: unknown): error is CloudHsmCliCommandError {
  return error instanceof CloudHsmCliCommandError && AVAILABILITY.test(error.toolMessage);
}
/**
 * A refusal of the credentials themselves (the emulator's `invalid username, password or role`;
 * the real CLI's text is not documented): what the workflow remembers across runs. Any other
 * refusal is still never retried in the run.
 */
const CREDENTIALS_REJECTED =
  /invalid (?:username|user|password|credential)|incorrect password|authenticat|unauthori[sz]ed|wrong password/i;
const UNREACHABLE = /\bunreachable\b|\bnot connected\b|connection refused|\btimed out\b/i;

/** Why not to log in as `username`, from `user list`; null when nothing speaks against it. */
export function guardLogin(
  users: readonly ListedUser[],
  username: string,
  role: CliRole,
): { kind: NodeNote['kind']; detail: string } | null {
  const name = username.toLowerCase();
  const user = users.find((u) => u.username.toLowerCase() === name);
  const refused = (kind: NodeNote['kind'], why: string) => ({
    kind,
    detail: `${role} ${name}: ${why}: no login sent`,
  });
  if (user === undefined) return refused('health', 'not a user of the cluster (user list)');
  if (user.locked === 'true') return refused('account-locked', 'locked out (user list: locked "true")');
  if (user.locked === 'inconsistent') {
    return refused('account-locked', 'locked out on some HSMs (user list: locked "inconsistent")');
  }
  if (user.role !== role) {
    return refused(
      'health',
      `its role reads ${JSON.stringify(user.role)}, not ${role}: the login would fail on some HSMs`,
    );
  }
  if (user.clusterCoverage !== 'full') {
    return refused(
      'health',
      'not on every HSM (cluster-coverage "inconsistent"): the login would fail where it is missing',
    );
  }
  const mfa = user.mfa.find((m) => m.status !== 'disabled');
  if (mfa !== undefined) {
    return refused(
      'health',
      `MFA ${mfa.strategy} reads ${JSON.stringify(mfa.status)}: hsm-sentinel logs in without a token`,
    );
  }
  return null;
}

/** What an error of one CLI command means for the nodes. */
function failureOf(error: unknown, stderr = ''): { reason: UnreadableReason; detail: string } {
  const tail = stderr === '' ? '' : ` (stderr: ${stderr.trim().slice(-300)})`;
  if (error instanceof CommandTimeoutError) return { reason: 'timeout', detail: error.message };
  if (error instanceof TransportError) return { reason: 'unreachable', detail: error.message };
  if (error instanceof CloudHsmCliCommandError) {
    return {
      reason: UNREACHABLE.test(error.toolMessage) ? 'unreachable' : 'protocol-error',
      detail: error.message,
    };
  }
  if (error instanceof ParseError) return { reason: 'protocol-error', detail: `${error.message}${tail}` };
  throw error;
}

function unreadableAll(
  nodes: readonly ClusterNode[],
  reason: UnreadableReason,
  detail: string,
  loginAttempted: boolean,
  notes: NodeNote[] = [],
): UnreadableInventory[] {
  return nodes.map((n) => ({
    nodeId: n.nodeId,
    status: 'unreadable',
    reason,
    detail,
    loginAttempted,
    ...(notes.length > 0 ? { notes } : {}),
  }));
}

async function runParsed<T>(
  ctx: CollectContext,
  words: readonly string[],
  parse: (out: CliOutput) => T,
  login?: CliLogin,
): Promise<{ ok: true; value: T } | { ok: false; error: unknown; stderr: string }> {
  let out: CliOutput | null = null;
  try {
    out = await ctx.session.run(words, login === undefined ? {} : { login });
    return { ok: true, value: parse(out) };
  } catch (error) {
    return { ok: false, error, stderr: out?.stderr ?? '' };
  }
}

export async function collectCluster(ctx: CollectContext): Promise<NodeInventory[]> {
  const { nodes } = ctx;
  // 1. user list: no login.
  const listed = await runParsed(ctx, ['user', 'list'], (out) => parseUserList(out.stdout));
  if (!listed.ok) {
    const { reason, detail } = failureOf(listed.error, listed.stderr);
    return unreadableAll(nodes, reason, `user list: ${detail}`, false);
  }
  const users = listed.value.users;

  // 2. + 3. the admin: guarded, then one login.
  const adminGuard = guardLogin(users, ctx.admin.username, 'admin');
  if (adminGuard !== null) {
    const note: NodeNote = { kind: adminGuard.kind, severity: 'critical', detail: adminGuard.detail };
    return unreadableAll(nodes, 'login-refused-by-guard', adminGuard.detail, false, [note]);
  }
  const adminLogin: CliLogin = { role: 'admin', username: ctx.admin.username, password: ctx.admin.password };
  const notes: NodeNote[] = [];
  let clusterKeyCount: number | null = null;
  const counted = await runParsed(
    ctx,
    ['key', 'list', '--max-items', '1'],
    (out) => parseKeyList(out.stdout, { expect: 'plain' }),
    adminLogin,
  );
  if (counted.ok) {
    clusterKeyCount = counted.value.totalKeyCount;
  } else if (isAvailabilityRefusal(counted.error)) {
    // The login passed; the CLI refused to list because a key is on fewer than 2 HSMs.
    notes.push(availabilityNote('admin', counted.error));
  } else {
    const { reason, detail } = failureOf(counted.error, counted.stderr);
    const why =
      counted.error instanceof CloudHsmCliCommandError
        ? `the admin's login (key list as ${ctx.admin.username}) was refused or failed: ${detail}; not tried again in this run, and no other login follows`
        : `key list as the admin ${ctx.admin.username}: ${detail}; the login may have been sent: not tried again in this run`;
    // Whatever the CLI answered, the login may have counted: the nodes stay unread, never retried.
    const failedReason =
      counted.error instanceof CloudHsmCliCommandError && reason !== 'unreachable' ? 'login-failed' : reason;
    const note: NodeNote = { kind: 'lockout-risk', severity: 'critical', detail: why };
    const rejected =
      counted.error instanceof CloudHsmCliCommandError &&
      CREDENTIALS_REJECTED.test(counted.error.toolMessage);
    // A rejection of the credentials themselves: the workflow's memory keeps this secret version from every later run.
    return unreadableAll(nodes, failedReason, why, true, [note]).map((inv) =>
      rejected ? { ...inv, credentialsRejected: true } : inv,
    );
  }

  // 4. every crypto user's keys.
  const records: KeyListingRecord[] = [];
  const listings: Array<{ username: string; keys: ListedKey[] }> = [];
  for (const cu of ctx.cryptoUsers) {
    const guard = guardLogin(users, cu.username, 'crypto-user');
    if (guard !== null) {
      records.push({
        username: cu.username,
        status: 'refused-by-guard',
        pages: 0,
        keys: 0,
        detail: guard.detail,
      });
      notes.push({
        kind: guard.kind,
        severity: 'warning',
        detail: `${guard.detail}; its keys are not in this audit`,
      });
      continue;
    }
    const before = await ctx.refusals?.memory.refusalOf(ctx.refusals.clusterId, cu.username, cu.version);
    if (before) {
      const detail = `crypto-user ${cu.username}: its password (${cu.version ?? 'an unversioned secret'}) was refused at ${before.refusedAt} (${before.detail}): never sent again until the secret changes; its keys are not in this audit`;
      records.push({ username: cu.username, status: 'refused-by-guard', pages: 0, keys: 0, detail });
      notes.push({ kind: 'health', severity: 'critical', detail });
      continue;
    }
    const result = await listKeysAs(ctx, {
      role: 'crypto-user',
      username: cu.username,
      password: cu.password,
    });
    records.push(result.record);
    if (result.note) notes.push(result.note);
    if (result.record.status === 'login-failed' && ctx.refusals) {
      // Remembered at once: no later run sends this secret version again (the HSMs lock at 5).
      await ctx.refusals.memory.remember({
        clusterId: ctx.refusals.clusterId,
        username: cu.username,
        version: cu.version,
        refusedAt: ctx.now().toISOString(),
        detail: result.record.detail.slice(0, 500),
      });
    }
    if (result.keys) listings.push({ username: cu.username, keys: result.keys });
  }

  // 5. the listing, the same on every node.
  const keys = mergeKeys(listings);
  notes.push(
    ...lockedUserNotes(
      users,
      new Set([ctx.admin.username.toLowerCase(), ...ctx.cryptoUsers.map((c) => c.username)]),
    ),
  );
  const unseen = clusterKeyCount === null ? 0 : clusterKeyCount - keys.length;
  if (clusterKeyCount !== null && unseen > 0) {
    const listed = records.filter((r) => r.status === 'listed').map((r) => r.username);
    notes.push({
      kind: 'health',
      severity: 'warning',
      detail:
        `${unseen} of the cluster's ${clusterKeyCount} keys are not visible to ${listed.length > 0 ? `the crypto users listed (${listed.join(', ')})` : 'any crypto user (none is configured)'}: ` +
        'their coverage is not audited (an admin sees keys without coverage); name their owners in the crypto users to list',
    });
  }
  const listing: CloudHsmCliListing = {
    tool: 'cloudhsm-cli',
    users,
    keys,
    keyListings: records,
    clusterKeyCount,
  };
  const collectedAt = ctx.now().toISOString();
  return nodes.map(
    (n): ReadInventory => ({
      nodeId: n.nodeId,
      status: 'read',
      listing,
      // The CLI prints no digest of an HSM's contents (mgmt-util's Key Hash has no SDK 5 form).
      digest: null,
      notes: notes.map((note) => ({ ...note })),
      collectedAt,
    }),
  );
}

function availabilityNote(who: string, error: CloudHsmCliCommandError): NodeNote {
  return {
    kind: 'health',
    severity: 'critical',
    detail: `key list as ${who} was refused by the key availability check (a key is on fewer than 2 HSMs): ${error.toolMessage}`,
  };
}

/** Every page of one crypto user's `key list --verbose`; the first page's refusal is the user's only attempt. */
async function listKeysAs(
  ctx: CollectContext,
  login: CliLogin,
): Promise<{ record: KeyListingRecord; note?: NodeNote; keys?: ListedKey[] }> {
  const name = login.username;
  const pages: KeyListReply[] = [];
  let token: string | null = null;
  let limit = 1;
  for (;;) {
    const words = ['key', 'list', '--verbose', '--max-items', String(ctx.maxItems)];
    if (token !== null) words.push('--starting-token', token);
    const page = await runParsed(ctx, words, (out) => parseKeyList(out.stdout, { expect: 'verbose' }), login);
    if (!page.ok) return pageFailure(name, pages.length, page.error, page.stderr);
    pages.push(page.value);
    if (pages.length === 1) limit = Math.ceil(page.value.totalKeyCount / ctx.maxItems) + 1;
    token = page.value.nextToken;
    if (token === null) break;
    if (pages.length >= limit) {
      return failed(
        name,
        pages.length,
        `key list as ${name}: more pages than its ${pages[0]?.totalKeyCount} keys need (a next_token loop?)`,
      );
    }
  }
  try {
    const joined = joinKeyListPages(pages);
    return {
      record: {
        username: name,
        status: 'listed',
        pages: pages.length,
        keys: joined.keys.length,
        detail: 'every page read',
      },
      keys: joined.keys,
    };
  } catch (error) {
    if (!(error instanceof ParseError)) throw error;
    return failed(name, pages.length, `key list as ${name}: ${error.message} (list again)`);
  }
}

function failed(name: string, pages: number, detail: string): { record: KeyListingRecord; note: NodeNote } {
  return {
    record: { username: name, status: 'failed', pages, keys: 0, detail },
    note: {
      kind: 'health',
      severity: 'warning',
      detail: `${detail}; the keys of ${name} are not in this audit`,
    },
  };
}

function pageFailure(
  name: string,
  pagesRead: number,
  error: unknown,
  stderr: string,
): { record: KeyListingRecord; note: NodeNote } {
  if (isAvailabilityRefusal(error)) {
    return {
      record: { username: name, status: 'failed', pages: pagesRead, keys: 0, detail: error.message },
      note: {
        ...availabilityNote(name, error),
        detail: `${availabilityNote(name, error).detail}; the keys of ${name} are not in this audit`,
      },
    };
  }
  if (pagesRead === 0 && error instanceof CloudHsmCliCommandError) {
    // The first page carries the user's login: a refusal there is its one attempt in this run.
    const detail = `the login of crypto user ${name} was refused or failed (${error.toolMessage}): not tried again in this run; its keys are not in this audit`;
    return {
      record: { username: name, status: 'login-failed', pages: 0, keys: 0, detail },
      note: { kind: 'lockout-risk', severity: 'critical', detail },
    };
  }
  const { detail } = failureOf(error, stderr);
  return failed(name, pagesRead, `key list as ${name}, page ${pagesRead + 1}: ${detail}`);
}

/** The crypto users' listings merged by key reference (a key shared with two of them is listed twice). */
export function mergeKeys(
  listings: ReadonlyArray<{ username: string; keys: readonly ListedKey[] }>,
): CliKey[] {
  const byRef = new Map<string, { key: CliKey; seen: string }>();
  for (const { username, keys } of listings) {
    for (const k of keys) {
      const ref = canonicalKeyReference(k.keyReference);
      const seen = JSON.stringify([k.label, k.checkValue, k.clusterCoverage, k.owners, k.sharedUsers]);
      const known = byRef.get(ref);
      if (known === undefined) {
        byRef.set(ref, {
          seen,
          key: {
            keyReference: k.keyReference,
            label: k.label,
            checkValue: k.checkValue,
            clusterCoverage: k.clusterCoverage ?? 'full',
            owners: k.owners,
            sharedUsers: k.sharedUsers,
            listedBy: [username],
            listedDifferently: false,
          },
        });
        continue;
      }
      known.key.listedBy.push(username);
      if (known.seen !== seen) known.key.listedDifferently = true;
    }
  }
  return [...byRef.values()].map((v) => v.key);
}

/** Users locked on every HSM that the run does not log in as (its own accounts have their guard notes). */
function lockedUserNotes(users: readonly ListedUser[], ownAccounts: ReadonlySet<string>): NodeNote[] {
  return users
    .filter((u) => u.locked === 'true' && !ownAccounts.has(u.username.toLowerCase()))
    .map((u) => ({
      kind: 'account-locked' as const,
      severity: 'warning' as const,
      detail: `user ${u.username.toLowerCase()} (${u.role}) is locked out on every HSM (user list: locked "true"); an admin resets it with user change-password`,
    }));
}
