/**
 * The ArtifactStore on Azure Blob Storage (REST, bearer token of the Functions app's managed
 * identity, which needs Storage Blob Data Contributor on the container). Durable activities
 * of one run may execute on different instances, so inventories, plans and reports must live
 * somewhere they all reach: this container.
 */
import { ArtifactNotFoundError, InvalidInputError } from '#core/errors.ts';
import {
  type AccessTokenSource,
  bearerToken,
  errorFromResponse,
  type FetchLike,
  type HttpRetryOptions,
  lazyCredential,
  sendWithRetry,
} from '#providers/azure/http-retry.ts';
import type { ArtifactStore } from './artifact-store.ts';

export const STORAGE_SCOPE = 'https://storage.azure.com/.default';
/** Blob service REST version sent with every request (bearer tokens need 2017-11-09 or later). */
export const STORAGE_API_VERSION = '2023-11-03';

export interface BlobArtifactStoreOptions extends HttpRetryOptions {
  /** `https://<account>.blob.core.windows.net/<container>` */
  containerUrl: string;
  /** Blob name prefix inside the container (default none). */
  prefix?: string;
  fetch?: FetchLike;
  credential?: AccessTokenSource;
}

const RETRY = [429, 500, 502, 503, 504] as const;

export class BlobArtifactStore implements ArtifactStore {
  readonly containerUrl: string;
  readonly #prefix: string;
  readonly #fetch: FetchLike;
  readonly #credential: () => AccessTokenSource;
  readonly #retry: HttpRetryOptions;

  constructor(options: BlobArtifactStoreOptions) {
    let url: URL;
    try {
      url = new URL(options.containerUrl);
    } catch (cause) {
      throw new InvalidInputError(`artifact container '${options.containerUrl}' is not a URL`, { cause });
    }
    if (url.protocol !== 'https:' || url.search || url.pathname.split('/').filter(Boolean).length !== 1) {
      throw new InvalidInputError(
        `artifact container '${options.containerUrl}' must be https://<account>.blob.core.windows.net/<container> (no SAS: the managed identity is used)`,
      );
    }
    this.containerUrl = `${url.origin}${url.pathname.replace(/\/+$/, '')}`;
    this.#prefix = (options.prefix ?? '').replace(/^\/+|\/+$/g, '');
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
    this.#credential = lazyCredential(options.credential);
    this.#retry = options;
  }

  async putJson(key: string, value: unknown): Promise<string> {
    await this.#put(key, JSON.stringify(value), 'application/json');
    return key;
  }

  async getJson<T>(key: string): Promise<T> {
    const response = await this.#request('GET', key);
    const text = await response.text();
    try {
      return JSON.parse(text) as T;
    } catch (cause) {
      throw new InvalidInputError(`artifact '${key}' in ${this.containerUrl} is not JSON`, { cause });
    }
  }

  async putText(key: string, text: string, contentType = 'text/plain; charset=utf-8'): Promise<string> {
    await this.#put(key, text, contentType);
    return key;
  }

  /** The blob URL of a key (each path segment encoded; a key never climbs out of the prefix). */
  urlOf(key: string): string {
    const segments = key.split('/');
    if (key === '' || segments.some((s) => s === '' || s === '.' || s === '..')) {
      throw new InvalidInputError(`artifact key '${key}' is not a plain relative path`);
    }
    const name = [...(this.#prefix ? this.#prefix.split('/') : []), ...segments];
    return `${this.containerUrl}/${name.map(encodeURIComponent).join('/')}`;
  }

  async #put(key: string, body: string, contentType: string): Promise<void> {
    const response = await this.#request('PUT', key, body, contentType);
    await response.body?.cancel();
  }

  async #request(method: 'GET' | 'PUT', key: string, body?: string, contentType?: string): Promise<Response> {
    const url = this.urlOf(key);
    const label = `${method} ${new URL(url).pathname}`;
    const token = await bearerToken(this.#credential(), STORAGE_SCOPE);
    const headers: Record<string, string> = {
      authorization: `Bearer ${token}`,
      'x-ms-version': STORAGE_API_VERSION,
    };
    if (method === 'PUT') {
      headers['x-ms-blob-type'] = 'BlockBlob';
      headers['content-type'] = contentType ?? 'application/octet-stream';
    }
    const response = await sendWithRetry(
      { label, retryStatuses: RETRY, retryNetworkErrors: true },
      () => this.#fetch(url, { method, headers, ...(body === undefined ? {} : { body }) }),
      this.#retry,
    );
    if (method === 'GET' && response.status === 404) {
      await response.body?.cancel();
      throw new ArtifactNotFoundError(
        key,
        `${label}: no such artifact in ${this.containerUrl} (was the step that writes it run?)`,
      );
    }
    if (response.status < 200 || response.status > 299) {
      throw await errorFromResponse(label, response, {
        403: 'the Functions app identity needs Storage Blob Data Contributor on this container',
        404:
          method === 'GET'
            ? 'no such artifact (was the step that writes it run?)'
            : 'does the container exist?',
      });
    }
    return response;
  }
}
