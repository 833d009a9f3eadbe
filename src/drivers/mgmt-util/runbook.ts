/**
 * The mgmt-util family's runbook: the exact commands a human types to do by hand what a
 * finding needs (the vendors' documented procedure: log in with E2E, `server <src>`,
 * `syncUser|syncKey <id> <dest>`, then list again). Server numbers are positions in the
 * cluster's node list, as in the config hsm-sentinel writes.
 */
import type { ClusterNode, ObjectFinding } from '#core/model.ts';
import type { Runbook } from '#core/tool-rules.ts';
import type { DialectProfile } from './dialect.ts';
import { SYNC_COMMANDS } from './listing.ts';

/**
 * `binary`: the util as the operator starts it (the vendor path, or in the emulator the
 * program being practised with), followed by its config path (the operator's own when
 * known, the vendor's default path otherwise).
 */
export function mgmtUtilRunbook(
  profile: DialectProfile,
  binary: readonly string[],
  configPath: string = profile.operatorConfigPath,
): Runbook {
  const start = [...binary, configPath].join(' ');
  const session = (body: string[]): string[] => [
    start,
    ...(profile.enableE2e ? ['enable_e2e'] : []),
    'loginHSM CO <officer> -hpswd',
    ...body,
    'logoutHSM',
    'quit',
  ];
  const serverOf = (nodes: readonly ClusterNode[], nodeId: string): number => {
    const index = nodes.findIndex((n) => n.nodeId === nodeId);
    if (index < 0) throw new TypeError(`runbook: node '${nodeId}' is not in the cluster`);
    return index;
  };
  return {
    repair(finding: ObjectFinding, nodes: readonly ClusterNode[]): string[] {
      const holders = finding.presentOn.map((nodeId) => serverOf(nodes, nodeId));
      if (holders.length === 0 || finding.missingOn.length === 0) return [];
      const command = SYNC_COMMANDS[finding.kind];
      const check = finding.kind === 'user' ? 'listUsers' : 'findAllKeys 0 0';
      return session([
        `server ${Math.min(...holders)}`,
        ...finding.missingOn.map((nodeId) => `${command} ${finding.ref} ${serverOf(nodes, nodeId)}`),
        'exit',
        check,
      ]);
    },
    inspect(finding: ObjectFinding): string[] {
      const look =
        finding.kind === 'user' ? ['listUsers'] : [`getKeyInfo -k ${finding.ref}`, 'findAllKeys 0 1'];
      return session(look);
    },
    readNode(nodeId: string, nodes: readonly ClusterNode[]): string[] {
      const server = serverOf(nodes, nodeId);
      return [
        `# ${nodeId} (server ${server}) was not read: check that it answers and takes the login, then list what it holds`,
        ...session(['listUsers', 'findAllKeys 0 0']),
      ];
    },
    configDrift(): string[] {
      return [
        '# hsm-sentinel writes its own config from the cluster on every run; fix the one operators use:',
        ...profile.rebuildConfig,
      ];
    },
  };
}
