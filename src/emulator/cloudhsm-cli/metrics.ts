/**
 * The per-HSM CloudWatch values (namespace `AWS/CloudHSM`, dimensions ClusterId + HsmId) that
 * the emulated cluster can report: the per-HSM view SDK 5's CLI lacks. Only the two metrics
 * AWS recommends for "differences in HSM user or key count to identify synchronization issues"
 * and that exist on hsm2m.medium.
 */
import type { NodeSnapshot } from '../node-state.ts';

/** hsm2m.medium: 1,024 users per HSM (`HsmUsersMax` is not published for hsm2m; this is the quota). */
export const HSM2M_MAX_USERS = 1024;

/** One HSM's values at one moment. */
export interface HsmMetrics {
  /** The HSM (the `HsmId` dimension; the emulator's node id). */
  nodeId: string;
  /** "The number of additional users that can be created": 1,024 minus the users on this HSM. */
  HsmUsersAvailable: number;
  /** "The number of token keys being used by the HSM instance": every stored key is a token key. */
  HsmKeysTokenOccupied: number;
}

export function hsmMetricsOf(snapshot: NodeSnapshot): HsmMetrics {
  return {
    nodeId: snapshot.nodeId,
    HsmUsersAvailable: Math.max(0, HSM2M_MAX_USERS - snapshot.users.length),
    HsmKeysTokenOccupied: snapshot.keys.length,
  };
}
