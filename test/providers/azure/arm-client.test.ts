import { describe, expect, it } from '@jest/globals';
import { ERROR_NAMES } from '#core/errors.ts';
import { ArmClient } from '#providers/azure/arm-client.ts';
import { retryAfterMs } from '#providers/azure/http-retry.ts';
import {
  CLUSTER_ID,
  caught,
  clusterBody,
  FakeAzure,
  fakeCredential,
  fakeTime,
  TOKEN,
} from '../../support/azure/fake-azure.ts';

function client(azure: FakeAzure, time = fakeTime()) {
  return new ArmClient({
    fetch: azure.fetch,
    credential: fakeCredential,
    sleep: time.sleep,
    now: time.clock,
  });
}

describe('ArmClient', () => {
  it('GETs a resource with the bearer token and api-version 2025-03-31', async () => {
    const azure = new FakeAzure().on('GET', CLUSTER_ID, { status: 200, body: clusterBody() });

    const response = await client(azure).get<{ name: string }>(CLUSTER_ID);

    expect(response.body?.name).toBe('chsm-prod');
    const [request] = azure.requests;
    expect(request?.url).toBe(`https://management.azure.com${CLUSTER_ID}?api-version=2025-03-31`);
    expect(request?.headers.authorization).toBe(`Bearer ${TOKEN}`);
    expect(fakeCredential.scopes).toContain('https://management.azure.com/.default');
  });

  it('waits what a 429 Retry-After asks for, then succeeds', async () => {
    const time = fakeTime();
    const azure = new FakeAzure().on(
      'GET',
      CLUSTER_ID,
      {
        status: 429,
        headers: { 'retry-after': '7' },
        body: { error: { code: 'TooManyRequests', message: 'slow down' } },
      },
      { status: 200, body: clusterBody() },
    );

    const response = await client(azure, time).get(CLUSTER_ID);

    expect(response.status).toBe(200);
    expect(time.waits).toEqual([7000]);
    expect(azure.requests).toHaveLength(2);
  });

  it('honours a 503 Retry-After given as an HTTP date', async () => {
    const time = fakeTime('2026-11-23T12:00:00.000Z');
    const azure = new FakeAzure().on(
      'GET',
      CLUSTER_ID,
      { status: 503, headers: { 'retry-after': 'Mon, 23 Nov 2026 12:00:30 GMT' } },
      { status: 200, body: clusterBody() },
    );

    await client(azure, time).get(CLUSTER_ID);

    expect(time.waits).toEqual([30_000]);
  });

  it('gives up after a bounded number of retries with a TransportError naming the path, never the token', async () => {
    const time = fakeTime();
    const azure = new FakeAzure().on('GET', CLUSTER_ID, {
      status: 429,
      headers: { 'retry-after': '1' },
      body: { error: { code: 'TooManyRequests', message: 'throttled' } },
    });

    const error = await caught(client(azure, time).get(CLUSTER_ID));

    expect(error.name).toBe(ERROR_NAMES.transport);
    expect(error.message).toContain(`GET ${CLUSTER_ID}`);
    expect(error.message).toContain('TooManyRequests');
    expect(error.message).not.toContain(TOKEN);
    expect(azure.requests).toHaveLength(5);
    expect(time.waits).toEqual([1000, 1000, 1000, 1000]);
  });

  it('does not wait longer than its limit when Retry-After asks for more', async () => {
    const azure = new FakeAzure().on('GET', CLUSTER_ID, { status: 429, headers: { 'retry-after': '3600' } });

    const error = await caught(client(azure).get(CLUSTER_ID));

    expect(error.name).toBe(ERROR_NAMES.transport);
    expect(error.message).toMatch(/asked to retry after 3600 s/);
    expect(azure.requests).toHaveLength(1);
  });

  it('maps 403 to a ConfigurationError with the ARM code, message and path', async () => {
    const azure = new FakeAzure().on('GET', CLUSTER_ID, {
      status: 403,
      body: {
        error: {
          code: 'AuthorizationFailed',
          message:
            "The client does not have authorization to perform action 'Microsoft.HardwareSecurityModules/cloudHsmClusters/read'",
        },
      },
    });

    const error = await caught(client(azure).get(CLUSTER_ID));

    expect(error.name).toBe(ERROR_NAMES.configuration);
    expect(error.message).toContain('AuthorizationFailed');
    expect(error.message).toContain('cloudHsmClusters/read');
    expect(error.message).toContain(CLUSTER_ID);
    expect(error.message).not.toContain(TOKEN);
  });

  it('maps 404 to an InvalidInputError', async () => {
    const azure = new FakeAzure();

    const error = await caught(client(azure).get(CLUSTER_ID));

    expect(error.name).toBe(ERROR_NAMES.invalidInput);
    expect(error.message).toContain('ResourceNotFound');
  });

  it('does not retry a POST that ARM answered with 500 (it may have started)', async () => {
    const azure = new FakeAzure().on('POST', `${CLUSTER_ID}/backup`, {
      status: 500,
      body: { error: { code: 'InternalServerError', message: 'boom' } },
    });

    const error = await caught(client(azure).post(`${CLUSTER_ID}/backup`, {}));

    expect(error.name).toBe(ERROR_NAMES.transport);
    expect(azure.requests).toHaveLength(1);
  });

  it('refuses to send the token to a host other than ARM', async () => {
    const azure = new FakeAzure();

    const error = await caught(client(azure).get('https://evil.example.com/operations/1'));

    expect(error.name).toBe(ERROR_NAMES.invalidInput);
    expect(azure.requests).toEqual([]);
  });
});

describe('retryAfterMs', () => {
  it('reads delta-seconds and HTTP dates, and ignores garbage', () => {
    const now = new Date('2026-11-23T12:00:00Z');
    expect(retryAfterMs('12', now)).toBe(12_000);
    expect(retryAfterMs('Mon, 23 Nov 2026 12:01:00 GMT', now)).toBe(60_000);
    expect(retryAfterMs('Mon, 23 Nov 2026 11:00:00 GMT', now)).toBe(0);
    expect(retryAfterMs('soon', now)).toBeNull();
    expect(retryAfterMs(null, now)).toBeNull();
  });
});
