/**
 * Any event that can start a run, to the runs it asks for: picks the normaliser by the
 * event's shape (an EventBridge envelope, or a runbook request).
 */
import { InvalidInputError } from '#core/errors.ts';
import { quotedInput } from '../zod-issues.ts';
import { CLOUDTRAIL_DETAIL_TYPE, fromCloudTrailScaling } from './cloudtrail-scaling.ts';
import type { TriggerDefaults, TriggerNormalisation } from './run-request.ts';
import { fromRunbookRequest } from './runbook-request.ts';
import { fromScheduledEvent, SCHEDULE_DETAIL_TYPE } from './schedule.ts';

/**
 * Throws InvalidInputError, naming the field and where it is, for a malformed event; returns
 * `ignored` reasons for well-formed events that ask for nothing.
 */
export function normaliseTrigger(
  event: unknown,
  defaults: TriggerDefaults,
  invocationId?: string,
): TriggerNormalisation {
  if (typeof event !== 'object' || event === null || Array.isArray(event)) {
    throw new InvalidInputError(
      `trigger event: expected a JSON object (an EventBridge event or a runbook request), got ${describe(event)}`,
    );
  }
  const record = event as Record<string, unknown>;
  if ('source' in record || 'detail-type' in record) {
    if (record.source === 'aws.events') return fromScheduledEvent(record, defaults);
    if (record.source === 'aws.cloudhsm') return fromCloudTrailScaling(record, defaults);
    throw new InvalidInputError(
      `EventBridge event: source '${quotedInput(record.source)}' with detail-type '${quotedInput(record['detail-type'])}' ` +
        `is neither a '${SCHEDULE_DETAIL_TYPE}' (aws.events) nor a CloudHSM '${CLOUDTRAIL_DETAIL_TYPE}' (aws.cloudhsm): fix the rule's event pattern`,
    );
  }
  return { kind: 'runbook', runs: [fromRunbookRequest(record, defaults, invocationId)], ignored: [] };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
