import { audit } from '#core/audit.ts';
import type { Plan } from '#core/model.ts';
import { verify } from '#core/verify.ts';
import { artifactKeys } from '#store/artifact-store.ts';
import type { RunState, VerifyOutput } from '../contracts.ts';
import type { WorkflowDeps } from '../deps.ts';
import { loadInventories, required } from './audit.ts';
import { collectAll } from './collect-node.ts';

/** Step 6: read every node again and check every planned object is now everywhere. */
export async function verifyStep(state: RunState, deps: WorkflowDeps): Promise<VerifyOutput> {
  const cluster = required(state.cluster, 'cluster');
  const auditOut = required(state.audit, 'audit');
  const thePlan = await deps.store.getJson<Plan>(auditOut.planRef);
  const collected = await collectAll(state.context, cluster, 'after', deps);
  const after = audit(cluster, await loadInventories(cluster, collected, deps));
  const afterAuditRef = await deps.store.putJson(artifactKeys.audit(state.context.runId, 'after'), after);
  const verification = verify(thePlan, after);
  deps.log.info('verified', { ok: verification.ok, unrecovered: verification.unrecovered.length });
  return { afterAuditRef, ok: verification.ok, unrecovered: verification.unrecovered.length };
}
