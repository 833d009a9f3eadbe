/**
 * The run lock: at most one execution per cluster at a time. ListExecutions alone cannot
 * promise that (two different events for the same cluster can both see "nothing running"
 * and both start); a conditional write can. The trigger acquires the lock under the
 * execution name before StartExecution, and the run's Alert step releases it.
 *
 * A lock expires after its lease (DynamoDbRunLock: 6 hours by default, longer than the
 * state machine's 4-hour timeout) and may be taken over earlier when its holder is no
 * longer running (startRun checks with DescribeExecution).
 */

/** Longer than the state machine's 4-hour timeout. Here, not beside an adapter, so a local run loads no cloud SDK for it. */
export const DEFAULT_RUN_LOCK_LEASE_HOURS = 6;

export type RunLockAcquisition =
  | { acquired: true }
  | {
      acquired: false;
      /** The run id (execution name) holding the lock. */
      heldBy: string;
      /** When the holder acquired it (ISO), when known. */
      acquiredAt?: string;
    };

export interface RunLock {
  /** Takes the cluster's lock for `runId` unless another unexpired holder has it. */
  acquire(clusterId: string, runId: string, now: Date): Promise<RunLockAcquisition>;
  /**
   * Takes the lock from `staleRunId` (a holder that is no longer running) for `runId`; fails
   * (returning the current holder) when someone else changed the lock in the meantime.
   */
  takeOver(clusterId: string, staleRunId: string, runId: string, now: Date): Promise<RunLockAcquisition>;
  /** Releases the lock if `runId` still holds it; "not held" is not an error. */
  release(clusterId: string, runId: string): Promise<void>;
}
