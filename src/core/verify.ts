/**
 * Verify: after the writes, read every node again (a fresh audit) and check that every
 * object the plan touched is now on every node, identical. "The tool said success" is not evidence.
 */
import type { AuditResult, Plan, Verification } from './model.ts';

export function verify(executed: Plan, after: AuditResult): Verification {
  const labels = new Map<string, string>();
  for (const action of executed.actions)
    if (!labels.has(action.objectId)) labels.set(action.objectId, action.label);
  const byId = new Map(after.objects.map((f) => [f.objectId, f]));
  const unknownNodes = after.nodeIds.filter((id) => !after.readableNodeIds.includes(id));
  const unrecovered: Verification['unrecovered'] = [];
  for (const [objectId, label] of labels) {
    const finding = byId.get(objectId);
    if (!finding) {
      // On no readable node any more; the nodes that could not be read are unknown, never "missing".
      unrecovered.push({ objectId, label, missingOn: [...after.readableNodeIds], unknownOn: unknownNodes });
      continue;
    }
    const divergent = finding.status === 'divergent';
    const notEverywhere = [...finding.missingOn, ...finding.uncertainOn];
    if (notEverywhere.length > 0 || finding.unknownOn.length > 0 || divergent) {
      unrecovered.push({
        objectId,
        label,
        missingOn: notEverywhere,
        unknownOn: finding.unknownOn,
        ...(divergent ? { divergent: true } : {}),
      });
    }
  }
  return { ok: unrecovered.length === 0, unrecovered };
}
