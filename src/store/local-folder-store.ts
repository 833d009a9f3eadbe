import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { ArtifactNotFoundError, InvalidInputError } from '#core/errors.ts';
import type { ArtifactStore } from './artifact-store.ts';

/** Artifacts as files below one folder: the embedded default and the CLI use it. */
export class LocalFolderStore implements ArtifactStore {
  readonly root: string;
  constructor(root: string) {
    this.root = resolve(root);
  }

  async putJson(key: string, value: unknown): Promise<string> {
    await this.write(key, `${JSON.stringify(value, null, 2)}\n`);
    return key;
  }

  async getJson<T>(key: string): Promise<T> {
    const path = this.pathOf(key);
    const text = await readFile(path, 'utf8').catch((cause: NodeJS.ErrnoException) => {
      if (cause.code === 'ENOENT') throw new ArtifactNotFoundError(key, `no artifact ${path}`, { cause });
      throw cause;
    });
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new InvalidInputError(`artifact ${path} is not JSON: it was not written by hsm-sentinel`, {
        cause,
      });
    }
  }

  async putText(key: string, text: string): Promise<string> {
    await this.write(key, text);
    return key;
  }

  /** The file's absolute path: what a person opens locally. */
  async linkTo(key: string): Promise<string> {
    return this.pathOf(key);
  }

  private async write(key: string, body: string): Promise<void> {
    const path = this.pathOf(key);
    await mkdir(dirname(path), { recursive: true });
    await writeFile(path, body, { mode: 0o600 });
  }

  /** Keys come from artifactKeys, but a key must never climb out of the root. */
  private pathOf(key: string): string {
    const path = resolve(join(this.root, key));
    if (!path.startsWith(this.root + sep))
      throw new InvalidInputError(`artifact key '${key}' leaves the store folder`);
    return path;
  }
}
