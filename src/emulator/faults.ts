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
  /** The node fails at one wire operation (see {@link Trip}); null clears it. */
  tripOn?: Trip | null;
  /** insertMasked answers success and stores nothing ("a sync that lies"). */
  lieOnInsert?: boolean;
}

/** What a node does when a {@link Trip} fires. */
export const TRIP_ACTIONS = ['crash', 'disconnect', 'hang'] as const;
export type TripAction = (typeof TRIP_ACTIONS)[number];

/**
 * A node that fails at one point of a session: when the (skip+1)-th request of `op` arrives
 * (counted from when the trip was set), the request is NOT carried out and the node
 * - `crash`: goes down (connections dropped, nothing listening: the `down` fault), until cleared;
 * - `disconnect`: drops every open connection and keeps listening;
 * - `hang`: never answers that request, nor any later one on that connection.
 * The trip fires once (then it is cleared); `op` is a wire operation (`login`, `findAllKeys`,
 * `getKeyInfo`, `insertMasked`, ...).
 */
export interface Trip {
  op: string;
  action: TripAction;
  /** Requests of `op` let through before it fires (default 0). */
  skip?: number;
}

/** The faults in force on one node. */
export interface ActiveFaults {
  down: boolean;
  slowMs: number;
  rejectLogin: boolean;
  failInsert: number | 'all';
  failCreateUser: boolean;
  holdKeySync: boolean;
  tripOn: Readonly<Required<Trip>> | null;
  lieOnInsert: boolean;
}

export const NO_FAULTS: Readonly<ActiveFaults> = Object.freeze({
  down: false,
  slowMs: 0,
  rejectLogin: false,
  failInsert: 0,
  failCreateUser: false,
  holdKeySync: false,
  tripOn: null,
  lieOnInsert: false,
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
  if (change.tripOn !== undefined) next.tripOn = change.tripOn === null ? null : checkedTrip(change.tripOn);
  if (change.lieOnInsert !== undefined) next.lieOnInsert = change.lieOnInsert === true;
  return next;
}

function checkedTrip(trip: Trip): Required<Trip> {
  if (typeof trip !== 'object' || trip === null || typeof trip.op !== 'string' || trip.op.length === 0) {
    throw new InvalidInputError('emulator fault: tripOn.op must name a wire operation');
  }
  if (!(TRIP_ACTIONS as readonly string[]).includes(trip.action)) {
    throw new InvalidInputError(`emulator fault: tripOn.action must be one of ${TRIP_ACTIONS.join(', ')}`);
  }
  const skip = trip.skip ?? 0;
  if (!Number.isInteger(skip) || skip < 0) {
    throw new InvalidInputError('emulator fault: tripOn.skip must be an integer >= 0');
  }
  return { op: trip.op, action: trip.action, skip };
}
