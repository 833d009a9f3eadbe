import { CredentialsRejectedError, LockoutGuardError, MembershipChangedError } from '#core/errors.ts';
import type { ActionResult, Plan } from '#core/model.ts';
import { artifactKeys } from '#store/artifact-store.ts';
import type { RunState, SyncOutput } from '../contracts.ts';
import { credentialsFor, rememberRefusal } from '../credential-guard.ts';
import type { WorkflowDeps } from '../deps.ts';
import { required } from './audit.ts';

/**
 * Step 5: run the plan. Membership is resolved again first: if the node set changed since
 * Resolve, server numbers no longer mean the same HSMs, so nothing is written.
 */
export async function syncStep(state: RunState, deps: WorkflowDeps): Promise<SyncOutput> {
  const cluster = required(state.cluster, 'cluster');
  const auditOut = required(state.audit, 'audit');
  const thePlan = await deps.store.getJson<Plan>(auditOut.planRef);
  if (thePlan.membershipToken !== cluster.membershipToken) {
    throw new MembershipChangedError('the plan was made for another node set than this run resolved');
  }
  let results: ActionResult[] = [];
  let lastWriteAt: string | null = null;
  if (thePlan.actions.length > 0 && !thePlan.dryRun && thePlan.writesBlocked === null) {
    const now = await deps.provider.resolve(cluster.clusterId);
    if (now.membershipToken !== cluster.membershipToken) {
      throw new MembershipChangedError(
        `the node set of ${cluster.clusterId} changed since Resolve (was ${cluster.membershipToken}, now ${now.membershipToken}): nothing written`,
      );
    }
    const { credentials, refusal } = await credentialsFor(deps, cluster.clusterId);
    if (refusal) {
      throw new LockoutGuardError(
        `no login, nothing written: ${refusal.username}'s password (this secret version) was refused at ${refusal.refusedAt}`,
      );
    }
    const options = { loginFailureLimit: state.context.policy.loginFailureLimit };
    try {
      results = await deps
        .tool(cluster.tool)
        .driver()
        .sync(cluster.nodes, credentials, thePlan.actions, options);
    } catch (error) {
      if (error instanceof CredentialsRejectedError) {
        await rememberRefusal(deps, cluster.clusterId, credentials, error.message);
      }
      throw error;
    }
    if (results.some((r) => r.outcome === 'synced')) lastWriteAt = deps.clock().toISOString();
  }
  const resultsRef = await deps.store.putJson(artifactKeys.results(state.context.runId), results);
  const count = (outcome: ActionResult['outcome']) => results.filter((r) => r.outcome === outcome).length;
  deps.log.info('synced', {
    synced: count('synced'),
    alreadyPresent: count('already-present'),
    failed: count('failed'),
  });
  return {
    resultsRef,
    synced: count('synced'),
    alreadyPresent: count('already-present'),
    failed: count('failed'),
    lastWriteAt,
  };
}
