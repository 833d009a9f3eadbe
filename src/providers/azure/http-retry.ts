/**
 * What every Azure REST call here shares: a bearer token from a token source, throttling
 * (429/503) honoured through `Retry-After` with a bounded number of retries, and errors
 * mapped to the #core hierarchy with the service's error code and the request path, never
 * the token. Used by the ARM client and the Blob artifact store.
 */
import { DefaultAzureCredential } from '@azure/identity';
import {
  ClusterNotStableError,
  ConfigurationError,
  type HsmSentinelError,
  InvalidInputError,
  TransportError,
} from '#core/errors.ts';

/** What `DefaultAzureCredential` (and every @azure/identity credential) already is. */
export interface AccessTokenSource {
  getToken(scopes: string | string[]): Promise<{ token: string } | null>;
}

/**
 * The credential to use: the injected one, else one DefaultAzureCredential made on first use
 * (building it reads the environment; tests never need it).
 */
export function lazyCredential(injected: AccessTokenSource | undefined): () => AccessTokenSource {
  let made: AccessTokenSource | null = null;
  return () => {
    if (injected) return injected;
    made ??= new DefaultAzureCredential();
    return made;
  };
}

export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;
export type Sleep = (ms: number) => Promise<void>;

export interface HttpRetryOptions {
  /** Retries after the first attempt (default 4). */
  maxRetries?: number;
  /** A single wait longer than this is not honoured: the call fails instead (default 120 s). */
  maxWaitMs?: number;
  /** Wait when a throttled reply carries no Retry-After (doubles each retry; default 1 s). */
  defaultWaitMs?: number;
  sleep?: Sleep;
  now?: () => Date;
}

export const DEFAULT_HTTP_RETRY: Required<Omit<HttpRetryOptions, 'sleep' | 'now'>> = {
  maxRetries: 4,
  maxWaitMs: 120_000,
  defaultWaitMs: 1_000,
};

export const realSleep: Sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `Retry-After` in milliseconds: delta-seconds (`"7"`) or an HTTP date
 * (`"Wed, 21 Oct 2026 07:28:00 GMT"`). Null when absent or unreadable; never negative.
 */
export function retryAfterMs(value: string | null, now: Date): number | null {
  if (value === null) return null;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  if (Number.isNaN(at)) return null;
  return Math.max(0, at - now.getTime());
}

export interface RetryableCall {
  /** `GET /subscriptions/…/cloudHsmClusters/x`: what error messages name (no query, no token). */
  label: string;
  /** Statuses worth another attempt: throttling always; 5xx only for idempotent calls. */
  retryStatuses: readonly number[];
  /** Retry when fetch itself throws (connection reset): only for idempotent calls. */
  retryNetworkErrors: boolean;
}

/**
 * Runs `attempt` until it answers with a status outside `retryStatuses`, waiting what the
 * service asks for. Gives up with a TransportError after `maxRetries`, or at once when the
 * service asks for a wait longer than `maxWaitMs`.
 */
export async function sendWithRetry(
  call: RetryableCall,
  attempt: () => Promise<Response>,
  options: HttpRetryOptions = {},
): Promise<Response> {
  const maxRetries = options.maxRetries ?? DEFAULT_HTTP_RETRY.maxRetries;
  const maxWaitMs = options.maxWaitMs ?? DEFAULT_HTTP_RETRY.maxWaitMs;
  let fallbackWait = options.defaultWaitMs ?? DEFAULT_HTTP_RETRY.defaultWaitMs;
  const sleep = options.sleep ?? realSleep;
  const now = options.now ?? (() => new Date());
  for (let retries = 0; ; retries += 1) {
    let response: Response;
    try {
      response = await attempt();
    } catch (cause) {
      if (!call.retryNetworkErrors || retries >= maxRetries) {
        throw new TransportError(`${call.label}: the request did not complete: ${messageOf(cause)}`, {
          cause,
          context: { request: call.label },
        });
      }
      await sleep(fallbackWait);
      fallbackWait *= 2;
      continue;
    }
    if (!call.retryStatuses.includes(response.status)) return response;
    const asked = retryAfterMs(response.headers.get('retry-after'), now());
    const wait = asked ?? fallbackWait;
    if (retries >= maxRetries || wait > maxWaitMs) {
      const why =
        wait > maxWaitMs
          ? `asked to retry after ${Math.ceil(wait / 1000)} s, more than the ${Math.ceil(maxWaitMs / 1000)} s this client waits`
          : `still ${response.status} after ${retries + 1} attempts`;
      const detail = await serviceError(response);
      throw new TransportError(
        `${call.label}: ${why}${detail ? ` (${detail.code}: ${detail.message})` : ''}`,
        {
          context: { request: call.label, status: response.status, code: detail?.code },
        },
      );
    }
    await response.body?.cancel();
    await sleep(wait);
    if (asked === null) fallbackWait *= 2;
  }
}

export interface ServiceErrorDetail {
  code: string;
  message: string;
}

/** `{"error":{"code","message"}}` (ARM) or `<Error><Code>…<Message>…` (Storage), else the status text. */
export async function serviceError(response: Response): Promise<ServiceErrorDetail | null> {
  let text: string;
  try {
    text = await response.text();
  } catch {
    return null;
  }
  if (text.trim() === '') return null;
  try {
    const parsed = JSON.parse(text) as { error?: { code?: unknown; message?: unknown } };
    if (parsed.error && typeof parsed.error === 'object') {
      return {
        code: String(parsed.error.code ?? response.status),
        message: String(parsed.error.message ?? ''),
      };
    }
  } catch {
    // Not JSON: Storage answers XML.
  }
  const code = /<Code>([^<]*)<\/Code>/.exec(text)?.[1];
  const message = /<Message>([^<]*)<\/Message>/.exec(text)?.[1];
  if (code) return { code, message: (message ?? '').split('\n')[0] ?? '' };
  return { code: String(response.status), message: text.slice(0, 300) };
}

/**
 * An answer that is not 2xx, as the error a caller can act on:
 * 400 → InvalidInputError, 401/403 → ConfigurationError (a role is missing),
 * 404 → InvalidInputError (no such resource), 409 → ClusterNotStableError (another
 * operation holds the resource), anything else → TransportError.
 */
export async function errorFromResponse(
  label: string,
  response: Response,
  whatToDo: Partial<Record<number, string>> = {},
): Promise<HsmSentinelError> {
  const detail = await serviceError(response);
  const status = response.status;
  const service = detail ? `${detail.code}: ${detail.message}` : `HTTP ${status}`;
  const hint = whatToDo[status];
  const message = `${label}: ${status} ${service}${hint ? `. ${hint}` : ''}`;
  const options = { context: { request: label, status, code: detail?.code } };
  if (status === 401 || status === 403) return new ConfigurationError(message, options);
  if (status === 400 || status === 404) return new InvalidInputError(message, options);
  if (status === 409) return new ClusterNotStableError(message, options);
  return new TransportError(message, options);
}

export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Gets a bearer token, mapping a credential failure to a ConfigurationError that says what to set. */
export async function bearerToken(credential: AccessTokenSource, scope: string): Promise<string> {
  let token: { token: string } | null;
  try {
    token = await credential.getToken(scope);
  } catch (cause) {
    throw new ConfigurationError(
      `no Azure token for ${scope}: ${messageOf(cause)} (give the app a managed identity, or set AZURE_CLIENT_ID for a user-assigned one)`,
      { cause },
    );
  }
  if (!token?.token) throw new ConfigurationError(`the Azure credential returned no token for ${scope}`);
  return token.token;
}
