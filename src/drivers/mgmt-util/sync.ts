/**
 * One sync session of the mgmt-util (config listing ALL nodes, util started): every server
 * connected, E2E on and logged in, or nothing is written (CredentialsRejectedError /
 * TransportError) → per source server: `server <src>`, `syncUser|syncKey <id> <dest>`…,
 * `exit` → `logoutHSM`. Node ids become server numbers here and nowhere else. One failed
 * action does not stop the others; after a timeout, a lost process or a reply we cannot read
 * the rest are `not-run`.
 */
import {
  CommandTimeoutError,
  CredentialsRejectedError,
  InvalidInputError,
  LockoutGuardError,
  ParseError,
  TransportError,
  UnknownNodeError,
} from '#core/errors.ts';
import type { ActionResult, ClusterNode, SyncAction } from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';
import { redact } from '#core/secret.ts';
import type { DialectProfile } from './dialect.ts';
import { SYNC_COMMANDS, type SyncCommand } from './listing.ts';
import { guardRefusal } from './lockout-guard.ts';
import { parseListUsersSections } from './parse/parse-list-users.ts';
import { parseEnableE2e } from './parse/parse-login.ts';
import { parseServerModeReply, parseSyncReply } from './parse/parse-sync.ts';
import type { CommandLine, MgmtUtilSession } from './session.ts';
import { loginReply, logout, sectionFor, startupConnections, statusMismatch } from './session-steps.ts';

/** A SyncAction as the util takes it: server numbers, the command word, the numeric id. */
export interface ServerAction {
  action: SyncAction;
  command: SyncCommand;
  id: number;
  sourceServer: number;
  targetServer: number;
}

/** Server numbers are positions in `nodes`, the node list the config is written from. */
export function toServerActions(
  nodes: readonly ClusterNode[],
  actions: readonly SyncAction[],
): ServerAction[] {
  const serverOf = (nodeId: string | null, action: SyncAction, role: string): number => {
    const index = nodeId === null ? -1 : nodes.findIndex((n) => n.nodeId === nodeId);
    if (index < 0) {
      throw new UnknownNodeError(
        `${action.description}: ${role} ${nodeId ?? '(none)'} is not a node of the cluster; nothing written`,
        { context: { objectId: action.objectId, nodeId } },
      );
    }
    return index;
  };
  return actions.map((action) => {
    const command = SYNC_COMMANDS[action.kind];
    const id = Number(action.ref);
    if (action.operation !== command || !Number.isSafeInteger(id) || id < 0) {
      throw new InvalidInputError(
        `${action.description}: not a ${command} of a numeric id this util can run; nothing written`,
        { context: { objectId: action.objectId } },
      );
    }
    return {
      action,
      command,
      id,
      sourceServer: serverOf(action.sourceNodeId, action, 'source'),
      targetServer: serverOf(action.targetNodeId, action, 'target'),
    };
  });
}

export interface SyncContext {
  session: MgmtUtilSession;
  profile: DialectProfile;
  nodes: readonly ClusterNode[];
  credentials: Credentials;
  loginFailureLimit: number;
  run(command: CommandLine): Promise<string>;
}

export async function requireAllLoggedIn(ctx: SyncContext): Promise<void> {
  const { nodes, profile, credentials } = ctx;
  const name = (i: number): string => `server ${i} (${nodes[i]?.nodeId})`;
  const down = startupConnections(ctx.session, profile, nodes).flatMap((c, i) =>
    c.connected ? [] : [`${name(i)}: ${c.detail}`],
  );
  if (down.length > 0)
    throw new TransportError(`not every node is connected; nothing written: ${down.join('; ')}`);

  // The lockout guard again: counts may have grown since Collect (another tool, a person).
  const users = parseListUsersSections(await ctx.run('listUsers'), profile);
  const risky = nodes.flatMap((_, i) => {
    const section = sectionFor(users, nodes, i);
    if (section?.kind !== 'ok')
      return [`${name(i)}: listUsers unreadable, so the account's failure count is unknown`];
    const refusal = guardRefusal(section.value.users, credentials.username, ctx.loginFailureLimit);
    return refusal ? [`${name(i)}: ${refusal.detail}`] : [];
  });
  if (risky.length > 0) {
    throw new LockoutGuardError(`no login, nothing written: ${risky.join('; ')}`, {
      context: { username: credentials.username },
    });
  }

  if (profile.enableE2e) {
    const e2e = parseEnableE2e(await ctx.run('enable_e2e'), profile);
    const bad = nodes.flatMap((_, i) => {
      const r = e2e.find((x) => x.server === i);
      const mismatch = r ? statusMismatch(r, nodes, i) : null;
      if (r?.ok && mismatch === null) return [];
      return [`${name(i)}: ${mismatch ?? (r?.ok === false ? r.error : 'no enable_e2e line')}`];
    });
    if (bad.length > 0) {
      throw new TransportError(
        `end-to-end encryption not enabled; password not sent, nothing written: ${bad.join('; ')}`,
      );
    }
  }

  const login = await loginReply(profile, credentials, ctx.run);
  const rejected: string[] = [];
  const other: string[] = [];
  nodes.forEach((_, i) => {
    const r = login.servers.find((x) => x.server === i);
    const mismatch = r ? statusMismatch(r, nodes, i) : null;
    if (!r) other.push(`${name(i)}: no loginHSM line`);
    else if (mismatch) other.push(`${name(i)}: the loginHSM line ${mismatch}`);
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

export async function runServerActions(
  ctx: SyncContext,
  actions: readonly ServerAction[],
  results: Map<SyncAction, ActionResult>,
): Promise<void> {
  const { session, profile } = ctx;
  const groups = new Map<number, ServerAction[]>();
  for (const a of actions) {
    const group = groups.get(a.sourceServer);
    if (group) group.push(a);
    else groups.set(a.sourceServer, [a]);
  }
  const set = (a: ServerAction, outcome: ActionResult['outcome'], detail: string): void => {
    results.set(a.action, { action: a.action, outcome, detail });
  };
  const stop = (why: string): void => {
    for (const [action, r] of results)
      if (r.outcome === 'not-run')
        results.set(action, { action, outcome: 'not-run', detail: `not run: ${why}` });
  };
  for (const [source, group] of groups) {
    let reply: string;
    try {
      reply = await ctx.run(`server ${source}`);
    } catch (error) {
      // Lost, or the session refused the util's output (a ParseError of its own): nothing more to say to it.
      if (isSessionLost(error) || error instanceof ParseError) return stop(error.message);
      throw error;
    }
    try {
      parseServerModeReply(reply, profile);
    } catch (error) {
      if (!(error instanceof ParseError)) throw error;
    }
    const prompt = session.prompt;
    if (prompt.mode !== 'server' || prompt.server !== source) {
      for (const a of group) set(a, 'failed', `could not enter server mode on server ${source}`);
      continue;
    }
    for (const a of group) {
      const line = `${a.command} ${a.id} ${a.targetServer}`;
      let reply: string;
      try {
        reply = await ctx.run(line);
      } catch (error) {
        // No usable answer: the copy may or may not have happened (Verify reads it back).
        if (!isSessionLost(error) && !(error instanceof ParseError)) throw error;
        set(a, 'failed', `${line}: ${error.message}`);
        return stop(`the session was lost during "${line}"`);
      }
      try {
        const r = parseSyncReply(a.command, reply, profile);
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
      await ctx.run('exit');
    } catch (error) {
      if (isSessionLost(error) || error instanceof ParseError) return stop((error as Error).message);
      throw error;
    }
    if (session.prompt.mode !== 'global') return stop(`"exit" did not leave server mode on server ${source}`);
  }
  await logout(ctx.run);
}

export function isSessionLost(error: unknown): error is CommandTimeoutError | TransportError {
  return error instanceof CommandTimeoutError || error instanceof TransportError;
}
