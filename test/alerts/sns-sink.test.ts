import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { SnsSink, snsMessage, snsSubject } from '#alerts/sns-sink.ts';
import type { Alert, AlertItem } from '#core/alert.ts';
import { ERROR_NAMES } from '#core/errors.ts';
import { renderAlert } from '#core/render-report.ts';

const TOPIC = 'arn:aws:sns:us-east-1:111122223333:hsm-sentinel-alerts';
const sns = mockClient(SNSClient);

function item(n: number): AlertItem {
  return {
    category: 'single-node',
    severity: 'critical',
    objectId: `key:${262_000 + n}`,
    nodeIds: ['hsm-bbbbbbbbbbb', 'hsm-ccccccccccc'],
    message: `key ${262_000 + n} is still not on every node: only on hsm-aaaaaaaaaaa`,
    runbook: [`server 0`, `syncKey ${262_000 + n} 1`, `syncKey ${262_000 + n} 2`],
  };
}

function alert(items: AlertItem[] = [item(1)]): Alert {
  return {
    clusterId: 'cluster-igklspoyj5v',
    runId: 'cluster-igklspoyj5v-schedule-0123456789ab',
    severity: 'critical',
    subject: '[hsm-sentinel] CRITICAL cluster-igklspoyj5v: attention (1 single-node)',
    summary: 'Cluster cluster-igklspoyj5v (aws, aws), run r1: attention.\n- [critical] key 262001 …',
    items,
    dedupKey: `cluster-igklspoyj5v|${items.map((i) => i.objectId).join('|')}`,
  };
}

function sink(): SnsSink {
  return new SnsSink(TOPIC, new SNSClient({ region: 'us-east-1' }));
}

describe('SnsSink', () => {
  afterEach(() => {
    sns.reset();
  });

  it('publishes one message with subject, JSON body and severity/cluster attributes', async () => {
    // Arrange
    sns.on(PublishCommand).resolves({ MessageId: 'msg-1' });
    const a = alert();

    // Act
    const out = await sink().publish(a);

    // Assert
    expect(out).toEqual({ messageId: 'msg-1' });
    const calls = sns.commandCalls(PublishCommand);
    expect(calls).toHaveLength(1);
    const input = calls[0]?.args[0].input;
    expect(input).toEqual({
      TopicArn: TOPIC,
      Subject: a.subject,
      Message: expect.any(String),
      MessageAttributes: {
        severity: { DataType: 'String', StringValue: 'critical' },
        clusterId: { DataType: 'String', StringValue: 'cluster-igklspoyj5v' },
      },
    });
    expect(JSON.parse(input?.Message ?? '')).toEqual({ ...a, text: renderAlert(a) });
  });

  it('sanitises the subject: ASCII, one line, under 100 characters', async () => {
    sns.on(PublishCommand).resolves({ MessageId: 'msg-2' });
    const a = { ...alert(), subject: `[hsm-sentinel]\nCRITICAL clüster\t${'x'.repeat(120)}…` };

    await sink().publish(a);

    const subject = sns.commandCalls(PublishCommand)[0]?.args[0].input.Subject ?? '';
    expect(subject.length).toBeLessThan(100);
    expect(subject).toMatch(/^[\x20-\x7e]+$/);
    expect(subject.startsWith('[hsm-sentinel] CRITICAL cluster x')).toBe(true);
    expect(subject.endsWith('...')).toBe(true);
  });

  it('turns an empty or all-control subject into a fixed one', () => {
    expect(snsSubject('\n\t ')).toBe('hsm-sentinel alert');
    expect(snsSubject('ok … done')).toBe('ok ... done');
  });

  it('cuts items from an alert too large for SNS and says how many', () => {
    const big = alert(Array.from({ length: 5000 }, (_, i) => item(i)));

    const message = snsMessage(big, 100_000);

    expect(Buffer.byteLength(message)).toBeLessThanOrEqual(100_000);
    const body = JSON.parse(message);
    expect(body.items.length).toBeGreaterThan(0);
    expect(body.items.length + body.omittedItems).toBe(5000);
    expect(body.dedupKey).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(body.text).toContain(`${body.omittedItems} more items in the run report`);
  });

  it('throws AlertDeliveryError with the cause when SNS refuses', async () => {
    const denied = Object.assign(new Error('not authorized'), { name: 'AuthorizationErrorException' });
    sns.on(PublishCommand).rejects(denied);

    const error = await sink()
      .publish(alert())
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: ERROR_NAMES.alertDelivery, cause: denied });
    expect((error as Error).message).toContain(TOPIC);
  });
});
