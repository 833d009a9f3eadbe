/**
 * The Luna runbook: the commands a human types on the Luna client, filled in. lunacm commands
 * are typed inside one lunacm session (its first line starts it). Sources, per command:
 * - documented by Thales: `hagroup listgroups` (prompts for the password), `hagroup haonly
 *   -enable|-show`, `hagroup addmember -group <label> -serialnumber <serial>`, `slot list`,
 *   `slot set -slot <id>`, `role login -name co` (prompts when -password is left out), ckdemo
 *   option 11 (the slot numbers client applications see);
 * - UNCONFIRMED (no public Thales page; marked in the line): `hagroup synchronize -group
 *   <label>` (credhub-release runs it), `hagroup recover -group <label>`, `hagroup retry
 *   -count <n>`, `hagroup interval -interval <s>` (a third-party runbook), `partition
 *   contents` (third-party runbooks; its output is not published);
 * - OpenSC `pkcs11-tool --module <lib> --slot <id> --login --list-objects` (its man page):
 *   a PKCS#11 listing through the same library hsm-sentinel reads with; it prompts for the PIN.
 * Passwords are always typed at a prompt, never on a command line.
 */
import type { ClusterNode, ObjectFinding } from '#core/model.ts';
import type { Runbook } from '#core/tool-rules.ts';
import { splitTopic, TOPICS } from './topics.ts';

const PROMPTED = '(type the partition password at the prompt)';

export function lunaRunbook(lunacm: readonly string[], library: string): Runbook {
  const session = (body: string[]): string[] => [lunacm.join(' '), ...body, 'exit'];
  const synchronize = (group: string): string[] =>
    session([
      `hagroup listgroups   ${PROMPTED}: Needs sync: yes`,
      `hagroup synchronize -group ${group}   ${PROMPTED}; UNCONFIRMED syntax (credhub-release's), its Thales page is not public`,
      'hagroup listgroups   Needs sync: no',
    ]);
  const pkcs11List = (serial: string) =>
    `pkcs11-tool --module ${library} --slot <PKCS#11 slot id of ${serial}: ckdemo option 11> --login --list-objects`;

  return {
    repair(finding: ObjectFinding): string[] {
      if (finding.missingOn.length === 0) return [];
      return [
        `# ${finding.label} is missing on ${finding.missingOn.join(', ')}: the HA library copies it from a member that holds it`,
        ...synchronize(finding.ref),
      ];
    },

    inspect(finding: ObjectFinding): string[] {
      const members = finding.presentOn;
      return [
        `# ${finding.label} differs between members ${members.join(', ')} (fingerprint conflict): hsm-sentinel changes neither copy; compare them, keep the right one, then synchronize`,
        ...session([
          'slot list   (the Slot Id of each member serial)',
          ...members.flatMap((serial) => [
            `slot set -slot <Slot Id of ${serial}>`,
            `role login -name co   ${PROMPTED}`,
            'partition contents   (UNCONFIRMED: a third-party runbook command; its output is not published)',
            'role logout',
          ]),
        ]),
        ...members.map(pkcs11List),
      ];
    },

    readNode(nodeId: string): string[] {
      return [
        `# ${nodeId} was not read: is its appliance reachable (NTLS 1792), its slot served, and the login accepted?`,
        ...session([
          `hagroup listgroups   (the Status of member ${nodeId}: alive or down)`,
          `slot list   (is Serial Number ${nodeId} listed?)`,
        ]),
        `pkcs11-tool --module ${library} --list-token-slots`,
      ];
    },

    configDrift(): string[] {
      return [
        '# the HA groups file and this client disagree on the members: hagroup listgroups is what the HA library replicates to',
        ...session(['hagroup listgroups']),
        '# correct the HA groups file, or the group itself on the client:',
        'hagroup addmember -group <label> -serialnumber <serial>   (documented; type the password at the prompt)',
      ];
    },

    nodeFinding(kind: string, nodeId: string, _nodes: readonly ClusterNode[], topic?: string): string[] {
      if (kind === 'lockout-risk' || kind === 'account-locked') {
        return [
          `# ${nodeId}: the partition reports failed logins; hsm-sentinel does not log in there until a person has`,
          ...session([
            `slot set -slot <Slot Id of ${nodeId}>`,
            `role login -name co   ${PROMPTED}: a successful login clears the counter`,
            'role logout',
          ]),
          ...(kind === 'account-locked'
            ? [
                '# a locked Crypto Officer is unlocked by the Partition SO (Thales "role resetpw"; hsm-sentinel never does it)',
              ]
            : []),
        ];
      }
      const about = splitTopic(topic);
      if (kind !== 'health' || about === null) return [];
      switch (about.topic) {
        case TOPICS.memberDown:
          return session([
            'hagroup listgroups',
            `hagroup recover -group ${about.group}   (UNCONFIRMED syntax: its Thales page is not public)`,
            `hagroup listgroups   (member ${nodeId}: alive)`,
          ]);
        case TOPICS.needsSync:
          return synchronize(about.group);
        case TOPICS.autoRecovery:
          return session([
            'hagroup retry -count <1-500, or -1 for no limit>   (UNCONFIRMED syntax: a third-party runbook; 0 turns auto recovery off)',
            'hagroup interval -interval <60-1200 seconds>   (UNCONFIRMED syntax)',
            'hagroup listgroups',
          ]);
        case TOPICS.haOnly:
          return [
            '# Thales recommends HAOnly on every client that runs applications: they then see the HA slot only',
            ...session(['hagroup haonly -enable', 'hagroup haonly -show']),
            "# hsm-sentinel reads each member's own slot: run it with a client configuration of its own (docs/deploy-luna.md)",
          ];
        default:
          return [];
      }
    },
  };
}
