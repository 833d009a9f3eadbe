/**
 * Masked objects: what `syncUser`/`syncKey` carry between two HSMs of one cluster. The real
 * HSMs encrypt the object under a key only the cluster's HSMs hold; here every emulated node of
 * one cluster holds the same random AES-256 key and the blob is AES-256-GCM ciphertext, so the
 * user record or key material never travels in clear between nodes.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { ObjectKind } from '#core/model.ts';
import { EmulatedHsmError, HSM_RETURN_CODES } from './hsm-error.ts';

const BLOB_PREFIX = 'MASKED1';

/** A fresh cluster-wide masking key, hex encoded (as kept in each node's state). */
export function newMaskingKey(): string {
  return randomBytes(32).toString('hex');
}

/** Encrypts one object for transport; the kind is bound as associated data. */
export function maskObject(maskingKeyHex: string, kind: ObjectKind, payload: unknown): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', Buffer.from(maskingKeyHex, 'hex'), iv);
  cipher.setAAD(Buffer.from(kind));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(payload), 'utf8'), cipher.final()]);
  const tag = cipher.getAuthTag();
  return [
    BLOB_PREFIX,
    kind,
    iv.toString('base64'),
    tag.toString('base64'),
    ciphertext.toString('base64'),
  ].join('.');
}

/** Decrypts a blob made by {@link maskObject} under the same cluster key. */
export function unmaskObject(maskingKeyHex: string, blob: string): { kind: ObjectKind; payload: unknown } {
  const parts = blob.split('.');
  const [prefix, kind, iv, tag, ciphertext] = parts;
  if (
    parts.length !== 5 ||
    prefix !== BLOB_PREFIX ||
    (kind !== 'user' && kind !== 'key') ||
    iv === undefined ||
    tag === undefined ||
    ciphertext === undefined
  ) {
    throw new EmulatedHsmError(HSM_RETURN_CODES.invalidMaskedObject, 'not a masked object');
  }
  try {
    const decipher = createDecipheriv(
      'aes-256-gcm',
      Buffer.from(maskingKeyHex, 'hex'),
      Buffer.from(iv, 'base64'),
    );
    decipher.setAAD(Buffer.from(kind));
    decipher.setAuthTag(Buffer.from(tag, 'base64'));
    const clear = Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64')), decipher.final()]);
    return { kind, payload: JSON.parse(clear.toString('utf8')) as unknown };
  } catch (cause) {
    throw new EmulatedHsmError(
      HSM_RETURN_CODES.invalidMaskedObject,
      'masked object does not open under this cluster key',
      { cause },
    );
  }
}
