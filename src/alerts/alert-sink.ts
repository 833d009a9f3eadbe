/**
 * Where alerts go (SNS, the console). A sink publishes; deduplication is a separate
 * concern so every sink gets it the same way.
 */
import type { Alert } from '#core/alert.ts';

export interface AlertSink {
  /** Publishes one alert; throws AlertDeliveryError when it could not. */
  publish(alert: Alert): Promise<{ messageId: string }>;
}

/** Remembers which unresolved problem sets were announced when. */
export interface AlertMemory {
  lastSent(dedupKey: string): Promise<Date | null>;
  remember(dedupKey: string, at: Date): Promise<void>;
}

export interface DeliveryOutcome {
  sent: boolean;
  messageId: string | null;
  /** Why it was not sent (nothing to say, or a repeat within the window). */
  reason: string;
}

/**
 * Sends an alert unless the same unresolved set was sent less than windowMs ago.
 * A failed publish is thrown, never swallowed: the run must not end green. The dedup memory
 * only ever holds an alert back: if it cannot be read the alert is sent (a repeat beats a
 * lost alert), and if it cannot be written after a publish the alert still counts as sent
 * (throwing would make the failure path publish the same run a second time).
 */
export async function deliver(
  alert: Alert | null,
  sink: AlertSink,
  memory: AlertMemory,
  windowMs: number,
  now: Date,
): Promise<DeliveryOutcome> {
  if (!alert) return { sent: false, messageId: null, reason: 'nothing to report' };
  const hasNews = alert.items.some((item) => item.category === 'repaired');
  const notes: string[] = [];
  const last = await memory.lastSent(alert.dedupKey).catch((error: unknown) => {
    notes.push(`dedup memory not read (${messageOf(error)})`);
    return null;
  });
  if (!hasNews && last && now.getTime() - last.getTime() < windowMs) {
    return { sent: false, messageId: null, reason: `same problems announced at ${last.toISOString()}` };
  }
  const { messageId } = await sink.publish(alert);
  await memory.remember(alert.dedupKey, now).catch((error: unknown) => {
    notes.push(`dedup memory not written (${messageOf(error)})`);
  });
  return { sent: true, messageId, reason: ['published', ...notes].join('; ') };
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
