/**
 * A tiny Azure Resource Manager REST client: bearer token from a token source
 * (DefaultAzureCredential by default), api-version 2025-03-31 (Microsoft.HardwareSecurityModules
 * cloudHsmClusters), throttling honoured, errors mapped to the #core hierarchy naming the
 * ARM code/message and the request path. The token never appears in an error or a log.
 */
import { InvalidInputError, TransportError } from '#core/errors.ts';
import {
  type AccessTokenSource,
  bearerToken,
  errorFromResponse,
  type FetchLike,
  type HttpRetryOptions,
  lazyCredential,
  retryAfterMs,
  sendWithRetry,
} from './http-retry.ts';

export const ARM_ENDPOINT = 'https://management.azure.com';
export const ARM_SCOPE = 'https://management.azure.com/.default';
export const CLOUD_HSM_API_VERSION = '2025-03-31';

export interface ArmClientOptions extends HttpRetryOptions {
  /** Default: global fetch. */
  fetch?: FetchLike;
  /** Default: `new DefaultAzureCredential()` (managed identity in Azure, az login locally). */
  credential?: AccessTokenSource;
  /** Default https://management.azure.com (sovereign clouds differ). */
  endpoint?: string;
  apiVersion?: string;
}

export interface ArmResponse<T> {
  status: number;
  headers: Headers;
  /** Parsed JSON body; null when the body was empty. */
  body: T | null;
  /** What the reply's Retry-After asks for (ms), null when it asks nothing. */
  retryAfterMs: number | null;
}

/** GETs are retried on throttling and server errors; a POST only when ARM says it did not take it (429/503). */
const GET_RETRY = [429, 500, 502, 503, 504] as const;
const POST_RETRY = [429, 503] as const;

/**
 * @example
 * const arm = new ArmClient();
 * const { body } = await arm.get<{ properties: unknown }>('/subscriptions/…/cloudHsmClusters/chsm1');
 */
export class ArmClient {
  readonly endpoint: string;
  readonly apiVersion: string;
  readonly #fetch: FetchLike;
  readonly #credential: () => AccessTokenSource;
  readonly #retry: HttpRetryOptions;

  constructor(options: ArmClientOptions = {}) {
    this.endpoint = (options.endpoint ?? ARM_ENDPOINT).replace(/\/+$/, '');
    this.apiVersion = options.apiVersion ?? CLOUD_HSM_API_VERSION;
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#credential = lazyCredential(options.credential);
    this.#retry = options;
  }

  /** GET a resource path (`/subscriptions/…`) or an absolute ARM URL (an Azure-AsyncOperation / Location header). */
  async get<T>(pathOrUrl: string): Promise<ArmResponse<T>> {
    return this.#send<T>('GET', pathOrUrl, undefined, GET_RETRY, true);
  }

  /** POST an action (`…/backup`); 200/201/202 come back as they are, anything else is thrown. */
  async post<T>(path: string, body: unknown): Promise<ArmResponse<T>> {
    return this.#send<T>('POST', path, body, POST_RETRY, false);
  }

  /** The full URL for a path, or the URL itself once it is checked to be on this ARM endpoint. */
  urlFor(pathOrUrl: string): string {
    if (pathOrUrl.startsWith('/')) {
      const sep = pathOrUrl.includes('?') ? '&' : '?';
      return `${this.endpoint}${pathOrUrl}${sep}api-version=${encodeURIComponent(this.apiVersion)}`;
    }
    let url: URL;
    try {
      url = new URL(pathOrUrl);
    } catch (cause) {
      throw new InvalidInputError(`'${pathOrUrl}' is neither an ARM path nor a URL`, { cause });
    }
    if (url.origin !== new URL(this.endpoint).origin) {
      // The token is for ARM: never send it to a host an answer named.
      throw new InvalidInputError(`refusing to send the ARM token to ${url.origin} (not ${this.endpoint})`);
    }
    return url.toString();
  }

  async #send<T>(
    method: 'GET' | 'POST',
    pathOrUrl: string,
    body: unknown,
    retryStatuses: readonly number[],
    idempotent: boolean,
  ): Promise<ArmResponse<T>> {
    const url = this.urlFor(pathOrUrl);
    const label = `${method} ${new URL(url).pathname}`;
    const token = await bearerToken(this.#credential(), ARM_SCOPE);
    const init: RequestInit = {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        accept: 'application/json',
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    };
    const response = await sendWithRetry(
      { label, retryStatuses, retryNetworkErrors: idempotent },
      () => this.#fetch(url, init),
      this.#retry,
    );
    if (response.status < 200 || response.status > 299) {
      throw await errorFromResponse(label, response, {
        403: 'the identity lacks an ARM role on this resource (see docs/deploy-azure.md)',
        404: 'check the resource id and the subscription the identity can see',
      });
    }
    const text = await response.text();
    let parsed: T | null = null;
    if (text.trim() !== '') {
      try {
        parsed = JSON.parse(text) as T;
      } catch (cause) {
        throw new TransportError(`${label}: ${response.status} with a body that is not JSON`, { cause });
      }
    }
    return {
      status: response.status,
      headers: response.headers,
      body: parsed,
      retryAfterMs: retryAfterMs(
        response.headers.get('retry-after'),
        (this.#retry.now ?? (() => new Date()))(),
      ),
    };
  }
}
