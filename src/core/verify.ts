/**
 * Verify: after the writes, read every node again (a fresh audit) and check that every
 * object the plan touched is now on every node. "The sync said success" is not evidence.
 */
import type { AuditResult, Plan, Verification } from './model.ts';

export function verify(executed: Plan, after: AuditResult): Verification {
  const plannedIds = [...new Set(executed.actions.map((action) => action.objectId))];
  const unrecovered: Verification['unrecovered'] = [];
  for (const objectId of plannedIds) {
    const finding = after.objects.find((f) => f.objectId === objectId);
    const label = executed.actions.find((a) => a.objectId === objectId)?.label ?? objectId;
    if (!finding) {
      // On no readable node any more; the nodes that could not be read are unknown, never "missing".
      const unknownOn = after.nodeIds.filter((id) => !after.readableNodeIds.includes(id));
      unrecovered.push({ objectId, label, missingOn: [...after.readableNodeIds], unknownOn });
    } else if (
      finding.missingOn.length > 0 ||
      finding.unknownOn.length > 0 ||
      finding.status === 'divergent'
    ) {
      unrecovered.push({ objectId, label, missingOn: finding.missingOn, unknownOn: finding.unknownOn });
    }
  }
  return { ok: unrecovered.length === 0, unrecovered };
}
