/**
 * Cluster scaling: a CloudTrail `CreateHsm` / `DeleteHsm` call delivered by EventBridge
 * (`source: aws.cloudhsm`, `detail-type: AWS API Call via CloudTrail`): one run for that
 * cluster. Failed calls (`errorCode`), other calls and clusters not configured are ignored,
 * not errors. The run's Resolve step waits (ClusterNotStableError retries) until the new
 * node set is ACTIVE.
 */
import { z } from 'zod';
import { quotedInput, validated } from '../zod-issues.ts';
import { configuredCluster, runFor, type TriggerDefaults, type TriggerNormalisation } from './run-request.ts';

export const CLOUDTRAIL_DETAIL_TYPE = 'AWS API Call via CloudTrail';
export const SCALING_EVENT_NAMES = ['CreateHsm', 'DeleteHsm'] as const;

const cloudTrailEnvelopeSchema = z.object({
  source: z.literal('aws.cloudhsm'),
  'detail-type': z.literal(CLOUDTRAIL_DETAIL_TYPE),
  id: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  detail: z.object({
    eventSource: z.literal('cloudhsm.amazonaws.com'),
    eventName: z.string().min(1),
    eventID: z.string().min(1),
    errorCode: z.string().optional(),
    errorMessage: z.string().optional(),
    userIdentity: z.object({ arn: z.string().optional(), type: z.string().optional() }).optional(),
    requestParameters: z.unknown().optional(),
    responseElements: z.unknown().optional(),
  }),
});

const scalingCallSchema = z.object({
  requestParameters: z.object({
    clusterId: z.string().min(1),
    hsmId: z.string().optional(),
    eniIp: z.string().optional(),
  }),
  responseElements: z
    .object({
      hsm: z.object({ hsmId: z.string().min(1), state: z.string().optional() }).optional(),
      hsmId: z.string().optional(),
    })
    .nullable()
    .optional(),
});

const MALFORMED = '; nothing was started';

export function fromCloudTrailScaling(event: unknown, defaults: TriggerDefaults): TriggerNormalisation {
  const parsed = validated(cloudTrailEnvelopeSchema, event, 'CloudTrail event is malformed', {
    suffix: MALFORMED,
  });
  const detail = parsed.detail;
  const ignore = (reason: string): TriggerNormalisation => ({ kind: 'scaling', runs: [], ignored: [reason] });
  // Quoted as outside input: an ignored event's reason is logged, one line.
  const which = `${quotedInput(detail.eventName)} (CloudTrail event ${quotedInput(detail.eventID)})`;
  if (!(SCALING_EVENT_NAMES as readonly string[]).includes(detail.eventName)) {
    return ignore(`${which} does not change a cluster's HSMs`);
  }
  if (detail.errorCode !== undefined) {
    return ignore(`${which} failed with ${quotedInput(detail.errorCode)}: the cluster did not change`);
  }
  const call = validated(scalingCallSchema, detail, 'CloudTrail event is malformed', {
    suffix: MALFORMED,
    at: ['detail'],
  });
  const requested = call.requestParameters.clusterId;
  const clusterId = configuredCluster(defaults, requested);
  if (clusterId === null) {
    return ignore(
      `${quotedInput(detail.eventName)} on cluster ${quotedInput(requested)}, which this deployment does not look after`,
    );
  }
  const hsmId =
    call.responseElements?.hsm?.hsmId ??
    call.responseElements?.hsmId ??
    call.requestParameters.hsmId ??
    call.requestParameters.eniIp;
  const who = detail.userIdentity?.arn ?? 'an unknown caller';
  const what = `${detail.eventName}${hsmId ? ` ${hsmId}` : ''} by ${who} (CloudTrail event ${detail.eventID})`;
  return {
    kind: 'scaling',
    runs: [runFor(defaults, clusterId, { kind: 'scaling', detail: what }, detail.eventID, {})],
    ignored: [],
  };
}
