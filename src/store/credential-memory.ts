/**
 * The refused-credential memory (the lockout guard's memory across runs): when an HSM refuses
 * the run's login for its credentials, the secret's VERSION is remembered for the cluster, and
 * no later run logs in with that version again: only a new version (a rotated secret, a
 * rewritten file) lifts it. Keyed by cluster, user name and version, never by anything derived
 * from the password. A source that cannot tell versions apart (`version: null`) is remembered
 * as unversioned: the block stays until the record is removed by hand (the alert says how).
 */
import { createHash } from 'node:crypto';
import { ArtifactNotFoundError } from '#core/errors.ts';
import type { ArtifactStore } from './artifact-store.ts';

export interface CredentialRefusal {
  clusterId: string;
  username: string;
  /** The refused secret version; null when the source has no versions. */
  version: string | null;
  refusedAt: string;
  /** Where and what the HSM answered: `hsm-1: RET_USER_LOGIN_FAILURE`. */
  detail: string;
}

export interface CredentialMemory {
  /** The refusal recorded for this user and secret version of the cluster, or null. */
  refusalOf(clusterId: string, username: string, version: string | null): Promise<CredentialRefusal | null>;
  remember(refusal: CredentialRefusal): Promise<void>;
}

/** One key per cluster, user and version: a hash of those words (never of the password). */
export function refusalKey(clusterId: string, username: string, version: string | null): string {
  return createHash('sha256')
    .update([clusterId, username.toLowerCase(), version ?? '(unversioned)'].join('\u0000'))
    .digest('hex');
}

/** Artifact key of a refusal in a store (Azure blob, the local folder). */
export function refusalArtifactKey(clusterId: string, username: string, version: string | null): string {
  return `state/refused-credentials/${refusalKey(clusterId, username, version)}.json`;
}

/** The memory in an artifact store: the Azure Functions app (blob container) and local runs (a folder). */
export class StoreCredentialMemory implements CredentialMemory {
  readonly #store: ArtifactStore;
  constructor(store: ArtifactStore) {
    this.#store = store;
  }

  async refusalOf(
    clusterId: string,
    username: string,
    version: string | null,
  ): Promise<CredentialRefusal | null> {
    try {
      const record = await this.#store.getJson<CredentialRefusal>(
        refusalArtifactKey(clusterId, username, version),
      );
      // The key is a hash: the record itself must say it is this credential.
      return record.clusterId === clusterId && record.version === version ? record : null;
    } catch (error) {
      if (error instanceof ArtifactNotFoundError) return null;
      throw error;
    }
  }

  async remember(refusal: CredentialRefusal): Promise<void> {
    await this.#store.putJson(
      refusalArtifactKey(refusal.clusterId, refusal.username, refusal.version),
      refusal,
    );
  }
}
