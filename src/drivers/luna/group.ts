/**
 * Which HA group of a `hagroup listgroups` reply a cluster is: by its label (the cluster id of
 * a Luna cluster), or by the members asked about. A node id of a Luna cluster is the member's
 * serial (Member S/N): the one thing lunacm prints for a down member too.
 */
import { ConfigurationError } from '#core/errors.ts';
import type { ClusterNode } from '#core/model.ts';
import type { HaGroup, ListGroupsReply } from './parse/parse-listgroups.ts';

function labels(reply: ListGroupsReply): string {
  return reply.groups.map((g) => g.label).join(', ') || 'none';
}

/** The group labelled `label`; ConfigurationError when this client has no such group. */
export function groupByLabel(reply: ListGroupsReply, label: string): HaGroup {
  const group = reply.groups.find((g) => g.label === label);
  if (!group) {
    throw new ConfigurationError(
      `HA group ${JSON.stringify(label)} is not configured on this Luna client (hagroup listgroups lists: ${labels(reply)})`,
    );
  }
  return group;
}

/** Members and standby members, in the printed order. */
export function memberSerials(group: HaGroup): string[] {
  return [...group.memberSerials, ...group.standbyMembers.filter((s) => !group.memberSerials.includes(s))];
}

/** The one group every node is a member of; ConfigurationError naming the nodes that fit none. */
export function groupOfNodes(reply: ListGroupsReply, nodes: readonly ClusterNode[]): HaGroup {
  const ids = nodes.map((n) => n.nodeId);
  const fits = reply.groups.filter((g) => ids.every((id) => memberSerials(g).includes(id)));
  if (fits.length === 1) return fits[0] as HaGroup;
  if (fits.length > 1) {
    throw new ConfigurationError(
      `members ${ids.join(', ')} belong to several HA groups (${fits.map((g) => g.label).join(', ')}): cannot tell which to audit`,
    );
  }
  const known = new Set(reply.groups.flatMap(memberSerials));
  const strangers = ids.filter((id) => !known.has(id));
  throw new ConfigurationError(
    strangers.length > 0
      ? `${strangers.join(', ')} is not a member of any HA group on this Luna client (hagroup listgroups lists: ${labels(reply)})`
      : `members ${ids.join(', ')} are not all in one HA group on this Luna client`,
  );
}
