import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT, VALIDATION_REPORT_FILE } from 'aws-cdk-lib/cx-api';
import { acknowledgementsOf, RECORD_ONLY_CONTEXT } from '../../infra/nag.ts';
import { synthApp } from '../support/infra/synth-fixture.ts';

interface Violation {
  ruleName: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
}
interface Report {
  pluginReports: { pluginName: string; conclusion: string; violations: Violation[] }[];
}

/** Synthesizes and returns the policy-validation report (cdk-nag runs as a validation plugin). */
function synthReport(overrides: Record<string, unknown>) {
  const outdir = mkdtempSync(join(tmpdir(), 'hsm-sentinel-nag-'));
  const built = synthApp(overrides, outdir);
  built.app.synth();
  const report = JSON.parse(readFileSync(join(outdir, VALIDATION_REPORT_FILE), 'utf8')) as Report;
  const violations = (plugin: string) =>
    report.pluginReports.filter((r) => r.pluginName === plugin).flatMap((r) => r.violations);
  return { built, report, violations };
}

const VARIANTS: Record<string, Record<string, unknown>> = {
  'the test deployment': {},
  'a deployment through NAT, with an SSM operator config, a secret key and a cron schedule': {
    createVpcEndpoints: false,
    manageHsmIngress: false,
    operatorConfigSsmParameter: '/hsm-sentinel/cloudhsm_mgmt_util.cfg',
    coSecretKmsKeyArn: 'arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab',
    schedule: 'cron(0 2 * * ? *)',
    staleAfterHours: 48,
    recoveryRegion: '',
    vpcCidrBlock: '10.0.0.0/16',
  },
};

describe('cdk-nag AwsSolutions checks', () => {
  it.each(Object.keys(VARIANTS))('pass on %s with no unacknowledged finding and no warning', (name) => {
    const { violations } = synthReport(VARIANTS[name] ?? {});

    expect(violations('AwsSolutions')).toEqual([]);
    expect(violations('Construct Annotations')).toEqual([]);
  });

  it.each(Object.keys(VARIANTS))(
    'acknowledge on %s only findings that exist, each where it arises, each with its reason',
    (name) => {
      // Arrange: record the acknowledgements without applying them, and let the synth finish.
      const { built, violations } = synthReport({
        ...VARIANTS[name],
        [RECORD_ONLY_CONTEXT]: true,
        [FAIL_SYNTH_ON_VALIDATION_ERRORS_CONTEXT]: false,
      });
      const acks = acknowledgementsOf(built.app);
      const findings = violations('AwsSolutions').flatMap((v) =>
        v.violatingConstructs.map((c) => ({ id: v.ruleName, path: c.constructPath })),
      );
      const covers = (ack: { id: string; path: string }, finding: { id: string; path: string }) =>
        ack.id === finding.id && (finding.path === ack.path || finding.path.startsWith(`${ack.path}/`));

      // Assert
      expect(findings.length).toBeGreaterThan(0);
      expect(findings.filter((f) => !acks.some((a) => covers(a, f)))).toEqual([]);
      expect(acks.filter((a) => !findings.some((f) => covers(a, f)))).toEqual([]);
      for (const ack of acks) expect(ack.reason.length).toBeGreaterThan(40);
      expect(acks.every((a) => a.id !== 'AwsSolutions-IAM5' && a.id.startsWith('AwsSolutions-'))).toBe(true);
    },
  );
});
