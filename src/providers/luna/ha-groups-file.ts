/**
 * The HA groups file: an operator's inventory of the Luna HA groups one client serves, one
 * cluster per group (cluster id = the group label). It is compared with what the client itself
 * lists (`hagroup listgroups`, through ClientMembershipProvider); it never overrides it.
 *
 * {
 *   "client": { "host": "luna-client-1.example.internal" },
 *   "groups": [
 *     { "label": "myHAgroup", "serial": "1154438865287",
 *       "members": [ { "serial": "154438865287", "label": "par0", "host": "10.0.1.10" },
 *                    { "serial": "1238700701509", "label": "par1", "host": "10.0.2.10" } ] }
 *   ]
 * }
 *
 * `client.host` names the host whose Chrystoki.conf defines these groups (where hsm-sentinel
 * must run: lunacm and the PKCS#11 library read that configuration); `serial` (the HA Group
 * Number) and the member labels are for people; a member's `host` is its appliance (NTLS).
 */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InvalidInputError } from '#core/errors.ts';
import type { ListedMember } from '../static/client-membership-provider.ts';

const serial = z.string().regex(/^[0-9]{1,20}$/, 'a serial number: 1 to 20 digits');
const label = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[\x21-\x7e]([\x20-\x7e]*[\x21-\x7e])?$/, 'printable ASCII, no leading or trailing space');
const host = z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, 'an IP address or host name');

const memberSchema = z.strictObject({ serial, label: label.optional(), host: host.optional() });

const groupSchema = z.strictObject({
  label,
  serial: serial.optional(),
  members: z
    .array(memberSchema)
    .min(1)
    .max(32)
    .refine((m) => new Set(m.map((x) => x.serial)).size === m.length, 'member serials must be unique'),
});

export const haGroupsFileSchema = z.strictObject({
  client: z.strictObject({ host }),
  groups: z
    .array(groupSchema)
    .min(1)
    .refine((g) => new Set(g.map((x) => x.label)).size === g.length, 'group labels must be unique'),
});

export type HaGroupsFile = z.infer<typeof haGroupsFileSchema>;

/** Validates a parsed HA groups file; InvalidInputError naming `where` and the field. */
export function parseHaGroupsFile(raw: unknown, where: string): HaGroupsFile {
  const result = haGroupsFileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const at = issue?.path.length ? issue.path.join('.') : '(top level)';
    throw new InvalidInputError(`HA groups file ${where}: ${at}: ${issue?.message ?? 'invalid'}`);
  }
  return result.data;
}

export async function readHaGroupsFile(path: string): Promise<HaGroupsFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new InvalidInputError(
      `HA groups file ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  return parseHaGroupsFile(raw, path);
}

/** The members the file lists for one group (cluster id = label), or null when it has no such group. */
export function listedMembers(file: HaGroupsFile, clusterId: string): ListedMember[] | null {
  const group = file.groups.find((g) => g.label === clusterId);
  if (!group) return null;
  return group.members.map((m) => ({ nodeId: m.serial, ...(m.host ? { address: m.host } : {}) }));
}
