/**
 * The partition credentials a member refused, kept in this process for the life of the driver
 * (a local run; one Lambda container), so the same credential is never sent to another member,
 * in this call or a later one: every member of an HA group shares the Crypto Officer password,
 * and each wrong try counts toward that partition's lock-out. A refusal is matched by user,
 * role and the password itself, compared in memory (a rotated password is a new credential);
 * nothing is written anywhere. A lockout-guard refusal counts too: the failures the token
 * reports may be this very credential's, from an earlier run.
 */
import type { Credentials, Secret } from '#core/secret.ts';

interface Refusal {
  username: string;
  role: string;
  password: Secret;
  /** Where and why, for the message of the next refusal. */
  where: string;
}

export class RefusalMemory {
  readonly #refusals: Refusal[] = [];

  record(credentials: Credentials, role: string, where: string): void {
    if (this.refusal(credentials, role) !== null) return;
    this.#refusals.push({ username: credentials.username, role, password: credentials.password, where });
  }

  /** Where this credential was refused, or null. */
  refusal(credentials: Credentials, role: string): string | null {
    const found = this.#refusals.find(
      (r) =>
        r.username === credentials.username &&
        r.role === role &&
        r.password.reveal() === credentials.password.reveal(),
    );
    return found?.where ?? null;
  }
}
