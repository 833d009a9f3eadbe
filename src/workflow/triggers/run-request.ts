/**
 * What every trigger normalises its event to: the runs it asks for. The execution (or
 * orchestration run) name is `<cluster>-<kind>-<12 hex of sha256(event id | schedule time |
 * request id)>`: the same event delivered twice gets the same name, so the second start is a
 * duplicate, never a second run.
 */
import { createHash } from 'node:crypto';
import type { Policy, ProviderName } from '#core/model.ts';
import { resolvePolicy } from '#core/policy.ts';
import { TRIGGER_KINDS, type TriggerInfo, type TriggerKind } from '../contracts.ts';

export interface TriggerDefaults {
  /** The clusters this deployment looks after. */
  clusterIds: readonly string[];
  provider: ProviderName;
  /** The deployment's policy; a runbook request may override fields of it. */
  policy: Policy;
  /** The configured cluster a requested id names (Azure ARM ids compare case-insensitively); default: equal. */
  matchCluster?: (requested: string, configured: string) => boolean;
  /** The part of a cluster id that goes into run names (an ARM id's last segment); default: the id. */
  nameOf?: (clusterId: string) => string;
  /** Checks the form of a requested cluster id (throws InvalidInputError saying the expected shape). */
  checkClusterId?: (clusterId: string) => void;
  /** The setting that lists the clusters, named in the error for one not listed. */
  clusterIdsSetting?: string;
}

/** One run to start. */
export interface NormalisedRun {
  clusterId: string;
  provider: ProviderName;
  trigger: TriggerInfo;
  /** Validated overrides the request asked for (empty for schedule and scaling events). */
  policyOverrides: Partial<Policy>;
  /** defaults.policy with the overrides applied. */
  policy: Policy;
  /** 12 hex digits identifying the event: the same event gives the same token. */
  dedupToken: string;
  executionName: string;
}

export interface TriggerNormalisation {
  kind: TriggerKind;
  runs: NormalisedRun[];
  /** Why (part of) the event starts nothing, e.g. a cluster that is not configured. */
  ignored: string[];
}

const EXECUTION_NAME_MAX = 80;
const TOKEN_LENGTH = 12;

export function runFor(
  defaults: TriggerDefaults,
  clusterId: string,
  trigger: TriggerInfo,
  source: string,
  policyOverrides: Partial<Policy>,
): NormalisedRun {
  const dedupToken = createHash('sha256').update(source).digest('hex').slice(0, TOKEN_LENGTH);
  return {
    clusterId,
    provider: defaults.provider,
    trigger,
    policyOverrides,
    policy: resolvePolicy(policyOverrides, defaults.policy),
    dedupToken,
    executionName: executionName(defaults.nameOf?.(clusterId) ?? clusterId, trigger.kind, dedupToken),
  };
}

/** The configured id `requested` names, or null. */
export function configuredCluster(defaults: TriggerDefaults, requested: string): string | null {
  const match = defaults.matchCluster ?? ((a: string, b: string) => a === b);
  return defaults.clusterIds.find((id) => match(requested, id)) ?? null;
}

/** `<cluster>-<kind>-<token>`, in Step Functions' alphabet and length. */
export function executionName(clusterName: string, kind: TriggerKind, dedupToken: string): string {
  const tail = `-${kind}-${dedupToken}`;
  return `${namePart(clusterName).slice(0, EXECUTION_NAME_MAX - tail.length)}${tail}`;
}

/** Whether an execution name is one of ours for this cluster (any kind, any token). */
export function isRunOf(clusterName: string, name: string): boolean {
  const token = name.slice(-TOKEN_LENGTH);
  if (!/^[0-9a-f]+$/.test(token)) return false;
  return TRIGGER_KINDS.some((kind) => name === executionName(clusterName, kind, token));
}

function namePart(text: string): string {
  return text.replace(/[^A-Za-z0-9_-]/g, '_');
}
