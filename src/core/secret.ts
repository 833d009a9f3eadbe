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

/** The crypto officer the run logs in as. */
export interface Credentials {
  userType: 'CO' | 'PCO';
  username: string;
  password: Secret;
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
