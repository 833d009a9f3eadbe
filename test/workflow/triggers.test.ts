import { describe, expect, it } from '@jest/globals';
import { ERROR_NAMES, InvalidInputError } from '#core/errors.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import { normaliseTrigger } from '#workflow/triggers/normalise.ts';
import { executionName, isRunOf, type TriggerDefaults } from '#workflow/triggers/run-request.ts';
import { eventFixture } from '../support/fixtures.ts';

const CLUSTER = 'cluster-igklspoyj5v';
const OTHER = 'cluster-jxhlf7644ne';
const DEFAULTS: TriggerDefaults = {
  clusterIds: [CLUSTER, OTHER],
  provider: 'aws',
  policy: DEFAULT_POLICY,
};

function invalid(event: unknown, defaults: TriggerDefaults = DEFAULTS): InvalidInputError {
  try {
    normaliseTrigger(event, defaults);
  } catch (error) {
    if (error instanceof InvalidInputError) return error;
    throw error;
  }
  throw new Error('expected InvalidInputError');
}

describe('normaliseTrigger', () => {
  it('turns a scheduled event into one run per configured cluster', () => {
    const result = normaliseTrigger(eventFixture('scheduled-event'), DEFAULTS);

    expect(result.kind).toBe('schedule');
    expect(result.ignored).toEqual([]);
    expect(result.runs.map((r) => r.clusterId)).toEqual([CLUSTER, OTHER]);
    const [first] = result.runs;
    expect(first).toMatchObject({
      provider: 'aws',
      trigger: { kind: 'schedule', detail: 'rule my-scheduled-rule at 2015-10-08T16:53:06Z' },
      policyOverrides: {},
      policy: DEFAULT_POLICY,
    });
    expect(first?.executionName).toMatch(new RegExp(`^${CLUSTER}-schedule-[0-9a-f]{12}$`));
  });

  it('turns a CloudTrail CreateHsm event into a scaling run for that cluster', () => {
    const result = normaliseTrigger(eventFixture('cloudtrail-create-hsm'), DEFAULTS);

    expect(result).toMatchObject({ kind: 'scaling', ignored: [] });
    expect(result.runs).toHaveLength(1);
    expect(result.runs[0]).toMatchObject({
      clusterId: CLUSTER,
      trigger: {
        kind: 'scaling',
        detail:
          'CreateHsm hsm-ted36yp5b2x by arn:aws:iam::111122223333:user/Alice (CloudTrail event 114b61b9-0ea6-47f5-a9d2-4f2bdd0017d5)',
      },
    });
  });

  it('turns a CloudTrail DeleteHsm event into a scaling run', () => {
    const result = normaliseTrigger(eventFixture('cloudtrail-delete-hsm'), DEFAULTS);

    expect(result.runs[0]?.trigger.detail).toMatch(/^DeleteHsm hsm-ted36yp5b2x by .*HsmOps/);
  });

  it('ignores a failed CreateHsm call, a cluster not configured and other CloudHSM calls', () => {
    const failed = normaliseTrigger(eventFixture('cloudtrail-create-hsm-failed'), DEFAULTS);
    const elsewhere = normaliseTrigger(eventFixture('cloudtrail-create-hsm'), {
      ...DEFAULTS,
      clusterIds: [OTHER],
    });
    const other = eventFixture('cloudtrail-create-hsm');
    (other.detail as Record<string, unknown>).eventName = 'TagResource';
    const tagged = normaliseTrigger(other, DEFAULTS);

    expect(failed.runs).toEqual([]);
    expect(failed.ignored[0]).toContain('failed with CloudHsmInvalidRequestException');
    expect(elsewhere.runs).toEqual([]);
    expect(elsewhere.ignored[0]).toContain(`cluster ${CLUSTER}, which this deployment does not look after`);
    expect(tagged.runs).toEqual([]);
    expect(tagged.ignored[0]).toContain('TagResource');
  });

  it('turns a runbook request into a run with validated policy overrides', () => {
    const result = normaliseTrigger(eventFixture('runbook-request'), DEFAULTS);

    expect(result.kind).toBe('runbook');
    expect(result.runs[0]).toMatchObject({
      clusterId: CLUSTER,
      trigger: {
        kind: 'runbook',
        detail:
          'requested by arn:aws:sts::111122223333:assumed-role/HsmOps/alice (request 2f9c6f1e-8a41-4c1b-9f5e-3c7d2b1a0e99)',
      },
      policyOverrides: { maxActionsPerRun: 10, allowedKinds: ['user'], dryRun: true },
      policy: { ...DEFAULT_POLICY, maxActionsPerRun: 10, allowedKinds: ['user'], dryRun: true },
    });
  });

  it('names the same event the same way every time, and different events differently', () => {
    const a = normaliseTrigger(eventFixture('cloudtrail-create-hsm'), DEFAULTS).runs[0];
    const b = normaliseTrigger(eventFixture('cloudtrail-create-hsm'), DEFAULTS).runs[0];
    const c = normaliseTrigger(eventFixture('cloudtrail-delete-hsm'), DEFAULTS).runs[0];
    const byInvocation = normaliseTrigger({ clusterId: CLUSTER }, DEFAULTS, 'lambda-request-1').runs[0];

    expect(a?.executionName).toBe(b?.executionName);
    expect(a?.dedupToken).toMatch(/^[0-9a-f]{12}$/);
    expect(c?.executionName).not.toBe(a?.executionName);
    expect(byInvocation?.executionName).toBe(
      executionName(CLUSTER, 'runbook', byInvocation?.dedupToken ?? ''),
    );
  });

  it('keeps execution names within Step Functions limits', () => {
    const name = executionName(`weird id/${'x'.repeat(120)}`, 'schedule', '0123456789ab');

    expect(name.length).toBeLessThanOrEqual(80);
    expect(name).toMatch(/^[A-Za-z0-9_-]+-schedule-0123456789ab$/);
    expect(isRunOf(CLUSTER, `${CLUSTER}-scaling-0123456789ab`)).toBe(true);
    expect(isRunOf(CLUSTER, `${CLUSTER}-x-scaling-0123456789ab`)).toBe(false);
    expect(isRunOf(CLUSTER, 'manual-run')).toBe(false);
  });

  it('rejects malformed events with the field and where it is', () => {
    const noClusterId = eventFixture('cloudtrail-create-hsm');
    delete ((noClusterId.detail as Record<string, unknown>).requestParameters as Record<string, unknown>)
      .clusterId;
    const badSchedule = { ...eventFixture('scheduled-event'), time: 'yesterday' };
    const wrongDetailType = { ...eventFixture('scheduled-event'), 'detail-type': 'Sheduled Event' };
    const noEventId = eventFixture('cloudtrail-delete-hsm');
    delete (noEventId.detail as Record<string, unknown>).eventID;

    expect(invalid(noClusterId).message).toContain('detail.requestParameters.clusterId');
    expect(invalid(badSchedule).message).toMatch(/^scheduled event is malformed: time: /);
    expect(invalid(wrongDetailType).message).toContain('detail-type');
    expect(invalid(noEventId).message).toContain('detail.eventID');
    expect(
      invalid({ source: 'aws.ec2', 'detail-type': 'EC2 Instance State-change Notification' }).message,
    ).toContain("source 'aws.ec2'");
    expect(invalid({ clusterId: CLUSTER, requestId: 'r', dryrun: true }).message).toContain('dryrun');
    expect(invalid({ clusterId: CLUSTER, requestId: 'r', dryRun: 'yes' }).message).toContain('dryRun');
    expect(
      invalid({ clusterId: CLUSTER, requestId: 'r', policy: { maxActionsPerRun: -1 } }).message,
    ).toContain('runbook request: policy.maxActionsPerRun');
    expect(invalid({ clusterId: 'cluster-notmine000', requestId: 'r' }).message).toContain(
      'cluster-notmine000',
    );
    expect(invalid({ clusterId: CLUSTER }).message).toContain('requestId');
    expect(invalid('CreateHsm').message).toContain('got string');
    expect(invalid(null).name).toBe(ERROR_NAMES.invalidInput);
  });
});
