import { CloudHSMV2Client } from '@aws-sdk/client-cloudhsm-v2';
import { afterEach, describe, expect, it } from '@jest/globals';
import { ERROR_NAMES } from '#core/errors.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import { CloudHsmBackupProvider } from '#providers/aws/cloudhsm-backup.ts';
import type { BackupRequest } from '#providers/cluster-provider.ts';
import { cloudhsmCommands, mockCloudHsm } from '../../support/aws/cloudhsm-mock.ts';
import { cluster } from '../../support/core/builders.ts';

const CLUSTER = 'cluster-igklspoyj5v';
const NOW = new Date('2026-11-23T12:00:00.000Z');
const cloudhsm = mockCloudHsm();
const LIST_INPUT = { Filters: { clusterIds: [CLUSTER], states: ['READY'] }, SortAscending: false };

function backup(id: string, iso: string) {
  return { BackupId: id, BackupState: 'READY', ClusterId: CLUSTER, CreateTimestamp: new Date(iso) };
}

function request(lastWriteAt: string | null): BackupRequest {
  return { cluster: cluster(3, CLUSTER), lastWriteAt, policy: DEFAULT_POLICY, now: NOW };
}

function provider(recoveryRegion: string | null = null): CloudHsmBackupProvider {
  return new CloudHsmBackupProvider(new CloudHSMV2Client({ region: 'us-east-1' }), { recoveryRegion });
}

describe('CloudHsmBackupProvider', () => {
  afterEach(() => {
    cloudhsm.reset();
  });

  it('reports covered when the newest READY backup is recent and nothing was written', async () => {
    // Arrange
    cloudhsm.on(cloudhsmCommands.DescribeBackups).resolves({
      Backups: [backup('backup-new', '2026-11-23T08:00:00Z'), backup('backup-old', '2026-11-22T08:00:00Z')],
    });

    // Act
    const status = await provider('us-west-2').protect(request(null));

    // Assert
    expect(cloudhsm.commandCalls(cloudhsmCommands.DescribeBackups).map((c) => c.args[0].input)).toEqual([
      LIST_INPUT,
    ]);
    expect(cloudhsm.commandCalls(cloudhsmCommands.ModifyBackupAttributes)).toHaveLength(0);
    expect(cloudhsm.commandCalls(cloudhsmCommands.CopyBackupToRegion)).toHaveLength(0);
    expect(status).toMatchObject({
      state: 'covered',
      backupId: 'backup-new',
      createdAt: '2026-11-23T08:00:00.000Z',
      kept: [],
      copiedTo: [],
    });
  });

  it('reports covered when a backup was taken after the repair', async () => {
    cloudhsm
      .on(cloudhsmCommands.DescribeBackups)
      .resolves({ Backups: [backup('backup-after', '2026-11-23T11:00:00Z')] });

    const status = await provider().protect(request('2026-11-23T10:00:00.000Z'));

    expect(status.state).toBe('covered');
    expect(status.detail).toContain('after the repair');
  });

  it('keeps and copies the newest pre-repair backup when none covers the repair yet', async () => {
    cloudhsm
      .on(cloudhsmCommands.DescribeBackups, LIST_INPUT)
      .resolves({ Backups: [backup('backup-b', '2026-11-23T02:00:00Z')], NextToken: 't2' })
      .on(cloudhsmCommands.DescribeBackups, { ...LIST_INPUT, NextToken: 't2' })
      .resolves({ Backups: [backup('backup-a', '2026-11-22T02:00:00Z')] })
      .on(cloudhsmCommands.ModifyBackupAttributes)
      .resolves({})
      .on(cloudhsmCommands.CopyBackupToRegion)
      .resolves({ DestinationBackup: { SourceBackup: 'backup-b', SourceRegion: 'us-east-1' } });

    const status = await provider('us-west-2').protect(request('2026-11-23T11:30:00.000Z'));

    expect(cloudhsm.commandCalls(cloudhsmCommands.DescribeBackups).map((c) => c.args[0].input)).toEqual([
      LIST_INPUT,
      { ...LIST_INPUT, NextToken: 't2' },
    ]);
    expect(
      cloudhsm.commandCalls(cloudhsmCommands.ModifyBackupAttributes).map((c) => c.args[0].input),
    ).toEqual([{ BackupId: 'backup-b', NeverExpires: true }]);
    expect(cloudhsm.commandCalls(cloudhsmCommands.CopyBackupToRegion).map((c) => c.args[0].input)).toEqual([
      { DestinationRegion: 'us-west-2', BackupId: 'backup-b' },
    ]);
    expect(status).toMatchObject({
      state: 'not-yet-covered',
      backupId: 'backup-b',
      kept: ['backup-b'],
      copiedTo: ['us-west-2'],
    });
    expect(status.detail).toContain('no backup covers the repair of 2026-11-23T11:30:00.000Z');
  });

  it('keeps without copying when no recovery region is configured', async () => {
    cloudhsm
      .on(cloudhsmCommands.DescribeBackups)
      .resolves({ Backups: [backup('backup-b', '2026-11-23T02:00:00Z')] })
      .on(cloudhsmCommands.ModifyBackupAttributes)
      .resolves({});

    const status = await provider(null).protect(request('2026-11-23T11:30:00.000Z'));

    expect(cloudhsm.commandCalls(cloudhsmCommands.CopyBackupToRegion)).toHaveLength(0);
    expect(status).toMatchObject({ state: 'not-yet-covered', kept: ['backup-b'], copiedTo: [] });
  });

  it('reports stale when the newest backup is older than the policy maximum', async () => {
    cloudhsm
      .on(cloudhsmCommands.DescribeBackups)
      .resolves({ Backups: [backup('backup-old', '2026-11-21T12:00:00Z')] });

    const status = await provider().protect(request(null));

    expect(status).toMatchObject({ state: 'stale', backupId: 'backup-old', kept: [], copiedTo: [] });
    expect(status.detail).toContain('48.0 h ago');
    expect(status.detail).toContain('26 h maximum');
  });

  it('reports stale, and still keeps and copies, when a pre-repair backup is also too old', async () => {
    cloudhsm
      .on(cloudhsmCommands.DescribeBackups)
      .resolves({ Backups: [backup('backup-old', '2026-11-21T12:00:00Z')] })
      .on(cloudhsmCommands.ModifyBackupAttributes)
      .resolves({})
      .on(cloudhsmCommands.CopyBackupToRegion)
      .resolves({});

    const status = await provider('eu-west-1').protect(request('2026-11-23T11:30:00.000Z'));

    expect(status).toMatchObject({ state: 'stale', kept: ['backup-old'], copiedTo: ['eu-west-1'] });
    expect(status.detail).toContain('no backup covers the repair');
    expect(status.detail).toContain('26 h maximum');
  });

  it('reports stale when the cluster has no READY backup at all', async () => {
    cloudhsm.on(cloudhsmCommands.DescribeBackups).resolves({ Backups: [] });

    const status = await provider().protect(request('2026-11-23T11:30:00.000Z'));

    expect(cloudhsm.commandCalls(cloudhsmCommands.ModifyBackupAttributes)).toHaveLength(0);
    expect(status).toMatchObject({ state: 'stale', backupId: null, createdAt: null, kept: [], copiedTo: [] });
    expect(status.detail).toContain(`no READY backup of cluster ${CLUSTER} exists`);
  });

  it('throws BackupError with the cause when an API call fails', async () => {
    const denied = Object.assign(new Error('not allowed'), { name: 'CloudHsmAccessDeniedException' });
    cloudhsm
      .on(cloudhsmCommands.DescribeBackups)
      .resolves({ Backups: [backup('backup-b', '2026-11-23T02:00:00Z')] })
      .on(cloudhsmCommands.ModifyBackupAttributes)
      .rejects(denied);

    const error = await provider('us-west-2')
      .protect(request('2026-11-23T11:30:00.000Z'))
      .catch((e: unknown) => e);

    expect(error).toMatchObject({ name: ERROR_NAMES.backup, cause: denied });
    expect((error as Error).message).toContain('ModifyBackupAttributes (NeverExpires) of backup-b');
    expect(cloudhsm.commandCalls(cloudhsmCommands.CopyBackupToRegion)).toHaveLength(0);
  });

  it('throws BackupError when DescribeBackups fails', async () => {
    cloudhsm
      .on(cloudhsmCommands.DescribeBackups)
      .rejects(Object.assign(new Error('boom'), { name: 'CloudHsmInternalFailureException' }));

    await expect(provider().protect(request(null))).rejects.toMatchObject({
      name: ERROR_NAMES.backup,
      message: expect.stringContaining(`DescribeBackups for cluster ${CLUSTER} failed`),
    });
  });
});
