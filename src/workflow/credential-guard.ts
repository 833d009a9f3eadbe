/**
 * The lockout guard's memory in the workflow: before any login, the run's credential is
 * looked up in the refused-credential memory; a version an HSM refused before is never sent
 * again (every node of the run is `login-refused-by-guard`, with a note that says how to lift
 * it). After a read, a refusal for the credentials is remembered at once, so no later run (and
 * no other node's step of this run that has not logged in yet) tries it again.
 */
import { ArtifactStoreError } from '#core/errors.ts';
import type { NodeInventory, UnreadableInventory } from '#core/model.ts';
import type { Credentials } from '#core/secret.ts';
import type { CredentialRefusal } from '#store/credential-memory.ts';
import type { WorkflowDeps } from './deps.ts';

/** The run's credential, and the refusal recorded for it (null: it may be used). */
export async function credentialsFor(
  deps: WorkflowDeps,
  clusterId: string,
): Promise<{ credentials: Credentials; refusal: CredentialRefusal | null }> {
  const credentials = await deps.credentials.get();
  const refusal = await deps.credentialMemory.refusalOf(clusterId, credentials.username, credentials.version);
  return { credentials, refusal };
}

/** What a node is when the credential was refused before: unknown, never logged in to. */
export function refusedBefore(nodeId: string, refusal: CredentialRefusal): UnreadableInventory {
  const version = refusal.version === null ? 'an unversioned secret' : `secret version ${refusal.version}`;
  const lift =
    refusal.version === null
      ? 'give the credential source a version (so a new password is told apart) or remove the record of the refusal'
      : 'store a new secret version with the right password: a new version lifts this';
  return {
    nodeId,
    status: 'unreadable',
    reason: 'login-refused-by-guard',
    detail: `not logged in: the password of ${refusal.username} (${version}) was refused at ${refusal.refusedAt} (${refusal.detail}); it is never sent again`,
    loginAttempted: false,
    notes: [
      {
        kind: 'lockout-risk',
        severity: 'critical',
        detail: `${refusal.username}'s password (${version}) was refused before: every run is stopped before its login so the account is not driven towards lockout; ${lift}`,
      },
    ],
  };
}

/** Remembers a refusal found in these inventories; a memory that cannot be written fails the step, never retries a login. */
export async function rememberRefusals(
  deps: WorkflowDeps,
  clusterId: string,
  credentials: Credentials,
  inventories: readonly NodeInventory[],
): Promise<void> {
  const rejected = inventories.filter((i) => i.status === 'unreadable' && i.credentialsRejected);
  if (rejected.length === 0) return;
  await rememberRefusal(
    deps,
    clusterId,
    credentials,
    rejected.map((i) => `${i.nodeId}: ${i.status === 'unreadable' ? i.detail : ''}`).join('; '),
  );
}

export async function rememberRefusal(
  deps: WorkflowDeps,
  clusterId: string,
  credentials: Credentials,
  detail: string,
): Promise<void> {
  try {
    await deps.credentialMemory.remember({
      clusterId,
      username: credentials.username,
      version: credentials.version,
      refusedAt: deps.clock().toISOString(),
      detail,
    });
  } catch (cause) {
    // Not a transport error to the Retry blocks: a retry would send the refused password again.
    throw new ArtifactStoreError(`the refusal of ${credentials.username}'s login could not be remembered`, {
      cause,
    });
  }
  deps.log.error('credential refused: no login with this secret version until it changes', {
    clusterId,
    username: credentials.username,
    version: credentials.version,
  });
}
