/**
 * Alert memory kept in the artifact store (the run artifacts' blob container): one small
 * document per unresolved problem set, `alerts/<sha256 of the dedup key>.json`. Every
 * instance of the Functions app sees the same memory, so repeats are not re-sent.
 */
import { createHash } from 'node:crypto';
import type { AlertMemory } from '#alerts/alert-sink.ts';
import { ArtifactNotFoundError } from '#core/errors.ts';
import type { ArtifactStore } from '#store/artifact-store.ts';

interface Remembered {
  dedupKey: string;
  sentAt: string;
}

export function alertMemoryKey(dedupKey: string): string {
  return `alerts/${createHash('sha256').update(dedupKey).digest('hex')}.json`;
}

export class StoreAlertMemory implements AlertMemory {
  readonly #store: ArtifactStore;
  constructor(store: ArtifactStore) {
    this.#store = store;
  }

  async lastSent(dedupKey: string): Promise<Date | null> {
    try {
      const doc = await this.#store.getJson<Remembered>(alertMemoryKey(dedupKey));
      return doc.dedupKey === dedupKey ? new Date(doc.sentAt) : null;
    } catch (error) {
      // Never announced: nothing stored under the key. Anything else is a real failure.
      if (error instanceof ArtifactNotFoundError) return null;
      throw error;
    }
  }

  async remember(dedupKey: string, at: Date): Promise<void> {
    const doc: Remembered = { dedupKey, sentAt: at.toISOString() };
    await this.#store.putJson(alertMemoryKey(dedupKey), doc);
  }
}
