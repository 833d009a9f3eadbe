import type { Alert } from '#core/alert.ts';
import { renderAlert } from '#core/render-report.ts';
import type { AlertMemory, AlertSink } from './alert-sink.ts';

/** Prints alerts instead of publishing them: the embedded default and dry runs. */
export class ConsoleSink implements AlertSink {
  readonly published: Alert[] = [];
  readonly #write: (text: string) => void;
  constructor(write: (text: string) => void = (text) => process.stdout.write(text)) {
    this.#write = write;
  }
  async publish(alert: Alert): Promise<{ messageId: string }> {
    this.published.push(alert);
    this.#write(`[alert ${alert.severity}] would publish:\n${renderAlert(alert)}\n`);
    return { messageId: `console-${this.published.length}` };
  }
}

/** Alert memory for one process (tests, one-shot CLI runs). */
export class InMemoryAlertMemory implements AlertMemory {
  readonly #sent = new Map<string, Date>();
  async lastSent(dedupKey: string): Promise<Date | null> {
    return this.#sent.get(dedupKey) ?? null;
  }
  async remember(dedupKey: string, at: Date): Promise<void> {
    this.#sent.set(dedupKey, at);
  }
}
