/**
 * The crypto officer's credentials from AWS Secrets Manager: a secret whose string is
 * `{"username": "...", "password": "...", "role"?: "..."}` (`role`, or the older `userType`,
 * in the tool's words; the tool's default when absent). Read once per process and cached for a while (a rotated secret is picked
 * up after `maxAgeMs`). No error message ever carries the secret's text.
 */
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { ConfigurationError, TransportError } from '#core/errors.ts';
import type { Credentials } from '#core/secret.ts';
import { CachedCredentials, type CredentialCacheOptions } from '../cached-credentials.ts';
import { type CredentialsSource, checkPassword, checkUsername, roleOf } from '../credentials.ts';

export type SecretsManagerCredentialsOptions = CredentialCacheOptions;

/** Secrets Manager errors that retrying will not fix: the configuration must change. */
const CONFIGURATION_ERRORS = new Set([
  'ResourceNotFoundException',
  'AccessDeniedException',
  'DecryptionFailure',
  'InvalidParameterException',
  'InvalidRequestException',
]);

export class SecretsManagerCredentials implements CredentialsSource {
  readonly #secretId: string;
  readonly #client: SecretsManagerClient;
  readonly #cache: CachedCredentials;

  constructor(
    secretId: string,
    client: SecretsManagerClient = new SecretsManagerClient({}),
    options: SecretsManagerCredentialsOptions = {},
  ) {
    if (!secretId)
      throw new ConfigurationError('CO_SECRET_ARN is empty: set it to the secret holding the CO');
    this.#secretId = secretId;
    this.#client = client;
    this.#cache = new CachedCredentials(() => this.#read(), options);
  }

  get(): Promise<Credentials> {
    return this.#cache.get();
  }

  async #read(): Promise<Credentials> {
    const where = `secret ${this.#secretId}`;
    let text: string | undefined;
    let versionId: string | undefined;
    try {
      const out = await this.#client.send(new GetSecretValueCommand({ SecretId: this.#secretId }));
      text = out.SecretString;
      versionId = out.VersionId;
    } catch (cause) {
      const name = cause instanceof Error ? cause.name : 'Error';
      const options = { cause, context: { secretId: this.#secretId, awsError: name } };
      if (CONFIGURATION_ERRORS.has(name)) {
        throw new ConfigurationError(
          `${where} cannot be read (${name}): check CO_SECRET_ARN and that the role may call secretsmanager:GetSecretValue`,
          options,
        );
      }
      throw new TransportError(`${where} cannot be read right now (${name}): retry`, options);
    }
    if (text === undefined) {
      throw new ConfigurationError(
        `${where} has no SecretString: store it as JSON text {"username","password","userType"?}`,
      );
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      // No cause: JSON.parse errors quote the text, which is the password.
      throw new ConfigurationError(`${where} is not JSON: store it as {"username","password","userType"?}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new ConfigurationError(`${where} is not a JSON object {"username","password","userType"?}`);
    }
    const fields = parsed as { username?: unknown; password?: unknown; userType?: unknown; role?: unknown };
    return {
      username: checkUsername(fields.username, `${where} "username"`),
      password: checkPassword(fields.password, `${where} "password"`),
      role: roleOf(fields, where),
      // Secrets Manager gives every rotation a new VersionId: the lockout guard's key.
      version: versionId ? `${this.#secretId}#${versionId}` : null,
    };
  }
}
