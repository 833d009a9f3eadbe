/**
 * The schedule: one run per configured cluster. From an EventBridge "Scheduled Event"
 * (`source: aws.events`) or, on Azure, the timer's firing time.
 */
import { z } from 'zod';
import { validated } from '../zod-issues.ts';
import { runFor, type TriggerDefaults, type TriggerNormalisation } from './run-request.ts';

export const SCHEDULE_DETAIL_TYPE = 'Scheduled Event';

const scheduledEventSchema = z.object({
  source: z.literal('aws.events'),
  'detail-type': z.literal(SCHEDULE_DETAIL_TYPE),
  id: z.string().min(1),
  time: z.iso.datetime({ offset: true }),
  resources: z.array(z.string()),
});

/** Every configured cluster, for one firing of the schedule (`firedAt` identifies it). */
export function scheduledRuns(
  defaults: TriggerDefaults,
  detail: string,
  firedAt: string,
): TriggerNormalisation {
  const runs = defaults.clusterIds.map((clusterId) =>
    runFor(defaults, clusterId, { kind: 'schedule', detail }, firedAt, {}),
  );
  return {
    kind: 'schedule',
    runs,
    ignored: runs.length === 0 ? ['no clusters are configured: nothing to run on a schedule'] : [],
  };
}

export function fromScheduledEvent(event: unknown, defaults: TriggerDefaults): TriggerNormalisation {
  const parsed = validated(scheduledEventSchema, event, 'scheduled event is malformed', {
    suffix: '; nothing was started',
  });
  const rule = parsed.resources[0]?.split('/').pop() ?? 'schedule';
  return scheduledRuns(defaults, `rule ${rule} at ${parsed.time}`, parsed.time);
}
