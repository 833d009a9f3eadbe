/**
 * The exact commands a human types to do by hand what a finding needs. Alerts carry them so
 * on-call can act from the message alone. Paths are the vendors' documented defaults.
 */
import type { Dialect, ObjectFinding } from './model.ts';

export interface ToolLocation {
  binary: string;
  config: string;
  prompt: string;
}

export const TOOL_LOCATIONS: Record<Dialect, ToolLocation> = {
  aws: {
    binary: '/opt/cloudhsm/bin/cloudhsm_mgmt_util',
    config: '/opt/cloudhsm/etc/cloudhsm_mgmt_util.cfg',
    prompt: 'aws-cloudhsm>',
  },
  azure: {
    binary: '/opt/azurecloudhsm/bin/azcloudhsm_mgmt_util',
    config: '/opt/azurecloudhsm/bin/azcloudhsm_resource.cfg',
    prompt: 'cloudmgmt>',
  },
};

function session(dialect: Dialect, body: string[]): string[] {
  const tool = TOOL_LOCATIONS[dialect];
  return [
    `${tool.binary} ${tool.config}`,
    'enable_e2e',
    'loginHSM CO <officer> -hpswd',
    ...body,
    'logoutHSM',
    'quit',
  ];
}

/** Copy an object from its holder to the nodes that lack it, then check (the vendors' runbook). */
export function repairCommands(
  dialect: Dialect,
  finding: ObjectFinding,
  serverOf: (nodeId: string) => number,
): string[] {
  const source = Math.min(...finding.presentOn.map(serverOf));
  const command = finding.kind === 'user' ? 'syncUser' : 'syncKey';
  const check = finding.kind === 'user' ? 'listUsers' : 'findAllKeys 0 0';
  return session(dialect, [
    `server ${source}`,
    ...finding.missingOn.map((nodeId) => `${command} ${finding.numericId} ${serverOf(nodeId)}`),
    'exit',
    check,
  ]);
}

/** Divergent objects: look at every copy; a human decides which is right. */
export function inspectCommands(dialect: Dialect, finding: ObjectFinding): string[] {
  const look =
    finding.kind === 'user' ? ['listUsers'] : [`getKeyInfo -k ${finding.numericId}`, 'findAllKeys 0 1'];
  return session(dialect, look);
}
