/**
 * One sync of the SDK 5 CLI: AWS's documented fix for a user on some HSMs only ("finish
 * your previous operation": `user create --username <user> --role <role>` as an admin),
 * additive only. Never `user delete`, never `change-password`.
 *
 * Before any write: a fresh `user list` and the lockout guard on the admin, then the admin's
 * login proven once (`key list --max-items 1`): refused → CredentialsRejectedError, nothing
 * written, never tried again. Then per action, only while `user list` still shows the user
 * on some HSMs with the same role: `user create` with the user's own password on stdin (the
 * CLI's `Enter password:` / `Confirm password:` prompts; never argv). The CLI fans out to
 * every HSM of the config and skips those that hold the user already (measured by a third
 * party; the emulator does the same). Its reply is not the proof: Verify reads `user list`.
 */
import {
  CommandTimeoutError,
  CredentialsRejectedError,
  InvalidInputError,
  ParseError,
  TransportError,
} from '#core/errors.ts';
import type { ActionResult, SyncAction } from '#core/model.ts';
import type { Credentials, Secret } from '#core/secret.ts';
import { guardLogin, isAvailabilityRefusal } from './collect.ts';
import { parseUserRef } from './listing.ts';
import { CloudHsmCliCommandError } from './parse/envelope.ts';
import { USERNAME_PATTERN } from './parse/fields.ts';
import { parseKeyList } from './parse/parse-key-list.ts';
import { parseUserCreate } from './parse/parse-user-create.ts';
import { type ListedUser, parseUserList } from './parse/parse-user-list.ts';
import type { CliLogin, CliRole, CloudHsmCliSession } from './session.ts';

export const USER_CREATE = 'user create';

export interface UserCreate {
  action: SyncAction;
  username: string;
  role: CliRole;
}

/** The actions as `user create`s; InvalidInputError (nothing written) for anything else. */
export function toUserCreates(actions: readonly SyncAction[]): UserCreate[] {
  return actions.map((action) => {
    const ref = parseUserRef(action.ref);
    if (
      action.kind !== 'user' ||
      action.operation !== USER_CREATE ||
      ref === null ||
      (ref.role !== 'admin' && ref.role !== 'crypto-user') ||
      !USERNAME_PATTERN.test(ref.username)
    ) {
      throw new InvalidInputError(
        `${action.description}: not a user create of an admin or crypto user this CLI can run; nothing written`,
        { context: { objectId: action.objectId } },
      );
    }
    return { action, username: ref.username.toLowerCase(), role: ref.role };
  });
}

export interface SyncContext {
  session: CloudHsmCliSession;
  admin: Credentials;
  /** The password each user to re-create keeps (read before anything runs); absent: not configured. */
  passwords: ReadonlyMap<string, Secret>;
}

async function freshUsers(session: CloudHsmCliSession): Promise<ListedUser[]> {
  try {
    return parseUserList((await session.run(['user', 'list'])).stdout).users;
  } catch (error) {
    if (
      error instanceof CloudHsmCliCommandError ||
      error instanceof ParseError ||
      error instanceof TransportError
    ) {
      throw new TransportError(`user list before the writes failed (${error.message}): nothing written`, {
        cause: error,
      });
    }
    throw error;
  }
}

/** The admin's login, once, before the first write. */
async function proveAdmin(
  session: CloudHsmCliSession,
  users: readonly ListedUser[],
  admin: CliLogin,
): Promise<void> {
  const guard = guardLogin(users, admin.username, 'admin');
  if (guard !== null) {
    throw new CredentialsRejectedError(`${guard.detail}; nothing written`, {
      context: { username: admin.username },
    });
  }
  try {
    parseKeyList((await session.run(['key', 'list', '--max-items', '1'], { login: admin })).stdout, {
      expect: 'plain',
    });
  } catch (error) {
    if (isAvailabilityRefusal(error)) {
      return; // the login passed; the listing tripped the key availability check
    }
    if (error instanceof CloudHsmCliCommandError || error instanceof ParseError) {
      throw new CredentialsRejectedError(
        `the admin ${admin.username}'s login was refused or failed (${error.message}): not tried again in this run; nothing written`,
        { context: { username: admin.username } },
      );
    }
    throw error;
  }
}

const ALREADY_EVERYWHERE = 'already on every HSM';

/** Whether the user still needs AWS's fix, by a `user list` read just now: null, ALREADY_EVERYWHERE or why not. */
function stillNeeded(users: readonly ListedUser[], create: UserCreate): string | null {
  const user = users.find((u) => u.username.toLowerCase() === create.username);
  if (user === undefined)
    return `${create.username} is no longer listed on any HSM: not re-created (someone deleted it?)`;
  if (user.role !== create.role) {
    return `${create.username}'s role now reads ${JSON.stringify(user.role)}, not ${create.role}: not re-created`;
  }
  if (user.clusterCoverage === 'full') return ALREADY_EVERYWHERE;
  return null;
}

export async function runUserCreates(
  ctx: SyncContext,
  creates: readonly UserCreate[],
): Promise<ActionResult[]> {
  const admin: CliLogin = { role: 'admin', username: ctx.admin.username, password: ctx.admin.password };
  const users = await freshUsers(ctx.session);
  await proveAdmin(ctx.session, users, admin);
  const results: ActionResult[] = [];
  for (const create of creates) {
    const { action } = create;
    const skip = stillNeeded(users, create);
    if (skip === ALREADY_EVERYWHERE) {
      results.push({ action, outcome: 'already-present', detail: skip });
      continue;
    }
    if (skip !== null) {
      results.push({ action, outcome: 'failed', detail: skip });
      continue;
    }
    const password = ctx.passwords.get(create.username);
    if (password === undefined) {
      results.push({
        action,
        outcome: 'failed',
        detail: `no password for ${create.username} could be read: not re-created`,
      });
      continue;
    }
    const words = ['user', 'create', '--username', create.username, '--role', create.role];
    try {
      const reply = parseUserCreate(
        (await ctx.session.run(words, { login: admin, stdinLines: [password, password] })).stdout,
      );
      results.push({
        action,
        outcome: 'synced',
        detail: `user create answered ${reply.username} ${reply.role}`,
      });
    } catch (error) {
      // The admin's login was just accepted: an error here is the command's, not the login's.
      // A partial "User create failed on K of N" may still have filled the gap: Verify reads it back.
      if (
        !(
          error instanceof CloudHsmCliCommandError ||
          error instanceof ParseError ||
          error instanceof TransportError ||
          error instanceof CommandTimeoutError
        )
      ) {
        throw error;
      }
      results.push({
        action,
        outcome: 'failed',
        detail: `user create --username ${create.username}: ${error.message}`,
      });
    }
  }
  return results;
}
