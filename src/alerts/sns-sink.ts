/**
 * Alerts to an SNS topic: a readable subject (for e-mail subscribers), a JSON body (the
 * Alert plus a `text` rendering, for programs and chat hooks), and `severity` / `clusterId`
 * message attributes (for subscription filter policies).
 */
import { createHash } from 'node:crypto';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import type { Alert } from '#core/alert.ts';
import { AlertDeliveryError, ConfigurationError } from '#core/errors.ts';
import { renderAlert } from '#core/render-report.ts';
import type { AlertSink } from './alert-sink.ts';

/** SNS: subjects must be ASCII, without line breaks or control characters, under 100 characters. */
const SUBJECT_MAX = 99;
/** SNS caps a message at 256 KiB including attributes; leave room for them and the subject. */
export const SNS_BODY_MAX_BYTES = 250_000;

/** The JSON body published: the alert plus a human rendering, possibly with items cut. */
export interface SnsAlertBody extends Alert {
  text: string;
  /** Present when items were left out to fit SNS's size limit. */
  omittedItems?: number;
}

export class SnsSink implements AlertSink {
  readonly #topicArn: string;
  readonly #client: SNSClient;

  constructor(topicArn: string, client: SNSClient = new SNSClient({})) {
    if (!topicArn) throw new ConfigurationError('SNS sink: no topic ARN (set ALERT_TOPIC_ARN)');
    this.#topicArn = topicArn;
    this.#client = client;
  }

  async publish(alert: Alert): Promise<{ messageId: string }> {
    try {
      const out = await this.#client.send(
        new PublishCommand({
          TopicArn: this.#topicArn,
          Subject: snsSubject(alert.subject),
          Message: snsMessage(alert),
          MessageAttributes: {
            severity: { DataType: 'String', StringValue: alert.severity },
            clusterId: { DataType: 'String', StringValue: alert.clusterId },
          },
        }),
      );
      return { messageId: out.MessageId ?? '' };
    } catch (cause) {
      const name = cause instanceof Error ? cause.name : 'Error';
      throw new AlertDeliveryError(
        `SNS publish to ${this.#topicArn} failed for cluster ${alert.clusterId} (${name}): ` +
          'check the topic exists and the role may call sns:Publish (and use its KMS key)',
        { cause, context: { topicArn: this.#topicArn, clusterId: alert.clusterId, awsError: name } },
      );
    }
  }
}

/** Makes a subject SNS accepts: printable ASCII, one line, at most 99 characters. */
export function snsSubject(text: string): string {
  const ascii = text
    .replace(/…/g, '...')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\r\n\t\v\f]+/g, ' ')
    .replace(/[^\x20-\x7e]/g, '?')
    .replace(/ {2,}/g, ' ')
    .trim();
  const subject = ascii.length <= SUBJECT_MAX ? ascii : `${ascii.slice(0, SUBJECT_MAX - 3).trimEnd()}...`;
  return subject === '' ? 'hsm-sentinel alert' : subject;
}

/**
 * The JSON body. An alert too large for SNS (thousands of at-risk keys) keeps its first
 * items, says how many were left out, and carries the sha256 of its dedup key instead of
 * the key itself; the full list is in the run report.
 */
export function snsMessage(alert: Alert, maxBytes = SNS_BODY_MAX_BYTES): string {
  const full = body(alert, alert.items.length);
  if (Buffer.byteLength(full) <= maxBytes) return full;
  let lo = 0;
  let hi = alert.items.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (Buffer.byteLength(body(alert, mid)) <= maxBytes) lo = mid;
    else hi = mid - 1;
  }
  return body(alert, lo);
}

function body(alert: Alert, keep: number): string {
  if (keep >= alert.items.length) {
    const whole: SnsAlertBody = { ...alert, text: renderAlert(alert) };
    return JSON.stringify(whole);
  }
  const omitted = alert.items.length - keep;
  const cut: Alert = {
    ...alert,
    items: alert.items.slice(0, keep),
    dedupKey: `sha256:${createHash('sha256').update(alert.dedupKey).digest('hex')}`,
    summary: `${alert.summary.split('\n')[0] ?? ''}\n(${omitted} of ${alert.items.length} items left out to fit SNS; see the run report)`,
  };
  const shortened: SnsAlertBody = {
    ...cut,
    text: `${renderAlert(cut)}\n  ... ${omitted} more items in the run report`,
    omittedItems: omitted,
  };
  return JSON.stringify(shortened);
}
