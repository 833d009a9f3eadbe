/**
 * A runbook request, `{clusterId, dryRun?, policy?, requestedBy?, requestId?}`: one schema and
 * one policy merge for every entry that takes one (the AWS trigger and Function URL, `run
 * --remote`, the Azure HTTP start). A retried request carries the same `requestId` (or the
 * entry's own invocation id) and so the same run name: a duplicate, never a second run.
 */
import { z } from 'zod';
import { InvalidInputError } from '#core/errors.ts';
import type { Policy } from '#core/model.ts';
import { resolvePolicy } from '#core/policy.ts';
import { validated } from '../zod-issues.ts';
import { configuredCluster, type NormalisedRun, runFor, type TriggerDefaults } from './run-request.ts';

/** Printable, no whitespace: cluster ids go into run names, log lines and reports. */
const CLUSTER_ID = /^[^\s\p{Cc}\p{Cf}]{1,512}$/u;

export const runbookRequestSchema = z.strictObject({
  clusterId: z.string().regex(CLUSTER_ID, "expected the id of one of this deployment's clusters"),
  dryRun: z.boolean().optional(),
  policy: z.record(z.string(), z.unknown()).optional(),
  requestedBy: z.string().min(1).max(200).optional(),
  requestId: z.string().min(1).max(200).optional(),
});

export type RunbookRequest = z.infer<typeof runbookRequestSchema>;

/**
 * The run a request asks for. Throws InvalidInputError naming the field for a malformed
 * request, a cluster this deployment does not look after, or a policy override it refuses.
 * `invocationId` identifies a request that carries no `requestId` of its own.
 *
 * @example
 * fromRunbookRequest({ clusterId: 'cluster-igklspoyj5v', dryRun: true, requestId: 'r1' }, defaults)
 * // → { executionName: 'cluster-igklspoyj5v-runbook-…', policy: {…dryRun: true}, … }
 */
export function fromRunbookRequest(
  body: unknown,
  defaults: TriggerDefaults,
  invocationId?: string,
): NormalisedRun {
  const request = validated(runbookRequestSchema, body, 'runbook request is malformed', {
    suffix: '; nothing was started',
  });
  defaults.checkClusterId?.(request.clusterId);
  const clusterId = configuredCluster(defaults, request.clusterId);
  if (clusterId === null) {
    const setting = defaults.clusterIdsSetting ? `${defaults.clusterIdsSetting}: ` : '';
    throw new InvalidInputError(
      `runbook request: clusterId '${request.clusterId}' is not a cluster this deployment looks after ` +
        `(${setting}${defaults.clusterIds.join(', ') || 'none configured'})`,
    );
  }
  const requestId = request.requestId ?? invocationId;
  if (!requestId) {
    throw new InvalidInputError(
      'runbook request: requestId is missing (give one so a retried request is not run twice)',
    );
  }
  const policyOverrides = policyOverridesOf(request, defaults.policy);
  const who = request.requestedBy ?? 'an unnamed operator';
  return runFor(
    defaults,
    clusterId,
    { kind: 'runbook', detail: `requested by ${who} (request ${requestId})` },
    requestId,
    policyOverrides,
  );
}

/** `policy` and `dryRun` of a request as overrides, each field validated by name. */
export function policyOverridesOf(
  request: Pick<RunbookRequest, 'dryRun' | 'policy'>,
  base: Policy,
): Partial<Policy> {
  const overrides: Record<string, unknown> = { ...(request.policy ?? {}) };
  if (request.dryRun !== undefined) overrides.dryRun = request.dryRun;
  try {
    resolvePolicy(overrides, base);
  } catch (cause) {
    if (cause instanceof InvalidInputError)
      throw new InvalidInputError(`runbook request: ${cause.message}`, { cause });
    throw cause;
  }
  return overrides as Partial<Policy>;
}
