/**
 * The members of an HA group as this Luna client sees them (`hagroup listgroups`, no password:
 * no login): the authority on a Luna cluster's node list, as DescribeClusters is for AWS. A
 * member `down` in the group is DEGRADED; its serial is its node id.
 */
import type { ClientMembership } from '../tool-module.ts';
import { type LunacmRunner, listGroups } from './context.ts';
import { groupByLabel, memberSerials } from './group.ts';

export function lunaMembership(runner: LunacmRunner): ClientMembership {
  return async (clusterId) => {
    const group = groupByLabel(await listGroups(runner), clusterId);
    return memberSerials(group).map((serial) => ({
      nodeId: serial,
      state: group.members.find((m) => m.serial === serial)?.status === 'alive' ? 'ACTIVE' : 'DEGRADED',
    }));
  };
}
