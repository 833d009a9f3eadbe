/**
 * The emulated appliance's state file (`appliance.json`, mode 0600): what a Luna client knows
 * about its HA groups (Chrystoki.conf's VirtualToken / HAConfiguration sections, and the HA
 * library's view of each member), plus where each member's SoftHSM token lives.
 *
 * No secret is kept here: the partition password comes on lunacm's stdin each time.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

const serial = z.string().regex(/^[0-9]{1,20}$/);

export const memberStateSchema = z.object({
  /** The member partition's serial number (what lunacm prints as Member S/N). */
  serial,
  /** The partition label lunacm prints (Member Label), = the SoftHSM token label. */
  tokenLabel: z.string().min(1).max(32),
  /** The token's folder under the SoftHSM token directory. */
  tokenFolder: z.string().min(1),
  /** What the HA library believes: `down` until a recovery marks it alive again. */
  status: z.enum(['alive', 'down']),
  /** Whether the appliance answers (its token is served). A member can be served and still `down`. */
  served: z.boolean(),
});

export const groupStateSchema = z.object({
  label: z.string().min(1).max(32),
  /** HA Group Number: 1 + the first member's serial, as documented. */
  serial,
  slotId: z.number().int().min(0),
  synchronization: z.enum(['enabled', 'disabled']),
  members: z.array(memberStateSchema).min(1).max(32),
  standby: z.array(serial),
});

export const applianceStateSchema = z.object({
  clientVersion: z.string(),
  softhsm: z.object({ library: z.string(), conf: z.string(), tokenDir: z.string(), offlineDir: z.string() }),
  /** HAConfiguration: reconnAtt (= Maximum auto recovery retry: 0 off, -1 infinite), interval, HAOnly. */
  global: z.object({
    recoveryMode: z.enum(['activeEnhanced', 'activeBasic']),
    maxRetry: z.number().int().min(-1).max(500),
    pollIntervalSeconds: z.number().int().min(60).max(1200),
    logging: z.boolean(),
    haOnly: z.boolean(),
  }),
  groups: z.array(groupStateSchema).min(1),
});

export type MemberState = z.infer<typeof memberStateSchema>;
export type GroupState = z.infer<typeof groupStateSchema>;
export type ApplianceState = z.infer<typeof applianceStateSchema>;

export function readApplianceState(path: string): ApplianceState {
  return applianceStateSchema.parse(JSON.parse(readFileSync(path, 'utf8')));
}

/** Writes atomically (temp file + rename), mode 0600. */
export function writeApplianceState(path: string, state: ApplianceState): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(applianceStateSchema.parse(state), null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
