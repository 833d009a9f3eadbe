/**
 * Named secrets in AWS Secrets Manager (the SDK 5 crypto users' and re-created users'
 * passwords, `CLOUDHSM_CLI_USER_SECRETS`): each reference is a secret ARN (or name) holding
 * `{"username","password"}`, the same format as the CO's secret, read and cached by
 * SecretsManagerCredentials (errors name the secret, never its text).
 */
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { NamedSecret, SecretReader } from '#core/secret.ts';
import { SecretsManagerCredentials } from './secrets-credentials.ts';

export class SecretsManagerSecrets implements SecretReader {
  readonly #client: SecretsManagerClient;
  readonly #sources = new Map<string, SecretsManagerCredentials>();

  constructor(client: SecretsManagerClient) {
    this.#client = client;
  }

  async read(reference: string): Promise<NamedSecret> {
    let source = this.#sources.get(reference);
    if (source === undefined) {
      source = new SecretsManagerCredentials(reference, this.#client);
      this.#sources.set(reference, source);
    }
    const { password, version } = await source.get();
    return { password, version };
  }
}
