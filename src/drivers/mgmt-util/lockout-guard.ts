/**
 * The lockout guard of the mgmt-util family: `listUsers` needs no login and shows each
 * user's LoginFailureCnt per server. Before any login, the run's account is looked up on every
 * server; where it is missing, at or above the policy's limit, or at the HSMs' lock (5), the
 * server gets no login. Pure: the collect and sync sessions act on its answer.
 */
import type { NodeNote } from '#core/model.ts';
import type { HsmUser } from './listing.ts';

/** The HSMs lock an account after this many consecutive failed logins (AWS and Azure docs). */
export const HSM_LOCK_AT = 5;

export interface GuardRefusal {
  detail: string;
  note: NodeNote | null;
}

/** Why server's users say the login must not be sent; null when it may be. */
export function guardRefusal(
  users: readonly HsmUser[],
  username: string,
  limit: number,
): GuardRefusal | null {
  const wanted = username.toLowerCase();
  const account = users.find((u) => u.username.toLowerCase() === wanted);
  if (!account) {
    return {
      detail: `not logged in: the account ${username} does not exist on this HSM (listUsers), so the login could only fail`,
      note: null,
    };
  }
  const failures = account.loginFailureCount;
  if (failures >= HSM_LOCK_AT) {
    return {
      detail: `not logged in: ${username} has ${failures} failed logins here, the HSM's lock is at ${HSM_LOCK_AT}`,
      note: {
        kind: 'account-locked',
        severity: 'critical',
        detail: `${username} is locked on this HSM (${failures} failed logins): an officer must reset its password`,
      },
    };
  }
  if (failures >= limit) {
    return {
      detail: `not logged in: ${username} already has ${failures} failed login(s) here (the guard stops at ${limit}, the HSM locks at ${HSM_LOCK_AT})`,
      note: {
        kind: 'lockout-risk',
        severity: 'critical',
        detail: `${username} has ${failures} failed login(s) on this HSM: ${HSM_LOCK_AT - failures} more lock it; hsm-sentinel will not log in here until a successful login by hand resets the count`,
      },
    };
  }
  return null;
}
