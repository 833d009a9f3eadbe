import { describe, expect, it } from '@jest/globals';
import { audit } from '#core/audit.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import { plan } from '#core/plan.ts';
import { defaultTool, toolBindings, toolIds } from '#drivers/registry.ts';
import { cliListing, cliUser, onEveryNode, sdk5Cluster } from '../support/cloudhsm-cli/listing-builders.ts';

describe('the tool registry', () => {
  it('picks the tool of an AWS cluster by its HsmType: SDK 5 cloudhsm-cli on hsm2m.medium, the SDK 3 mgmt-util on hsm1.medium', () => {
    expect(defaultTool('aws', 'hsm2m.medium').id).toBe('cloudhsm-cli');
    expect(defaultTool('aws', 'hsm1.medium').id).toBe('mgmt-util-aws');
    expect(defaultTool('aws').id).toBe('mgmt-util-aws');
    expect(defaultTool('azure').id).toBe('mgmt-util-azure');
    expect(() => defaultTool('aws', 'hsm9.large')).toThrow(
      /no node-access tool serves aws clusters of HSM type hsm9.large/,
    );
    expect(toolIds()).toContain('cloudhsm-cli');
  });

  it("binds a tool's planner to the deployment's settings when the tool says its repair depends on them", () => {
    const settings = { CLOUDHSM_CLI_USER_SECRETS: JSON.stringify({ carol: 'env:CAROL' }) };
    const binding = toolBindings({ settings, workDir: '/tmp/unused' })('cloudhsm-cli');

    expect(binding.module.addressing).toBe('cluster-wide');
    // carol on some HSMs only: the bound planner (her secret named) re-creates her; the module's default cannot.
    const c = sdk5Cluster(3);
    const listing = cliListing([cliUser('carol', 'crypto-user', { clusterCoverage: 'inconsistent' })], []);
    const result = audit(c, onEveryNode(c, listing), binding.module.rules);
    const bound = plan(c, result, DEFAULT_POLICY, binding.planner);
    const unbound = plan(c, result, DEFAULT_POLICY, binding.module.planner);
    expect(bound.actions.map((a) => a.objectId)).toEqual(['user:carol']);
    expect(unbound.actions).toEqual([]);
    expect(unbound.skipped.map((s) => s.objectId)).toContain('user:carol');
  });
});
