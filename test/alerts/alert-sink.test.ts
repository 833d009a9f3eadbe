import { describe, expect, it } from '@jest/globals';
import { type AlertMemory, deliver } from '#alerts/alert-sink.ts';
import { InMemoryAlertMemory } from '#alerts/console-sink.ts';
import type { Alert } from '#core/alert.ts';
import { AlertDeliveryError } from '#core/errors.ts';
import { RecordingSink } from '../support/workflow/fake-deps.ts';

const alert: Alert = {
  clusterId: 'cluster-abc',
  runId: 'run-1',
  severity: 'critical',
  subject: 's',
  summary: 's',
  items: [
    {
      category: 'single-node',
      severity: 'critical',
      objectId: 'key:1',
      nodeIds: ['hsm-1'],
      message: 'm',
      runbook: [],
    },
  ],
  dedupKey: 'cluster-abc|single-node:single-node:key:1:hsm-1',
};
const now = new Date('2026-11-23T12:00:00.000Z');
const hour = 3_600_000;

describe('deliver', () => {
  it('sends the first time, holds back a repeat within the window, sends again after it', async () => {
    const sink = new RecordingSink();
    const memory = new InMemoryAlertMemory();

    expect((await deliver(alert, sink, memory, 6 * hour, now)).sent).toBe(true);
    expect((await deliver(alert, sink, memory, 6 * hour, new Date(now.getTime() + hour))).sent).toBe(false);
    expect((await deliver(alert, sink, memory, 6 * hour, new Date(now.getTime() + 7 * hour))).sent).toBe(
      true,
    );
    expect(sink.alerts).toHaveLength(2);
  });

  it('still sends when the dedup memory cannot be read: a repeat beats a lost alert', async () => {
    const sink = new RecordingSink();
    const memory: AlertMemory = {
      lastSent: async () => {
        throw new AlertDeliveryError('alert memory: could not read table t');
      },
      remember: async () => {},
    };

    const outcome = await deliver(alert, sink, memory, 6 * hour, now);

    expect(outcome.sent).toBe(true);
    expect(sink.alerts).toHaveLength(1);
  });

  it('does not fail a delivered alert when the dedup memory cannot be written (the failure path would send it twice)', async () => {
    const sink = new RecordingSink();
    const memory: AlertMemory = {
      lastSent: async () => null,
      remember: async () => {
        throw new AlertDeliveryError('alert memory: could not write table t');
      },
    };

    const outcome = await deliver(alert, sink, memory, 6 * hour, now);

    expect(outcome).toMatchObject({ sent: true, messageId: 'm-1' });
    expect(outcome.reason).toContain('could not write');
  });

  it('throws when the publish itself fails', async () => {
    const sink = new RecordingSink();
    sink.fail = true;

    await expect(deliver(alert, sink, new InMemoryAlertMemory(), 6 * hour, now)).rejects.toThrow('SNS');
  });
});
