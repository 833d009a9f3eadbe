import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY, type ResolvedCluster } from '#core/model.ts';
import { ArmClient } from '#providers/azure/arm-client.ts';
import { AzureCloudHsmBackupProvider, type BackupMode } from '#providers/azure/cloud-hsm-backup.ts';
import type { BackupRequest } from '#providers/cluster-provider.ts';
import {
  ARM,
  BACKUP_CONTAINER,
  backupAccepted,
  CLUSTER_ID,
  FakeAzure,
  fakeCredential,
  fakeTime,
  HSM_FQDNS,
  JOB_ID,
  operationBody,
  TOKEN,
} from '../../support/azure/fake-azure.ts';

const OPERATION_PATH = `${CLUSTER_ID}/backupOperationStatus/${JOB_ID}`;
const cluster: ResolvedCluster = {
  clusterId: CLUSTER_ID,
  provider: 'azure',
  tool: 'mgmt-util-azure',
  nodes: HSM_FQDNS.map((fqdn) => ({ nodeId: fqdn, address: fqdn, port: 2225, state: 'ACTIVE' })),
  resolvedAt: '2026-11-23T12:00:00.000Z',
  membershipToken: 'x',
  configDrift: null,
};

function setup(azure: FakeAzure, options: { mode?: BackupMode; pollTimeoutMs?: number } = {}) {
  const time = fakeTime();
  const arm = new ArmClient({
    fetch: azure.fetch,
    credential: fakeCredential,
    sleep: time.sleep,
    now: time.clock,
  });
  const backup = new AzureCloudHsmBackupProvider({
    arm,
    blobContainerUri: BACKUP_CONTAINER,
    pollIntervalMs: 10_000,
    sleep: time.sleep,
    clock: time.clock,
    ...options,
  });
  const request = (overrides: Partial<BackupRequest> = {}): BackupRequest => ({
    cluster,
    lastWriteAt: '2026-11-23T11:59:00.000Z',
    policy: DEFAULT_POLICY,
    now: time.clock(),
    ...overrides,
  });
  return { backup, time, request };
}

describe('AzureCloudHsmBackupProvider', () => {
  it('POSTs the backup, follows Azure-AsyncOperation through InProgress to Succeeded, and reports the backupId', async () => {
    const azure = new FakeAzure().on('POST', `${CLUSTER_ID}/backup`, backupAccepted).on(
      'GET',
      OPERATION_PATH,
      { status: 200, body: operationBody('InProgress'), headers: { 'retry-after': '20' } },
      {
        status: 200,
        body: operationBody('Succeeded', {
          backupId: 'cloudhsm-backup-20261123T1200',
          endTime: '2026-11-23T12:00:25Z',
          statusDetails: 'Backup completed',
        }),
      },
    );
    const { backup, time, request } = setup(azure);

    const status = await backup.protect(request());

    expect(status).toMatchObject({
      state: 'covered',
      backupId: 'cloudhsm-backup-20261123T1200',
      createdAt: '2026-11-23T12:00:25Z',
      durationMs: 25_000,
    });
    const [post] = azure.arm('POST');
    expect(post?.path).toBe(`${CLUSTER_ID}/backup`);
    expect(JSON.parse(post?.body ?? '{}')).toEqual({ azureStorageBlobContainerUri: BACKUP_CONTAINER });
    expect(time.waits).toEqual([5000, 20_000]);
    expect(azure.arm('GET').map((r) => r.url)).toEqual([
      `${ARM}${OPERATION_PATH}?api-version=2025-03-31`,
      `${ARM}${OPERATION_PATH}?api-version=2025-03-31`,
    ]);
  });

  it('reports a Failed backup as failed with the status details', async () => {
    const azure = new FakeAzure()
      .on('POST', `${CLUSTER_ID}/backup`, backupAccepted)
      .on('GET', OPERATION_PATH, {
        status: 200,
        body: operationBody('Failed', {
          statusDetails: 'The managed identity has no access to the storage account',
        }),
      });
    const { backup, request } = setup(azure);

    const status = await backup.protect(request());

    expect(status.state).toBe('failed');
    expect(status.detail).toBe(
      `backup Failed (job ${JOB_ID}): The managed identity has no access to the storage account`,
    );
  });

  it('reports a Cancelled backup as failed', async () => {
    const azure = new FakeAzure()
      .on('POST', `${CLUSTER_ID}/backup`, backupAccepted)
      .on('GET', OPERATION_PATH, { status: 200, body: operationBody('Cancelled') });
    const { backup, request } = setup(azure);

    const status = await backup.protect(request());

    expect(status.state).toBe('failed');
    expect(status.detail).toMatch(/^backup Cancelled/);
  });

  it('gives up a poll that runs out of time with a clear detail, never silently', async () => {
    const azure = new FakeAzure()
      .on('POST', `${CLUSTER_ID}/backup`, backupAccepted)
      .on('GET', OPERATION_PATH, { status: 200, body: operationBody('InProgress') });
    const { backup, request } = setup(azure, { pollTimeoutMs: 60_000 });

    const status = await backup.protect(request());

    expect(status.state).toBe('failed');
    expect(status.detail).toMatch(/still InProgress after 55 s \(limit 60 s\), job 572a/);
    expect(status.durationMs).toBe(55_000);
  });

  it('waits what a throttled POST asks for, then follows the Location header', async () => {
    const azure = new FakeAzure()
      .on(
        'POST',
        `${CLUSTER_ID}/backup`,
        { status: 429, headers: { 'retry-after': '3' } },
        { status: 202, headers: { location: `${ARM}${OPERATION_PATH}?api-version=2025-03-31` } },
      )
      .on('GET', OPERATION_PATH, {
        status: 200,
        body: operationBody('Succeeded', { backupId: 'b-2' }),
      });
    const { backup, time, request } = setup(azure);

    const status = await backup.protect(request());

    expect(status).toMatchObject({ state: 'covered', backupId: 'b-2' });
    expect(time.waits).toEqual([3000, 10_000]);
    expect(azure.arm('POST')).toHaveLength(2);
  });

  it('polls backupOperationStatus/{jobId} when ARM names only the job', async () => {
    const azure = new FakeAzure()
      .on('POST', `${CLUSTER_ID}/backup`, { status: 202, body: operationBody('InProgress') })
      .on('GET', OPERATION_PATH, { status: 200, body: operationBody('Succeeded', { backupId: 'b-3' }) });
    const { backup, request } = setup(azure);

    expect(await backup.protect(request())).toMatchObject({ state: 'covered', backupId: 'b-3' });
  });

  it('turns an ARM refusal into a failed backup with the reason (never a silent pass)', async () => {
    const azure = new FakeAzure().on('POST', `${CLUSTER_ID}/backup`, {
      status: 403,
      body: {
        error: {
          code: 'AuthorizationFailed',
          message:
            "no authorization to perform action 'Microsoft.HardwareSecurityModules/cloudHsmClusters/backup/action'",
        },
      },
    });
    const { backup, request } = setup(azure);

    const status = await backup.protect(request());

    expect(status.state).toBe('failed');
    expect(status.detail).toContain('ConfigurationError');
    expect(status.detail).toContain('backup/action');
    expect(status.detail).not.toContain(TOKEN);
  });

  it('asks for no backup when the run wrote nothing, and says so', async () => {
    const azure = new FakeAzure();
    const { backup, request } = setup(azure);

    const status = await backup.protect(request({ lastWriteAt: null }));

    expect(status.state).toBe('skipped');
    expect(status.detail).toMatch(/wrote nothing/);
    expect(azure.requests).toEqual([]);
  });

  it('backs up every run with mode always, but never in a dry run', async () => {
    const azure = new FakeAzure()
      .on('POST', `${CLUSTER_ID}/backup`, backupAccepted)
      .on('GET', OPERATION_PATH, { status: 200, body: operationBody('Succeeded', { backupId: 'b-4' }) });
    const { backup, request } = setup(azure, { mode: 'always' });

    expect((await backup.protect(request({ lastWriteAt: null }))).state).toBe('covered');
    expect((await backup.protect(request({ policy: { ...DEFAULT_POLICY, dryRun: true } }))).state).toBe(
      'skipped',
    );
    expect(azure.arm('POST')).toHaveLength(1);
  });
});
