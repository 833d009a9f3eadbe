/**
 * What a human types for the SDK 5 CLI's findings: AWS's documented recovery, filled in
 * (troubleshoot-sdk5-inconsistent-value.html, cluster-synchronization.html, the CloudWatch
 * `AWS/CloudHSM` metrics, configure-cli). Commands run in single-command mode, the
 * credentials in the environment as AWS shows (`CLOUDHSM_ROLE`, `CLOUDHSM_PIN`), the
 * password read without echo; `user create` prompts for the new user's password itself.
 * hsm-sentinel runs none of the `user delete` / `change-password` / `change-mfa` lines: they
 * are for the human who decides.
 */
import { MIN_ACTIVE_NODES } from '#core/cluster-health.ts';
import type { ClusterNode, ObjectFinding } from '#core/model.ts';
import type { Runbook } from '#core/tool-rules.ts';
import { parseUserRef } from './listing.ts';
import { contentOf, type KeyContent, type UserContent } from './rules.ts';

const CLUSTER = '<cluster-id>';

function metricsCommand(metric: string, hsmId: string): string {
  return (
    `aws cloudwatch get-metric-statistics --namespace AWS/CloudHSM --metric-name ${metric} ` +
    `--dimensions Name=ClusterId,Value=${CLUSTER} Name=HsmId,Value=${hsmId} --statistics Maximum --period 300 ` +
    `--start-time "$(date -u -d '-1 hour' +%FT%TZ)" --end-time "$(date -u +%FT%TZ)"`
  );
}

/** `binary`: the CLI as the operator starts it (the vendor path, or the emulated program). */
export function cloudHsmCliRunbook(binary: readonly string[]): Runbook {
  const cli = (words: string) => `${binary.join(' ')} ${words}`;
  const as = (role: 'admin' | 'crypto-user', user: string): string[] => [
    `export CLOUDHSM_ROLE=${role}`,
    `read -rsp 'password of ${user}: ' P && export CLOUDHSM_PIN="${user}:$P" && unset P`,
  ];
  const done = ['unset CLOUDHSM_PIN CLOUDHSM_ROLE'];

  const userRecovery = (finding: ObjectFinding): string[] => {
    const ref = parseUserRef(finding.ref);
    const name = ref?.username ?? finding.objectId.replace(/^user:/, '');
    const content = contentOf<UserContent>(finding.variants);
    const role = content?.role ?? ref?.role ?? '<role>';
    const lines: string[] = [];
    if (role === 'inconsistent') {
      lines.push(
        `# ${name} is an admin on some HSMs and a crypto user on others. AWS: remove the user and re-create it with the role it should have.`,
        `# First check as ${name} (crypto user) which keys it owns: deleting a crypto user that owns keys loses them.`,
        ...as('admin', '<admin>'),
        cli(`user delete --username ${name} --role admin`),
        cli(`user delete --username ${name} --role crypto-user`),
        cli(`user create --username ${name} --role <desired role>`),
      );
    }
    const mfaOn = (content?.mfa ?? []).some((m) => !m.endsWith(':disabled'));
    if (content?.locked === 'inconsistent' || (content?.mfa ?? []).some((m) => m.endsWith(':inconsistent'))) {
      const r = role === 'inconsistent' ? '<role>' : role;
      lines.push(
        `# ${name} is locked out, or has another MFA state, on some HSMs only. AWS: make its credentials consistent again.`,
        ...(lines.length === 0 ? as('admin', '<admin>') : []),
        ...(mfaOn ? [cli(`user change-mfa token-sign --username ${name} --role ${r} --disable`)] : []),
        cli(`user change-password --username ${name} --role ${r}`),
        ...(mfaOn
          ? [
              `# then ${name} re-enables MFA: ${cli(`user change-mfa token-sign --username ${name} --role ${r} --token <file>`)}`,
            ]
          : []),
      );
    }
    if (lines.length === 0) {
      lines.push(`# ${name}: look at every property user list shows for it`, ...as('admin', '<admin>'));
    }
    return [...lines, cli('user list'), ...done];
  };

  const keyRecheck = (finding: ObjectFinding): string[] => {
    const content = contentOf<KeyContent>(finding.variants);
    const owner = content?.owners[0]?.split(':')[0] ?? '<owner>';
    return [
      ...as('crypto-user', owner),
      cli(`key list --filter key-reference=${finding.ref} --verbose`),
      ...done,
    ];
  };

  return {
    repair(finding: ObjectFinding, nodes: readonly ClusterNode[]): string[] {
      if (finding.uncertainOn.length === 0 && finding.missingOn.length === 0) return [];
      if (finding.kind === 'user') {
        const ref = parseUserRef(finding.ref);
        const name = ref?.username ?? '<user>';
        const role = ref?.role ?? '<role>';
        return [
          `# ${name} is on some HSMs only (cluster-coverage "inconsistent"): AWS says finish the operation that left it so.`,
          `# If it should exist: re-create it with the same role; user create asks for its password (its own, not a new one).`,
          ...as('admin', '<admin>'),
          cli(`user create --username ${name} --role ${role}`),
          cli('user list'),
          `# If it should not exist: ${cli(`user delete --username ${name} --role ${role}`)}`,
          ...done,
        ];
      }
      return [
        `# AWS CloudHSM re-synchronises keys by itself, and ${finding.ref} is still not on every HSM after hsm-sentinel's re-checks.`,
        `# The HSM that lags is named by its own lagging item (HsmKeysTokenOccupied per HSM of ${nodes.map((n) => n.nodeId).join(', ')}). Check the key again:`,
        ...keyRecheck(finding),
        `# Still "cluster-coverage": "inconsistent": open an AWS Support case for cluster ${CLUSTER} naming key ${finding.ref}; do not delete the key.`,
      ];
    },
    inspect(finding: ObjectFinding): string[] {
      if (finding.kind === 'user') return userRecovery(finding);
      return [
        `# ${finding.ref} is owned or shared differently on some HSMs. Look at it as its owner; AWS documents no repair: a human decides.`,
        ...keyRecheck(finding),
      ];
    },
    readNode(nodeId: string, nodes: readonly ClusterNode[]): string[] {
      const node = nodes.find((n) => n.nodeId === nodeId);
      return [
        `# The CLI reads every HSM at once: ${nodeId}${node ? ` (${node.address})` : ''} was not read because the CLI could not read the cluster. Check that every HSM answers, then:`,
        cli('cluster hsm-info'),
        cli('user list'),
        `aws cloudhsmv2 describe-clusters --filters clusterIds=${CLUSTER}`,
      ];
    },
    configDrift(): string[] {
      return [
        "# hsm-sentinel writes its own cloudhsm-cli.cfg from the cluster on every run; refresh the operators' one (adds every HSM's ENI IP):",
        `sudo /opt/cloudhsm/bin/configure-cli --cluster-id ${CLUSTER} --region <region>`,
      ];
    },
    nodeFinding(kind: string, nodeId: string, nodes: readonly ClusterNode[]): string[] {
      switch (kind) {
        case 'lagging':
          return [
            `# ${nodeId}'s user or token-key count differs from its peers' (CloudWatch AWS/CloudHSM): compare them over time.`,
            metricsCommand('HsmKeysTokenOccupied', nodeId),
            metricsCommand('HsmUsersAvailable', nodeId),
            '# Keys: the service re-synchronises them; if the count stays apart, open an AWS Support case naming this HSM.',
            '# Users: the CLI does not synchronise them; the user findings of this run say which user to finish.',
          ];
        case 'health': {
          if (nodes.filter((n) => n.state === 'ACTIVE').length >= MIN_ACTIVE_NODES) {
            return ['# What the CLI says of the cluster now:', cli('user list'), cli('cluster hsm-info')];
          }
          const zone = nodes.find((n) => n.nodeId === nodeId)?.zone ?? '<availability-zone>';
          return [
            '# Fewer than 2 ACTIVE HSMs: every key is one failure from loss. AWS recommends at least 2 (3 for the key availability check):',
            `aws cloudhsmv2 create-hsm --cluster-id ${CLUSTER} --availability-zone ${zone}`,
          ];
        }
        case 'account-locked':
          return [
            '# A locked account: an admin resets its password (the user then logs in with the new one). hsm-sentinel never does.',
            ...as('admin', '<admin>'),
            cli('user list'),
            cli('user change-password --username <user> --role <role>'),
            ...done,
          ];
        case 'lockout-risk':
          return [
            '# A login was refused: check the secret hsm-sentinel reads for that user (it will not try it again in this run).',
            cli('user list'),
          ];
        default:
          return [];
      }
    },
  };
}
