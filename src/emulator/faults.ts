/**
 * Fault injection for one emulated node, settable at runtime.
 */
import { InvalidInputError } from '#core/errors.ts';

/** A change to a node's faults: only the fields given change (see {@link applyFault}). */
export interface NodeFault {
  /** The node stops listening and drops its connections (connections are refused). */
  down?: boolean;
  /** Every reply is delayed by this many milliseconds (0 = off). */
  slowMs?: number;
  /** Every login fails as bad credentials, and counts against the user like a wrong password. */
  rejectLogin?: boolean;
  /** The next N insertMasked fail (`'all'`: every one, 0: none). */
  failInsert?: number | 'all';
  /** createUser fails on this node ("a create that fails on node k"). */
  failCreateUser?: boolean;
  /** Service-side key sync (SDK 5) copies no key into this node until cleared. */
  holdKeySync?: boolean;
}

/** The faults in force on one node. */
export interface ActiveFaults {
  down: boolean;
  slowMs: number;
  rejectLogin: boolean;
  failInsert: number | 'all';
  failCreateUser: boolean;
  holdKeySync: boolean;
}

export const NO_FAULTS: Readonly<ActiveFaults> = Object.freeze({
  down: false,
  slowMs: 0,
  rejectLogin: false,
  failInsert: 0,
  failCreateUser: false,
  holdKeySync: false,
});

/** Merges a change into the faults in force, validating it. */
export function applyFault(current: Readonly<ActiveFaults>, change: NodeFault): ActiveFaults {
  const next: ActiveFaults = { ...current };
  if (change.down !== undefined) next.down = change.down === true;
  if (change.slowMs !== undefined) {
    if (!Number.isFinite(change.slowMs) || change.slowMs < 0)
      throw new InvalidInputError('emulator fault: slowMs must be a number >= 0');
    next.slowMs = change.slowMs;
  }
  if (change.rejectLogin !== undefined) next.rejectLogin = change.rejectLogin === true;
  if (change.failInsert !== undefined) {
    if (change.failInsert !== 'all' && (!Number.isInteger(change.failInsert) || change.failInsert < 0)) {
      throw new InvalidInputError("emulator fault: failInsert must be an integer >= 0 or 'all'");
    }
    next.failInsert = change.failInsert;
  }
  if (change.failCreateUser !== undefined) next.failCreateUser = change.failCreateUser === true;
  if (change.holdKeySync !== undefined) next.holdKeySync = change.holdKeySync === true;
  return next;
}
