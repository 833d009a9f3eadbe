/**
 * A credential read from a secret store, reused for a while (a rotated secret is picked up after
 * `maxAgeMs`); a failed read is not remembered, so the next call asks again. Shared by the
 * Secrets Manager and Key Vault sources.
 */
import type { Credentials } from '#core/secret.ts';
import type { CredentialsSource } from './credentials.ts';

export interface CredentialCacheOptions {
  /** How long a read secret is reused (default 5 minutes). */
  maxAgeMs?: number;
  /** Milliseconds clock, for tests. */
  now?: () => number;
}

const DEFAULT_MAX_AGE_MS = 5 * 60_000;

export class CachedCredentials implements CredentialsSource {
  readonly #read: () => Promise<Credentials>;
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  #cached: { at: number; value: Promise<Credentials> } | null = null;

  constructor(read: () => Promise<Credentials>, options: CredentialCacheOptions = {}) {
    this.#read = read;
    this.#maxAgeMs = options.maxAgeMs ?? DEFAULT_MAX_AGE_MS;
    this.#now = options.now ?? Date.now;
  }

  get(): Promise<Credentials> {
    const now = this.#now();
    if (this.#cached && now - this.#cached.at < this.#maxAgeMs) return this.#cached.value;
    const value = this.#read();
    const entry = { at: now, value };
    this.#cached = entry;
    value.catch(() => {
      if (this.#cached === entry) this.#cached = null;
    });
    return value;
  }
}
