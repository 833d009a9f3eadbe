import type { BackupStatus } from '#core/report.ts';
import type { RunState } from '../contracts.ts';
import type { WorkflowDeps } from '../deps.ts';
import { required } from './audit.ts';

/** Step 7: make sure a backup covers the verified state, as far as the platform allows. */
export async function protectStep(state: RunState, deps: WorkflowDeps): Promise<BackupStatus> {
  const cluster = required(state.cluster, 'cluster');
  const status = await deps.backup.protect({
    cluster,
    lastWriteAt: state.sync?.lastWriteAt ?? null,
    policy: state.context.policy,
    now: deps.clock(),
  });
  deps.log.info('backup', { state: status.state, backupId: status.backupId });
  return status;
}
