/**
 * The SDK 5 CLI's repair: only what AWS documents as the fix, additively
 * (troubleshoot-sdk5-inconsistent-value.html):
 *
 * - a user whose `cluster-coverage` is inconsistent ("exists on a subset of HSMs … finish
 *   your previous operation") is re-created with `user create`, same name and role, when the
 *   settings name the secret holding its password (it keeps its own password; hsm-sentinel
 *   never sets one). One action reaches every HSM: the CLI fans out (targetNodeId null).
 * - keys are copied between HSMs by the service itself: `synced-by-service`, re-checked by
 *   the run after a wait, then alerted.
 * - everything else (no secret, the appliance user, a divergent user: role / locked / MFA
 *   inconsistent, which the core never plans) is alerted with AWS's recovery commands
 *   (runbook.ts). Never `user delete`, never `change-password`.
 *
 * No write at all in a run where a login was refused (`lockout-risk`): the write logs in
 * again, and a refused login is never followed by another.
 */
import type { AuditResult, ObjectFinding, SyncAction } from '#core/model.ts';
import type { RepairPlanner, RepairRefusal } from '#core/tool-rules.ts';
import { parseUserRef } from './listing.ts';
import { CLOUDHSM_CLI_SETTINGS, type CloudHsmCliSettings } from './settings.ts';
import { USER_CREATE } from './sync.ts';

export const KEYS_SYNCED_BY_SERVICE =
  'AWS CloudHSM copies keys between HSMs by itself (server-side key synchronization): hsm-sentinel never copies a key; it re-checks after a wait, then alerts';

export function cloudHsmCliPlanner(settings: Pick<CloudHsmCliSettings, 'userSecrets'>): RepairPlanner {
  return {
    repair(finding: ObjectFinding): SyncAction[] | RepairRefusal {
      if (finding.kind === 'key') return { reason: 'synced-by-service', detail: KEYS_SYNCED_BY_SERVICE };
      const user = parseUserRef(finding.ref);
      if (user === null) return { reason: 'not-repairable', detail: `not a user reference: ${finding.ref}` };
      if (finding.uncertainOn.length === 0) {
        return { reason: 'not-repairable', detail: 'the CLI reports this user on every HSM it reads' };
      }
      if (user.role !== 'admin' && user.role !== 'crypto-user') {
        return {
          reason: 'not-repairable',
          detail: `role ${user.role}: only admins and crypto users can be created with user create`,
        };
      }
      if (!settings.userSecrets.has(user.username)) {
        return {
          reason: 'not-repairable',
          detail: `AWS's fix re-creates ${user.username} with its own password, and ${CLOUDHSM_CLI_SETTINGS.userSecrets} names no secret for it`,
        };
      }
      return [
        {
          kind: 'user',
          objectId: finding.objectId,
          label: finding.label,
          operation: USER_CREATE,
          ref: finding.ref,
          sourceNodeId: null,
          targetNodeId: null,
          description: `user create --username ${user.username} --role ${user.role} (the CLI fills in every HSM that lacks it)`,
        },
      ];
    },
    blockingReason(result: AuditResult): string | null {
      const refused = result.nodes.filter((n) => n.kind === 'lockout-risk');
      if (refused.length === 0) return null;
      return `no write: a login was refused in this run and nothing more is sent (${refused[0]?.detail})`;
    },
  };
}
