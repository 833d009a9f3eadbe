import { audit } from '#core/audit.ts';
import type { Plan } from '#core/model.ts';
import { verify } from '#core/verify.ts';
import { artifactKeys } from '#store/artifact-store.ts';
import type { RunState, VerifyOutput } from '../contracts.ts';
import type { WorkflowDeps } from '../deps.ts';
import { required } from './audit.ts';
import { collectAll } from './collect-node.ts';

/**
 * Step 6: read every node again and check every planned object is now everywhere. The audit
 * runs on the inventories just read (they are stored too, for the report); the verification
 * is kept, so the Alert step reads it rather than working it out again.
 */
export async function verifyStep(state: RunState, deps: WorkflowDeps): Promise<VerifyOutput> {
  const cluster = required(state.cluster, 'cluster');
  const auditOut = required(state.audit, 'audit');
  const thePlan = await deps.store.getJson<Plan>(auditOut.planRef);
  const { inventories } = await collectAll(state.context, cluster, 'after', deps);
  const after = audit(cluster, inventories, deps.tool(cluster.tool).rules);
  const verification = verify(thePlan, after);
  const [afterAuditRef, verificationRef] = await Promise.all([
    deps.store.putJson(artifactKeys.audit(state.context.runId, 'after'), after),
    deps.store.putJson(artifactKeys.verification(state.context.runId), verification),
  ]);
  deps.log.info('verified', { ok: verification.ok, unrecovered: verification.unrecovered.length });
  return {
    afterAuditRef,
    verificationRef,
    ok: verification.ok,
    unrecovered: verification.unrecovered.length,
    counts: after.counts,
    unreadableNodes: after.nodeIds.filter((id) => !after.readableNodeIds.includes(id)),
  };
}
