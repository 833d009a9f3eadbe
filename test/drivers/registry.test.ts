import { describe, expect, it } from '@jest/globals';
import { defaultTool, toolBindings, toolIds } from '#drivers/registry.ts';

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
    expect(binding.planner).not.toBe(binding.module.planner);
  });
});
