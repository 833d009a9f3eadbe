/**
 * A value that must never reach a log, a report, an error message or a kept transcript.
 * Every way JavaScript turns a value into text prints `<redacted>`; the only way out is
 * `reveal()`, which the driver calls at the moment it writes to the util's stdin.
 */
const REDACTED = '<redacted>';

export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return REDACTED;
  }
  toJSON(): string {
    return REDACTED;
  }
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return REDACTED;
  }
}

/** The account a run logs in as. */
export interface Credentials {
  username: string;
  password: Secret;
  /**
   * The role, in the tool's own words (mgmt-util `CO` / `PCO`, SDK 5 `admin`, Luna `co`);
   * null: the tool's default. The tool module checks it.
   */
  role: string | null;
  /**
   * Which version of the secret this is (Secrets Manager VersionId, Key Vault secret version,
   * a file's mtime): the lockout guard remembers a refused credential by it, never by a hash
   * of the password. null: the source cannot tell versions apart.
   */
  version: string | null;
}

/** Replace every occurrence of each secret in text (transcripts, error messages). */
export function redact(text: string, secrets: readonly Secret[]): string {
  let out = text;
  for (const secret of secrets) {
    const value = secret.reveal();
    if (value.length > 0) out = out.split(value).join(REDACTED);
  }
  return out;
}

/** A named secret's value and which version of it this is (see `Credentials.version`). */
export interface NamedSecret {
  password: Secret;
  version: string | null;
}

/**
 * Reads a named secret (a Secrets Manager ARN, an environment variable name…): the port a
 * tool uses for passwords besides the run's own credentials (SDK 5 crypto users, the
 * password a re-created user keeps). Errors name the reference, never the value.
 */
export interface SecretReader {
  read(reference: string): Promise<NamedSecret>;
}

/**
 * An environment for a child process without any variable whose value is one of the secrets
 * (e.g. the variable the password was read from): the tool gets it on stdin, never inherited.
 */
export function withoutSecretValues(
  env: Readonly<Record<string, string | undefined>>,
  secrets: readonly Secret[],
): Record<string, string | undefined> {
  const values = new Set(secrets.map((s) => s.reveal()).filter((v) => v !== ''));
  return Object.fromEntries(
    Object.entries(env).filter(([, value]) => value === undefined || !values.has(value.trim())),
  );
}
