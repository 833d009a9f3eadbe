/**
 * The commands of the emulated `cloudhsm-cli`, each run against every HSM of the configured
 * cluster: `user list`, `login`, `user create`, `key list`, `cluster hsm-info`. Each returns the
 * reply to print; nothing here prints a password or a PIN.
 */

import type { CliCluster } from '#drivers/cloudhsm-cli/config.ts';
import { EmulatedHsmError, HSM_RETURN_CODES } from '../hsm-error.ts';
import type { NodeClient } from '../node-client.ts';
import type { Sdk5KeyFilter, Sdk5KeyView, Sdk5UserView } from '../node-state.ts';
import { type CliArgs, CliUsageError, describeWords, optionValue } from './args.ts';
import { addressOf, ClusterSession, type LoginOutcome, userTypeOfRole } from './cluster-session.ts';
import { mergeKeys, mergeUsers } from './coverage.ts';
import {
  type CliReply,
  failed,
  hsmInfoData,
  keyListData,
  keyReferenceOf,
  ok,
  TEXTS,
  userListData,
} from './format.ts';

export type Sdk5Role = 'admin' | 'crypto-user';

/** What the CLI reads from its environment (single-command mode credentials). */
export interface CliEnvironment {
  /** CLOUDHSM_ROLE: `admin` or `crypto-user`. */
  role: string | undefined;
  /** CLOUDHSM_PIN: `<username>:<password>`. */
  pin: string | undefined;
}

/** Prompts for `user create` without `--password` (prompts go to stderr, answers come on stdin). */
export interface CliPrompter {
  prompt(text: string): void;
  readLine(): Promise<string | null>;
}

export interface CommandContext {
  args: CliArgs;
  cluster: CliCluster;
  env: CliEnvironment;
  prompter: CliPrompter;
  connectTimeoutMs: number;
}

/** Default page size of `key list` (documented `[default: 10]`). */
export const DEFAULT_MAX_ITEMS = 10;
const NEW_USERNAME = /^[a-z0-9_-]{1,31}$/;
const DECIMAL = /^\d{1,9}$/;

interface Credentials {
  role: Sdk5Role;
  username: string;
  password: string;
}

function isRole(value: string | undefined): value is Sdk5Role {
  return value === 'admin' || value === 'crypto-user';
}

function splitPin(pin: string | undefined): { username: string; password: string } | null {
  if (pin === undefined) return null;
  const colon = pin.indexOf(':');
  if (colon <= 0) return null;
  return { username: pin.slice(0, colon).toLowerCase(), password: pin.slice(colon + 1) };
}

function credentialsFromEnv(env: CliEnvironment): Credentials | null {
  const pin = splitPin(env.pin);
  if (pin === null || env.role === undefined) return null;
  if (!isRole(env.role)) throw new CliUsageError(TEXTS.badRole);
  return { role: env.role, ...pin };
}

function loginFailure(outcomes: readonly LoginOutcome[]): CliReply | null {
  const bad = outcomes.filter((o) => o !== 'ok');
  if (bad.length === 0) return null;
  const reason: Record<Exclude<LoginOutcome, 'ok'>, string> = {
    credentials: TEXTS.reasonCredentials,
    locked: TEXTS.reasonLocked,
    unreachable: TEXTS.reasonUnreachable,
    other: TEXTS.reasonOther,
  };
  const reasons = [...new Set(bad.map((o) => reason[o as Exclude<LoginOutcome, 'ok'>]))];
  return failed(TEXTS.loginFailed(bad.length, outcomes.length, reasons));
}

function requireAll(command: string, session: ClusterSession): CliReply | null {
  if (session.unreachable.length === 0) return null;
  return failed(TEXTS.unreachable(command, session.unreachable.map(addressOf), session.servers.length));
}

async function userList(session: ClusterSession): Promise<CliReply> {
  const refused = requireAll('user list', session);
  if (refused !== null) return refused;
  const perHsm = await session.all((c) => c.request('sdk5ListUsers', {}));
  return ok(userListData(mergeUsers(perHsm)));
}

async function hsmInfo(session: ClusterSession): Promise<CliReply> {
  const refused = requireAll('cluster hsm-info', session);
  if (refused !== null) return refused;
  return ok(hsmInfoData(await session.all((c) => c.request('hsmInfo', {}))));
}

async function login(context: CommandContext, session: ClusterSession): Promise<CliReply> {
  const { args, env } = context;
  if (args.options.has('password')) return failed(TEXTS.passwordOnCommandLine);
  const pin = splitPin(env.pin);
  if (pin === null) return failed(TEXTS.noCredentials('login'));
  const username = optionValue(args, 'username')?.toLowerCase() ?? pin.username;
  if (username !== pin.username) return failed(TEXTS.pinUserMismatch);
  const role = optionValue(args, 'role') ?? env.role;
  if (!isRole(role)) return failed(TEXTS.badRole);
  const failure = loginFailure(await session.login(role, username, pin.password));
  return failure ?? ok({ username, role });
}

async function askPassword(prompter: CliPrompter): Promise<string | CliReply> {
  prompter.prompt('Enter password:');
  const first = await prompter.readLine();
  prompter.prompt('Confirm password:');
  const second = await prompter.readLine();
  if (first === null || second === null) return failed(TEXTS.noPassword);
  return first === second ? first : failed(TEXTS.passwordMismatch);
}

/** Creates the user on one HSM; true when it is there (created, or already there with that role). */
async function createOn(
  client: NodeClient,
  existing: Sdk5UserView | undefined,
  user: { username: string; role: Sdk5Role; password: string; userId: number },
): Promise<boolean> {
  if (existing !== undefined) return existing.role === user.role;
  const request = { userType: userTypeOfRole(user.role), username: user.username, password: user.password };
  try {
    await client.request('createUser', { ...request, userId: user.userId });
    return true;
  } catch (error) {
    if (!(error instanceof EmulatedHsmError)) throw error;
    if (error.code !== HSM_RETURN_CODES.userAlreadyExists) return false;
  }
  try {
    await client.request('createUser', request); // the id is taken there: let the HSM choose one
    return true;
  } catch (error) {
    if (!(error instanceof EmulatedHsmError)) throw error;
    return false;
  }
}

async function userCreate(context: CommandContext, session: ClusterSession): Promise<CliReply> {
  const { args } = context;
  const admin = credentialsFromEnv(context.env);
  if (admin === null) return failed(TEXTS.noCredentials('user create'));
  if (admin.role !== 'admin') return failed(TEXTS.adminOnly('user create'));
  const username = optionValue(args, 'username')?.toLowerCase();
  if (username === undefined) throw new CliUsageError('--username is required');
  if (!NEW_USERNAME.test(username)) return failed(TEXTS.badUsername);
  const role = optionValue(args, 'role');
  if (role === undefined) throw new CliUsageError('--role is required');
  if (!isRole(role)) return failed(TEXTS.badRole);
  const given = optionValue(args, 'password') ?? (await askPassword(context.prompter));
  if (typeof given !== 'string') return given;
  if (given.length < 8 || given.length > 32) return failed(TEXTS.badPassword);

  const outcomes = await session.login('admin', admin.username, admin.password);
  const loggedIn = session.connected.filter((_, i) => outcomes[i] === 'ok');
  if (loggedIn.length === 0) return loginFailure(outcomes) ?? failed(TEXTS.noServers);
  const lists = await Promise.all(loggedIn.map((c) => c.client.request('sdk5ListUsers', {})));
  const copies = lists.map((users) => users.find((u) => u.username.toLowerCase() === username));
  const known = copies.find((u) => u !== undefined);
  const userId = known?.userId ?? Math.max(0, ...lists.flat().map((u) => u.userId)) + 1;
  const created = await Promise.all(
    loggedIn.map((c, i) => createOn(c.client, copies[i], { username, role, password: given, userId })),
  );
  const failures = session.servers.length - loggedIn.length + created.filter((c) => !c).length;
  return failures > 0
    ? failed(TEXTS.userCreateFailed(failures, session.servers.length))
    : ok({ username, role });
}

/** `--filter` terms: `key-reference=0x…`, `attr.label=…`, `attr.class=…`, `attr.key-type=…`. */
function parseFilter(terms: readonly string[]): Sdk5KeyFilter | null {
  const filter: Sdk5KeyFilter = {};
  for (const term of terms) {
    const eq = term.indexOf('=');
    const name = term.slice(0, eq);
    const value = term.slice(eq + 1);
    if (eq <= 0) return null;
    if (name === 'key-reference' && /^0x[0-9a-fA-F]{1,16}$/.test(value))
      filter.keyReference = Number.parseInt(value, 16);
    else if (name === 'attr.label') filter.label = value;
    else if (name === 'attr.class') filter.keyClass = value;
    else if (name === 'attr.key-type') filter.keyType = value;
    else return null;
  }
  return filter;
}

async function namesIfNeeded(
  session: ClusterSession,
  details: ReadonlyArray<readonly Sdk5KeyView[]>,
): Promise<Array<Map<number, string>>> {
  const unnamed = details.some((keys) =>
    keys.some((k) => k.owner.username === null || k.shared.some((u) => u.username === null)),
  );
  if (!unnamed) return [];
  const lists = await session.all((c) => c.request('sdk5ListUsers', {}));
  return lists.map((users) => new Map(users.map((u) => [u.userId, u.username])));
}

async function keyList(context: CommandContext, session: ClusterSession): Promise<CliReply> {
  const { args, cluster } = context;
  const creds = credentialsFromEnv(context.env);
  if (creds === null) return failed(TEXTS.noCredentials('key list'));
  const maxItemsText = optionValue(args, 'max-items') ?? String(DEFAULT_MAX_ITEMS);
  const startText = optionValue(args, 'starting-token') ?? '0';
  if (!DECIMAL.test(maxItemsText) || Number(maxItemsText) < 1) return failed(TEXTS.badMaxItems);
  if (!DECIMAL.test(startText)) return failed(TEXTS.badStartingToken);
  const filterTerms = args.options.get('filter');
  const filter = Array.isArray(filterTerms) ? parseFilter(filterTerms) : {};
  if (filter === null) return failed(TEXTS.badFilter);
  const refused = requireAll('key list', session);
  if (refused !== null) return refused;
  const failure = loginFailure(await session.login(creds.role, creds.username, creds.password));
  if (failure !== null) return failure;

  const refs = await session.all((c) => c.request('sdk5KeyRefs', { filter }));
  const all = [...new Set(refs.flatMap((r) => r.handles))].sort((a, b) => a - b);
  const start = Number(startText);
  if (start > all.length) return failed(TEXTS.badStartingToken);
  const page = all.slice(start, start + Number(maxItemsText));
  const details = await session.all((c) => c.request('sdk5KeyDetails', { handles: page }));
  const perHsm = details.map((keys) => new Map(keys.map((k) => [k.handle, k])));
  const merged = mergeKeys(page, perHsm, await namesIfNeeded(session, details));
  if (!cluster.disableKeyAvailabilityCheck) {
    const lonely = merged.find((k) => k.holders < 2);
    if (lonely !== undefined) return failed(TEXTS.keyAvailability(keyReferenceOf(lonely.key.handle)));
  }
  const end = start + page.length;
  const verbose = args.options.get('verbose') === true && creds.role === 'crypto-user';
  return ok(keyListData(merged, verbose, all.length, end < all.length ? String(end) : null));
}

/** Runs the command `context.args` names. Throws CliUsageError for a malformed command line. */
export async function runCommand(context: CommandContext): Promise<CliReply> {
  const { args, cluster } = context;
  if (args.command === null) return failed(TEXTS.notImplemented(describeWords(args.words)));
  if (cluster.servers.length === 0) return failed(TEXTS.noServers);
  const session = await ClusterSession.open(cluster.servers, context.connectTimeoutMs);
  try {
    switch (args.command) {
      case 'user list':
        return await userList(session);
      case 'cluster hsm-info':
        return await hsmInfo(session);
      case 'login':
        return await login(context, session);
      case 'user create':
        return await userCreate(context, session);
      case 'key list':
        return await keyList(context, session);
      default:
        return failed(TEXTS.notImplemented(args.command));
    }
  } catch (error) {
    if (error instanceof EmulatedHsmError && error.code === HSM_RETURN_CODES.serverDisconnected) {
      return failed(TEXTS.unreachable(args.command, [error.detail], session.servers.length));
    }
    throw error;
  } finally {
    session.close();
  }
}
