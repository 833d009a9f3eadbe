import { ArtifactNotFoundError } from '#core/errors.ts';
import type { ArtifactStore } from './artifact-store.ts';

/** Artifacts in a Map: for tests and for measuring payload sizes without a disk. */
export class MemoryStore implements ArtifactStore {
  readonly documents = new Map<string, string>();

  async putJson(key: string, value: unknown): Promise<string> {
    this.documents.set(key, JSON.stringify(value));
    return key;
  }

  async getJson<T>(key: string): Promise<T> {
    const text = this.documents.get(key);
    if (text === undefined) throw new ArtifactNotFoundError(key, `memory store: no artifact '${key}'`);
    return JSON.parse(text) as T;
  }

  async putText(key: string, text: string): Promise<string> {
    this.documents.set(key, text);
    return key;
  }
}
