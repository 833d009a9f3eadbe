import { describe, expect, it } from '@jest/globals';
import { ERROR_NAMES } from '#core/errors.ts';
import { BlobArtifactStore } from '#store/blob-artifact-store.ts';
import { FakeAzure, fakeCredential, fakeTime, REPORT_CONTAINER } from '../../support/azure/fake-azure.ts';

function store(azure: FakeAzure) {
  const time = fakeTime();
  return new BlobArtifactStore({
    containerUrl: REPORT_CONTAINER,
    fetch: azure.fetch,
    credential: fakeCredential,
    sleep: time.sleep,
    now: time.clock,
  });
}

describe('BlobArtifactStore', () => {
  it('puts and gets JSON as block blobs with the storage token', async () => {
    const azure = new FakeAzure();
    const blobs = store(azure);

    const key = await blobs.putJson('runs/r1/before/inventory-hsm1.json', { users: 3 });
    const back = await blobs.getJson<{ users: number }>(key);

    expect(back).toEqual({ users: 3 });
    expect([...azure.blobs.keys()]).toEqual(['/runs/runs/r1/before/inventory-hsm1.json']);
    expect(azure.requests[0]?.headers['x-ms-blob-type']).toBe('BlockBlob');
    expect(fakeCredential.scopes).toContain('https://storage.azure.com/.default');
  });

  it('answers a missing artifact with an ArtifactNotFoundError naming the key', async () => {
    const azure = new FakeAzure();

    let error: unknown;
    try {
      await store(azure).getJson('runs/none.json');
    } catch (e) {
      error = e;
    }

    expect((error as Error).name).toBe(ERROR_NAMES.artifactNotFound);
    expect((error as Error).message).toContain('no such artifact');
    expect((error as { key: string }).key).toBe('runs/none.json');
  });

  it('refuses keys that would climb out of the container', () => {
    expect(() => store(new FakeAzure()).urlOf('runs/../../x')).toThrow(/not a plain relative path/);
  });

  it('refuses a container URL with a SAS or a path below the container', () => {
    expect(() => new BlobArtifactStore({ containerUrl: `${REPORT_CONTAINER}?sv=2024&sig=x` })).toThrow(
      /no SAS/,
    );
  });
});
