import { describe, expect, it } from '@jest/globals';
import { audit } from '#core/audit.ts';
import { DEFAULT_POLICY, type ObjectFinding } from '#core/model.ts';
import { plan } from '#core/plan.ts';
import { CLOUDHSM_CLI_MODULE } from '#drivers/cloudhsm-cli/index.ts';
import { cloudHsmCliPlanner } from '#drivers/cloudhsm-cli/planner.ts';
import { CLOUDHSM_CLI_RULES } from '#drivers/cloudhsm-cli/rules.ts';
import { cloudHsmCliRunbook } from '#drivers/cloudhsm-cli/runbook.ts';
import {
  cliKey,
  cliListing,
  cliUser,
  onEveryNode,
  sdk5Cluster,
} from '../../support/cloudhsm-cli/listing-builders.ts';

const c = sdk5Cluster(3);
const listing = cliListing(
  [
    cliUser('admin', 'admin'),
    cliUser('app_user', 'internal(APPLIANCE_USER)', { clusterCoverage: 'inconsistent' }),
    cliUser('carol', 'crypto-user', { clusterCoverage: 'inconsistent' }),
    cliUser('dave', 'inconsistent'),
    cliUser('erin', 'crypto-user', {
      locked: 'inconsistent',
      mfa: [{ strategy: 'token-sign', status: 'enabled' }],
    }),
    cliUser('olga', 'admin', { clusterCoverage: 'inconsistent' }),
  ],
  [cliKey('0x000000000000010b', 'alice', { clusterCoverage: 'inconsistent' })],
);
const result = audit(c, onEveryNode(c, listing), CLOUDHSM_CLI_RULES);
const finding = (id: string) => result.objects.find((f) => f.objectId === id) as ObjectFinding;
const secrets = new Map([
  ['carol', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:carol'],
  ['app_user', 'arn:aws:secretsmanager:us-east-1:111122223333:secret:x'],
]);
const runbook = cloudHsmCliRunbook(['/opt/cloudhsm/bin/cloudhsm-cli']);

describe('the cloudhsm-cli planner', () => {
  const thePlan = plan(c, result, DEFAULT_POLICY, cloudHsmCliPlanner({ userSecrets: secrets }));

  it('re-creates a user on some HSMs only with user create, same name and role, once for the whole cluster, when its secret is configured', () => {
    expect(thePlan.actions).toEqual([
      {
        kind: 'user',
        objectId: 'user:carol',
        label: 'crypto-user carol',
        operation: 'user create',
        ref: 'crypto-user/carol',
        sourceNodeId: null,
        targetNodeId: null,
        description:
          'user create --username carol --role crypto-user (the CLI fills in every HSM that lacks it)',
      },
    ]);
  });

  it('leaves everything else for a human: no secret, the appliance user, divergent users, and keys (synced by the service)', () => {
    const skipped = Object.fromEntries(thePlan.skipped.map((s) => [s.objectId, s.reason]));

    expect(skipped).toEqual({
      'user:app_user': 'not-repairable',
      'user:dave': 'divergent',
      'user:erin': 'divergent',
      'user:olga': 'not-repairable',
      'key:0x10b': 'synced-by-service',
    });
    expect(thePlan.skipped.find((s) => s.objectId === 'user:olga')?.detail).toMatch(
      /CLOUDHSM_CLI_USER_SECRETS names no secret for it/,
    );
  });

  it('blocks every write of a run where a login was refused (the write would log in again)', () => {
    const refused = audit(
      c,
      onEveryNode(c, listing, [
        { kind: 'lockout-risk', severity: 'critical', detail: 'the login of crypto user x was refused' },
      ]),
      CLOUDHSM_CLI_RULES,
    );

    const blocked = plan(c, refused, DEFAULT_POLICY, cloudHsmCliPlanner({ userSecrets: secrets }));

    expect(blocked.actions).toEqual([]);
    expect(blocked.writesBlocked).toMatch(/a login was refused in this run/);
    expect(blocked.skipped.some((s) => s.reason === 'synced-by-service')).toBe(false);
  });

  it('is built from the deployment settings by the module (no secret named: nothing re-created)', () => {
    const none = plan(c, result, DEFAULT_POLICY, CLOUDHSM_CLI_MODULE.planner);
    const configured = CLOUDHSM_CLI_MODULE.plannerFor?.({
      CLOUDHSM_CLI_USER_SECRETS: JSON.stringify({ carol: 'env:CAROL_PASSWORD' }),
    });

    expect(none.actions).toEqual([]);
    expect(plan(c, result, DEFAULT_POLICY, configured ?? null).actions.map((a) => a.objectId)).toEqual([
      'user:carol',
    ]);
  });
});

describe('the cloudhsm-cli runbook', () => {
  it("fills in AWS's fix for a user on some HSMs only: user create with the same role, then user list; delete only as the human's choice", () => {
    const lines = runbook.repair(finding('user:carol'), c.nodes);

    expect(lines).toContain('/opt/cloudhsm/bin/cloudhsm-cli user create --username carol --role crypto-user');
    expect(lines).toContain('/opt/cloudhsm/bin/cloudhsm-cli user list');
    expect(lines).toContain('export CLOUDHSM_ROLE=admin');
    expect(lines.filter((l) => l.includes('user delete')).every((l) => l.startsWith('#'))).toBe(true);
    expect(
      lines.some((l) =>
        /^# If it should not exist: .*user delete --username carol --role crypto-user$/.test(l),
      ),
    ).toBe(true);
    expect(lines.join('\n')).not.toMatch(/--password/);
  });

  it("fills in AWS's recovery for a role that differs: delete under both roles, re-create with the role it should have", () => {
    const lines = runbook.inspect(finding('user:dave'), c.nodes);

    expect(lines).toEqual(
      expect.arrayContaining([
        '/opt/cloudhsm/bin/cloudhsm-cli user delete --username dave --role admin',
        '/opt/cloudhsm/bin/cloudhsm-cli user delete --username dave --role crypto-user',
        '/opt/cloudhsm/bin/cloudhsm-cli user create --username dave --role <desired role>',
      ]),
    );
  });

  it("fills in AWS's recovery for an account locked or with MFA on some HSMs: disable MFA, change the password, re-enable MFA", () => {
    const lines = runbook.inspect(finding('user:erin'), c.nodes);

    expect(lines).toEqual(
      expect.arrayContaining([
        '/opt/cloudhsm/bin/cloudhsm-cli user change-mfa token-sign --username erin --role crypto-user --disable',
        '/opt/cloudhsm/bin/cloudhsm-cli user change-password --username erin --role crypto-user',
      ]),
    );
    expect(lines.some((l) => l.includes('--token <file>'))).toBe(true);
  });

  it('for a key still not everywhere: re-check it as its owner, name the HSMs, and never delete it', () => {
    const lines = runbook.repair(finding('key:0x10b'), c.nodes);

    expect(lines).toContain('export CLOUDHSM_ROLE=crypto-user');
    expect(lines).toContain(
      '/opt/cloudhsm/bin/cloudhsm-cli key list --filter key-reference=0x000000000000010b --verbose',
    );
    expect(lines.join('\n')).toMatch(/do not delete the key/);
    expect(lines.join('\n')).toContain('hsm-0, hsm-1, hsm-2');
  });

  it('names the lagging HSM in the CloudWatch commands, and asks for an HSM when fewer than 2 are ACTIVE', () => {
    const lagging = runbook.nodeFinding?.('lagging', 'hsm-2', c.nodes) ?? [];
    const single = runbook.nodeFinding?.('health', 'hsm-0', [c.nodes[0] as never]) ?? [];

    expect(lagging.filter((l) => l.startsWith('aws cloudwatch get-metric-statistics'))).toHaveLength(2);
    expect(lagging.every((l) => !l.startsWith('aws') || l.includes('Name=HsmId,Value=hsm-2'))).toBe(true);
    expect(single).toContain(
      'aws cloudhsmv2 create-hsm --cluster-id <cluster-id> --availability-zone us-east-1a',
    );
  });

  it('tells the operator to refresh their own config with configure-cli', () => {
    expect(runbook.configDrift()).toContain(
      'sudo /opt/cloudhsm/bin/configure-cli --cluster-id <cluster-id> --region <region>',
    );
  });
});
