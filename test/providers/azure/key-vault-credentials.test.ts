/**
 * The CO password from Key Vault through its REST API (an injected fetch stands in for the
 * vault; the code path is the one Azure uses): the value, the version the lockout guard keys a
 * refusal by, the cache, and the errors, none of which carries the password or the token.
 */
import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '#core/errors.ts';
import type { FetchLike } from '#providers/azure/http-retry.ts';
import { KEY_VAULT_SCOPE, KeyVaultCredentials } from '#providers/azure/key-vault-credentials.ts';
import { buildAzureDeps } from '../../../functions/azure/deps.ts';
import { TEST_ENV } from '../../support/azure/functions.ts';

const SECRET = 'https://kv-sentinel.vault.azure.net/secrets/hsm-co-password';
const V1 = '0123456789abcdef0123456789abcdef';
const V2 = 'fedcba9876543210fedcba9876543210';
const PASSWORD = 'Kv-Secret-Pa55-91';

interface Call {
  url: string;
  authorization: string | null;
}

/** A vault answering the secret's current version; `answers` can replace the reply per call. */
function vault(current: () => { version: string; value: string; enabled?: boolean }, status = 200) {
  const calls: Call[] = [];
  const fetch: FetchLike = async (url, init) => {
    calls.push({ url, authorization: new Headers(init.headers).get('authorization') });
    if (status !== 200) {
      return new Response(
        JSON.stringify({ error: { code: 'Forbidden', message: 'Caller is not authorized' } }),
        {
          status,
        },
      );
    }
    const s = current();
    return new Response(
      JSON.stringify({
        value: s.value,
        id: `${SECRET}/${s.version}`,
        attributes: { enabled: s.enabled ?? true },
      }),
      { status: 200, headers: { 'content-type': 'application/json' } },
    );
  };
  return { fetch, calls };
}

const credential = {
  scopes: [] as string[],
  async getToken(scopes: string | string[]) {
    credential.scopes.push(String(scopes));
    return { token: 'kv-token-xyz' };
  },
};

describe('KeyVaultCredentials', () => {
  it('reads the password and keys it by the secret version, with a vault token', async () => {
    const { fetch, calls } = vault(() => ({ version: V1, value: PASSWORD }));
    const source = new KeyVaultCredentials({ secretUri: SECRET, username: 'admin', fetch, credential });

    const creds = await source.get();

    expect(creds.username).toBe('admin');
    expect(creds.password.reveal()).toBe(PASSWORD);
    expect(creds.version).toBe(`${SECRET}#${V1}`);
    expect(calls).toEqual([{ url: `${SECRET}?api-version=7.4`, authorization: 'Bearer kv-token-xyz' }]);
    expect(credential.scopes).toContain(KEY_VAULT_SCOPE);
  });

  it('reuses a read for a while, and a rotation shows as a new version after it', async () => {
    let version = V1;
    let now = 0;
    const { fetch, calls } = vault(() => ({ version, value: PASSWORD }));
    const source = new KeyVaultCredentials({
      secretUri: SECRET,
      username: 'admin',
      fetch,
      credential,
      cache: { maxAgeMs: 1000, now: () => now },
    });

    const first = await source.get();
    version = V2;
    const cached = await source.get();
    now = 5000;
    const rotated = await source.get();

    expect(calls).toHaveLength(2);
    expect(cached.version).toBe(first.version);
    expect(rotated.version).toBe(`${SECRET}#${V2}`);
  });

  it('a pinned version URI keeps the unversioned secret id in the version key', async () => {
    const { fetch, calls } = vault(() => ({ version: V1, value: PASSWORD }));
    const source = new KeyVaultCredentials({
      secretUri: `${SECRET}/${V1}`,
      username: 'admin',
      fetch,
      credential,
    });

    expect((await source.get()).version).toBe(`${SECRET}#${V1}`);
    expect(calls[0]?.url).toBe(`${SECRET}/${V1}?api-version=7.4`);
  });

  it('a refused read, a disabled secret or a password with whitespace is a ConfigurationError without the secret', async () => {
    const forbidden = new KeyVaultCredentials({
      secretUri: SECRET,
      username: 'admin',
      fetch: vault(() => ({ version: V1, value: PASSWORD }), 403).fetch,
      credential,
    });
    const disabled = new KeyVaultCredentials({
      secretUri: SECRET,
      username: 'admin',
      fetch: vault(() => ({ version: V1, value: PASSWORD, enabled: false })).fetch,
      credential,
    });
    const spaced = new KeyVaultCredentials({
      secretUri: SECRET,
      username: 'admin',
      fetch: vault(() => ({ version: V1, value: `${PASSWORD} quit` })).fetch,
      credential,
    });

    for (const source of [forbidden, disabled, spaced]) {
      const error = await source.get().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConfigurationError);
      expect(String((error as Error).message)).not.toContain(PASSWORD);
      expect(String((error as Error).message)).not.toContain('kv-token-xyz');
      expect((error as Error).message.split('\n')).toHaveLength(1);
    }
    expect(String(await forbidden.get().catch((e: Error) => e.message))).toMatch(/Key Vault Secrets User/);
  });

  it('sends its token to a Key Vault secret URI only', () => {
    for (const uri of [
      'https://evil.example.com/secrets/x',
      'http://kv.vault.azure.net/secrets/x',
      `${SECRET}/../keys/k`,
    ]) {
      expect(() => new KeyVaultCredentials({ secretUri: uri, username: 'admin', credential })).toThrow(
        /HSM_CO_PASSWORD_SECRET_URI: expected https:\/\/<vault>\.vault\.azure\.net\/secrets\/<name>/,
      );
    }
  });
});

describe('the Azure app with HSM_CO_PASSWORD_SECRET_URI', () => {
  it('reads the CO password from Key Vault with the app identity, versioned', async () => {
    const { fetch } = vault(() => ({ version: V2, value: PASSWORD }));
    const deps = buildAzureDeps(
      {
        ...TEST_ENV,
        HSM_CO_PASSWORD: '',
        HSM_CO_PASSWORD_SECRET_URI: SECRET,
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'example-secret',
        TOOL_WORKDIR: '/tmp/hsm-sentinel-kv-test',
      },
      { fetch, credential },
    );

    const creds = await deps.credentials.get();

    expect(deps.credentials).toBeInstanceOf(KeyVaultCredentials);
    expect(creds.password.reveal()).toBe(PASSWORD);
    expect(creds.version).toBe(`${SECRET}#${V2}`);
  });
});
