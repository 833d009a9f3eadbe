/**
 * Plans a person has seen, and the runs pinned to them (terraform's plan/apply).
 * `audit --save-plan PLAN` keeps what the audit found and would do: the cluster, its node set
 * (membership token), the audit's digest, the policy and the actions. A writing run pinned to
 * a plan (`sync --plan PLAN`, or the apply after a confirmation) reads every node again and
 * writes only if it finds the same: its planner refuses every write when the node set or the
 * audit's digest differ (core plan() then skips everything as `writes-blocked`, with why).
 *
 * The digest covers what decides a plan: the nodes and which of them were read, and per
 * object its identity, finding, holders, gaps and content variants; node findings by kind.
 * Details (free text) are left out.
 */
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import type { AuditResult, Policy, ToolId } from '#core/model.ts';
import { resolvePolicy } from '#core/policy.ts';
import type { RunReport } from '#core/report.ts';
import type { ToolBinding } from '#drivers/tool-module.ts';
import { describeIssues } from '#workflow/zod-issues.ts';
import { UsageError } from './io.ts';

export const PLAN_FORMAT = 'hsm-sentinel plan 1';

const savedPlanSchema = z.strictObject({
  format: z.literal(PLAN_FORMAT),
  clusterId: z.string().min(1),
  tool: z.string().min(1),
  membershipToken: z.string().min(1),
  auditDigest: z.string().regex(/^sha256:[0-9a-f]{64}$/),
  savedAt: z.string(),
  fromRun: z.string(),
  policy: z.record(z.string(), z.unknown()),
  actions: z.array(z.strictObject({ objectId: z.string(), label: z.string(), description: z.string() })),
  leftForHuman: z.array(z.strictObject({ label: z.string(), reason: z.string() })),
});

export type SavedPlan = z.infer<typeof savedPlanSchema>;

/** What a writing run is pinned to. */
export interface PlanPin {
  membershipToken: string;
  auditDigest: string;
  /** Said in the report's writes-blocked reason: `plan.json`, `the plan confirmed above`. */
  source: string;
}

export function auditDigest(result: AuditResult): string {
  const sorted = (ids: readonly string[]) => [...ids].sort();
  const canonical = {
    nodeIds: sorted(result.nodeIds),
    readableNodeIds: sorted(result.readableNodeIds),
    objects: result.objects
      .map((f) => ({
        objectId: f.objectId,
        kind: f.kind,
        status: f.status,
        presentOn: sorted(f.presentOn),
        missingOn: sorted(f.missingOn),
        unknownOn: sorted(f.unknownOn),
        uncertainOn: sorted(f.uncertainOn),
        variants: f.variants
          .map((v) => ({ content: v.content, nodeIds: sorted(v.nodeIds) }))
          .sort((a, b) => a.content.localeCompare(b.content)),
      }))
      .sort((a, b) => a.objectId.localeCompare(b.objectId)),
    nodes: result.nodes.map((n) => `${n.nodeId}:${n.kind}`).sort(),
  };
  return `sha256:${createHash('sha256').update(JSON.stringify(canonical)).digest('hex')}`;
}

/** The plan of a finished dry run, to save. */
export function planOf(report: RunReport, clusterFilePolicy: Policy): SavedPlan {
  if (!report.before || !report.plan || !report.cluster) {
    throw new Error(`run ${report.runId} has no audit to save a plan from (it failed: see its report)`);
  }
  return {
    format: PLAN_FORMAT,
    clusterId: report.clusterId,
    tool: report.cluster.tool,
    membershipToken: report.cluster.membershipToken,
    auditDigest: auditDigest(report.before),
    savedAt: new Date().toISOString(),
    fromRun: report.runId,
    policy: { ...clusterFilePolicy, dryRun: false },
    actions: report.plan.actions.map((a) => ({
      objectId: a.objectId,
      label: a.label,
      description: a.description,
    })),
    leftForHuman: report.plan.skipped.map((s) => ({ label: s.label, reason: s.reason })),
  };
}

export async function savePlan(path: string, plan: SavedPlan): Promise<void> {
  await writeFile(path, `${JSON.stringify(plan, null, 2)}\n`, { mode: 0o600 });
}

/** Reads a saved plan; a missing or malformed one is a usage error naming the field. */
export async function loadPlan(path: string): Promise<SavedPlan & { policyResolved: Policy }> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new UsageError(
      code
        ? `plan ${path} cannot be read (${code})`
        : `plan ${path} is not JSON: save one with audit --save-plan`,
      { cause },
    );
  }
  const parsed = savedPlanSchema.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(`plan ${path} is not a saved plan: ${describeIssues(parsed.error)}`);
  }
  let policyResolved: Policy;
  try {
    policyResolved = resolvePolicy(parsed.data.policy);
  } catch (cause) {
    throw new UsageError(`plan ${path}: ${(cause as Error).message}`, { cause });
  }
  return { ...parsed.data, policyResolved };
}

/**
 * The tools with their planner pinned: while the node set and the audit's digest are the
 * pin's, the tool's own planner decides; otherwise every write is refused, with the reason.
 * `refusal()` says whether (and why) the pin refused in this run.
 */
export function pinnedTools(
  tool: (id: ToolId) => ToolBinding,
  pin: PlanPin,
): { tool: (id: ToolId) => ToolBinding; refusal: () => string | null } {
  let refused: string | null = null;
  const bound = new Map<ToolId, ToolBinding>();
  const wrap = (id: ToolId): ToolBinding => {
    const binding = tool(id);
    const base = binding.planner;
    if (base === null) return binding; // no repair: nothing is ever written
    return {
      module: binding.module,
      rules: binding.rules,
      runbook: binding.runbook,
      driver: () => binding.driver(),
      planner: {
        repair: (finding, cluster) => base.repair(finding, cluster),
        blockingReason: (result, cluster, policy) => {
          const changed =
            cluster.membershipToken !== pin.membershipToken
              ? `the node set changed since ${pin.source} (was ${pin.membershipToken}, now ${cluster.membershipToken})`
              : auditDigest(result) !== pin.auditDigest
                ? `the cluster changed since ${pin.source} (its audit differs)`
                : null;
          if (changed !== null) {
            refused = `${changed}: nothing written; audit again and review the new plan`;
            return refused;
          }
          return base.blockingReason?.(result, cluster, policy) ?? null;
        },
      },
    };
  };
  return {
    tool: (id) => {
      const existing = bound.get(id);
      if (existing) return existing;
      const made = wrap(id);
      bound.set(id, made);
      return made;
    },
    refusal: () => refused,
  };
}
