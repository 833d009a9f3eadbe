import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { AlertMemory } from './alert-sink.ts';

/** Alert memory in a JSON file, so repeated CLI runs do not re-announce the same problems. */
export class FileAlertMemory implements AlertMemory {
  readonly #path: string;
  constructor(path: string) {
    this.#path = path;
  }

  async lastSent(dedupKey: string): Promise<Date | null> {
    const sent = (await this.#read())[dedupKey];
    return sent ? new Date(sent) : null;
  }

  async remember(dedupKey: string, at: Date): Promise<void> {
    const all = await this.#read();
    all[dedupKey] = at.toISOString();
    await mkdir(dirname(this.#path), { recursive: true });
    await writeFile(this.#path, `${JSON.stringify(all, null, 2)}\n`, { mode: 0o600 });
  }

  async #read(): Promise<Record<string, string>> {
    try {
      return JSON.parse(await readFile(this.#path, 'utf8')) as Record<string, string>;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
      throw error;
    }
  }
}
