/**
 * The crypto officer's password read from Azure Key Vault with the app's identity (Key Vault
 * REST `GET {secret}?api-version=7.4`, scope https://vault.azure.net/.default), so the run knows
 * the secret's version: the lockout guard remembers a refused password by that version, and a
 * new version (a rotation) is what lifts it. (A Key Vault reference in an app setting hands the
 * app the value only.) The secret's value is the password; the user name comes from the app
 * settings. Cached for a while (CachedCredentials); no error carries the secret's text or the
 * token.
 */
import { ConfigurationError, InvalidInputError } from '#core/errors.ts';
import type { Credentials } from '#core/secret.ts';
import { CachedCredentials, type CredentialCacheOptions } from '../cached-credentials.ts';
import { type CredentialsSource, checkPassword, checkUsername } from '../credentials.ts';
import {
  type AccessTokenSource,
  bearerToken,
  errorFromResponse,
  type FetchLike,
  type HttpRetryOptions,
  lazyCredential,
  sendWithRetry,
} from './http-retry.ts';

export const KEY_VAULT_SCOPE = 'https://vault.azure.net/.default';
export const KEY_VAULT_API_VERSION = '7.4';

/**
 * `https://<vault>.vault.azure.net/secrets/<name>` (the latest version) or `…/<name>/<version>`;
 * the sovereign clouds' vault domains too. Nothing else gets the token.
 */
const SECRET_URI =
  /^https:\/\/[a-z0-9][a-z0-9-]{1,22}[a-z0-9]\.vault\.(?:azure\.net|azure\.cn|usgovcloudapi\.net)\/secrets\/[A-Za-z0-9-]{1,127}(?:\/[0-9a-f]{32})?\/?$/;

export interface KeyVaultCredentialsOptions extends HttpRetryOptions {
  /** The secret holding the password (HSM_CO_PASSWORD_SECRET_URI). */
  secretUri: string;
  /** The officer's user name (HSM_CO_USER). */
  username: string;
  fetch?: FetchLike;
  /** Default: DefaultAzureCredential (the app's managed identity). */
  credential?: AccessTokenSource;
  cache?: CredentialCacheOptions;
}

interface SecretBundle {
  value?: unknown;
  id?: unknown;
  attributes?: { enabled?: unknown };
}

export class KeyVaultCredentials implements CredentialsSource {
  readonly #options: KeyVaultCredentialsOptions;
  readonly #secretUri: string;
  readonly #fetch: FetchLike;
  readonly #credential: () => AccessTokenSource;
  readonly #cache: CachedCredentials;

  constructor(options: KeyVaultCredentialsOptions) {
    if (!SECRET_URI.test(options.secretUri)) {
      throw new ConfigurationError(
        'HSM_CO_PASSWORD_SECRET_URI: expected https://<vault>.vault.azure.net/secrets/<name>[/<version>]',
      );
    }
    this.#options = options;
    this.#secretUri = options.secretUri.replace(/\/$/, '');
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#credential = lazyCredential(options.credential);
    this.#cache = new CachedCredentials(() => this.#read(), options.cache);
  }

  get(): Promise<Credentials> {
    return this.#cache.get();
  }

  async #read(): Promise<Credentials> {
    const where = `Key Vault secret ${this.#secretUri}`;
    const label = `GET ${new URL(this.#secretUri).pathname}`;
    const token = await bearerToken(this.#credential(), KEY_VAULT_SCOPE);
    const url = `${this.#secretUri}?api-version=${KEY_VAULT_API_VERSION}`;
    const init: RequestInit = {
      method: 'GET',
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    };
    const response = await sendWithRetry(
      { label, retryStatuses: [429, 500, 502, 503, 504], retryNetworkErrors: true },
      () => this.#fetch(url, init),
      this.#options,
    );
    if (response.status !== 200) {
      throw await errorFromResponse(label, response, {
        403: "the app's identity may not read this secret (Key Vault Secrets User on the vault)",
        404: 'check HSM_CO_PASSWORD_SECRET_URI: no such secret or version',
      });
    }
    let bundle: SecretBundle;
    try {
      bundle = (await response.json()) as SecretBundle;
    } catch {
      // No cause: the parser's message could quote the body, which holds the password.
      throw new InvalidInputError(`${where}: the answer is not JSON`);
    }
    if (bundle.attributes?.enabled === false) throw new ConfigurationError(`${where} is disabled`);
    const version =
      typeof bundle.id === 'string' ? /\/secrets\/[^/]+\/([0-9a-f]{32})$/.exec(bundle.id)?.[1] : undefined;
    if (version === undefined) throw new InvalidInputError(`${where}: the answer names no secret version`);
    return {
      username: checkUsername(this.#options.username, 'HSM_CO_USER'),
      password: checkPassword(bundle.value, `${where} value`),
      role: null,
      // Every rotation is a new version: the lockout guard's key.
      version: `${this.#secretUri.replace(/\/[0-9a-f]{32}$/, '')}#${version}`,
    };
  }
}
