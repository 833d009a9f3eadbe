import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { SnsSink } from '#alerts/sns-sink.ts';
import { StoreAlertMemory } from '#alerts/store-alert-memory.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import { MgmtUtilDriver } from '#drivers/mgmt-util/driver.ts';
import { MGMT_UTIL_AZURE_MODULE } from '#drivers/mgmt-util/index.ts';
import { BlobArtifactStore } from '#store/blob-artifact-store.ts';
import { createAzureApp } from '../../../functions/azure/app.ts';
import { buildAzureDeps } from '../../../functions/azure/deps.ts';
import { DEFAULT_SCHEDULE, readRunSettings, readWorkerSettings } from '../../../functions/azure/settings.ts';
import { CLUSTER_ID, FakeAzure, fakeCredential, REPORT_CONTAINER } from '../../support/azure/fake-azure.ts';
import { invocation, TEST_ENV } from '../../support/azure/functions.ts';

function without(...names: string[]): Record<string, string> {
  return Object.fromEntries(Object.entries(TEST_ENV).filter(([name]) => !names.includes(name)));
}

describe('app settings', () => {
  it('reads the run settings with their defaults', () => {
    const settings = readRunSettings(TEST_ENV);

    expect(settings.clusterIds).toHaveLength(2);
    expect(settings.schedule).toBe(DEFAULT_SCHEDULE);
    expect(settings.policy).toEqual(DEFAULT_POLICY);
  });

  it.each([
    [without('HSM_SENTINEL_CLUSTER_IDS'), /app setting HSM_SENTINEL_CLUSTER_IDS is not set/],
    [
      { ...TEST_ENV, HSM_SENTINEL_CLUSTER_IDS: 'cluster-abc' },
      /HSM_SENTINEL_CLUSTER_IDS: 'cluster-abc' is not the ARM/,
    ],
    [{ ...TEST_ENV, HSM_SENTINEL_CLUSTER_IDS: `${CLUSTER_ID},${CLUSTER_ID.toLowerCase()}` }, /listed twice/],
    [
      { ...TEST_ENV, HSM_SENTINEL_SCHEDULE: '0 */6 * * *' },
      /HSM_SENTINEL_SCHEDULE: .* not an NCRONTAB expression of 6 fields/,
    ],
    [{ ...TEST_ENV, HSM_SENTINEL_POLICY: '{maxActions' }, /HSM_SENTINEL_POLICY is not JSON/],
    [
      { ...TEST_ENV, HSM_SENTINEL_POLICY: '{"maxActions":3}' },
      /HSM_SENTINEL_POLICY: policy: unknown field 'maxActions'/,
    ],
  ])('names the run setting that is wrong (%#)', (env, message) => {
    expect(() => readRunSettings(env)).toThrow(message);
  });

  it.each([
    [without('REPORT_CONTAINER_URL'), /app setting REPORT_CONTAINER_URL is not set/],
    [
      without('BACKUP_CONTAINER_URI'),
      /app setting BACKUP_CONTAINER_URI is not set.*or set BACKUP_MODE=never/,
    ],
    [without('ALERT_TOPIC_ARN'), /app setting ALERT_TOPIC_ARN is not set/],
    [{ ...TEST_ENV, ALERT_TOPIC_ARN: 'hsm-alerts' }, /ALERT_TOPIC_ARN: 'hsm-alerts' is not an SNS topic ARN/],
    [
      { ...TEST_ENV, BACKUP_MODE: 'sometimes' },
      /BACKUP_MODE is 'sometimes': expected after-write or always or never/,
    ],
    [
      { ...TEST_ENV, BACKUP_POLL_TIMEOUT_SECONDS: '5' },
      /BACKUP_POLL_TIMEOUT_SECONDS is '5': expected a whole number >= 30/,
    ],
    [
      // Longer than host.json's functionTimeout: it would end as a host timeout, not a failed backup.
      { ...TEST_ENV, BACKUP_POLL_TIMEOUT_SECONDS: '3600' },
      /BACKUP_POLL_TIMEOUT_SECONDS is '3600': expected a whole number >= 30 and <= 1740/,
    ],
  ])('names the worker setting that is wrong (%#)', (env, message) => {
    let error: unknown;
    try {
      readWorkerSettings(env);
    } catch (e) {
      error = e;
    }
    expect((error as Error).name).toBe('ConfigurationError');
    expect((error as Error).message).toMatch(message);
  });

  it('takes the work folder from TOOL_WORKDIR, then the older MGMT_UTIL_WORKDIR, else a temp folder', () => {
    const both = readWorkerSettings({ ...TEST_ENV, TOOL_WORKDIR: '/w/new', MGMT_UTIL_WORKDIR: '/w/old' });
    const legacy = readWorkerSettings({ ...TEST_ENV, MGMT_UTIL_WORKDIR: '/w/old' });
    const neither = readWorkerSettings(without('TOOL_WORKDIR', 'MGMT_UTIL_WORKDIR'));

    expect(both.toolWorkDir).toBe('/w/new');
    expect(legacy.toolWorkDir).toBe('/w/old');
    expect(neither.toolWorkDir).toBe(join(tmpdir(), 'hsm-sentinel'));
  });

  it('needs no backup container when backups are off', () => {
    const settings = readWorkerSettings({ ...without('BACKUP_CONTAINER_URI'), BACKUP_MODE: 'never' });

    expect(settings.backup).toMatchObject({ mode: 'never', containerUri: null });
  });
});

describe('buildAzureDeps', () => {
  it("publishes to SNS with the AWS identity from the settings, and drives Azure's own tool", async () => {
    const work = await mkdtemp(join(tmpdir(), 'hsm-sentinel-deps-'));
    try {
      const deps = buildAzureDeps({
        ...TEST_ENV,
        AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
        AWS_SECRET_ACCESS_KEY: 'example-secret',
        MGMT_UTIL_WORKDIR: join(work, 'mgmt-util'),
      });

      expect(deps.alerts).toBeInstanceOf(SnsSink);
      expect(deps.store).toBeInstanceOf(BlobArtifactStore);
      expect(existsSync(join(work, 'mgmt-util'))).toBe(true);
      const tool = deps.tool(MGMT_UTIL_AZURE_MODULE.id);
      expect(tool.driver()).toBeInstanceOf(MgmtUtilDriver);
      expect((tool.driver() as MgmtUtilDriver).profile.dialect).toBe('azure');
      expect(tool.runbook.inspect({ kind: 'user' } as never, [])[0]).toContain('azcloudhsm_mgmt_util');
      expect((await deps.credentials.get()).username).toBe('admin');
    } finally {
      await rm(work, { recursive: true, force: true });
    }
  });

  it('names a tool setting that is wrong when the deps are built, not at the first login', () => {
    const env = {
      ...TEST_ENV,
      AWS_ACCESS_KEY_ID: 'AKIAEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'x',
      KEY_DETAILS: 'maybe',
    };
    expect(() => buildAzureDeps(env)).toThrow(/KEY_DETAILS is 'maybe': expected true or false/);
  });

  it('names the AWS settings SNS needs when they are missing', () => {
    expect(() => buildAzureDeps(TEST_ENV)).toThrow(/AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/);
  });

  it('answers an activity with the configuration error when the deps cannot be built', async () => {
    const app = createAzureApp({ env: without('REPORT_CONTAINER_URL') });

    const result = await app.activities.hsmSentinelResolve({ context: {} }, invocation('resolve'));

    expect(result).toEqual({
      ok: false,
      error: {
        name: 'ConfigurationError',
        message: expect.stringMatching(/REPORT_CONTAINER_URL is not set/),
      },
    });
  });
});

describe('StoreAlertMemory', () => {
  it('remembers when a problem set was announced, in the blob container', async () => {
    const azure = new FakeAzure();
    const memory = new StoreAlertMemory(
      new BlobArtifactStore({
        containerUrl: REPORT_CONTAINER,
        fetch: azure.fetch,
        credential: fakeCredential,
      }),
    );

    expect(await memory.lastSent('cluster|single-node:key:262150')).toBeNull();
    await memory.remember('cluster|single-node:key:262150', new Date('2026-11-23T12:00:00Z'));

    expect(await memory.lastSent('cluster|single-node:key:262150')).toEqual(new Date('2026-11-23T12:00:00Z'));
    expect([...azure.blobs.keys()][0]).toMatch(/^\/runs\/alerts\/[0-9a-f]{64}\.json$/);
  });
});
