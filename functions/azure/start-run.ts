/**
 * Starting a run: one orchestration instance per cluster at a time. The instance id is
 * derived from the cluster id, so the Durable runtime itself refuses a second start while
 * one is running; we ask first to say which one is running. The run id is the normalised
 * run's name (src/workflow/triggers): a retried request (same request id) is the same run,
 * answered as a duplicate, never started twice.
 */
import { createHash } from 'node:crypto';
import type { HttpRequest, HttpResponse, HttpResponseInit } from '@azure/functions';
import { parseClusterId, sameClusterId } from '#providers/azure/cluster-id.ts';
import type { RunContext } from '#workflow/contracts.ts';
import type { NormalisedRun, TriggerDefaults } from '#workflow/triggers/run-request.ts';
import { ORCHESTRATOR_NAME, type OrchestrationInput } from './contracts.ts';
import { type RunSettings, SETTING_NAMES } from './settings.ts';

/** The part of the Durable client the starters use (df.getClient(context) is one). */
export interface RunStarterClient {
  getStatus(
    instanceId: string,
  ): Promise<{ runtimeStatus: string; createdTime?: Date | string; input?: unknown }>;
  startNew(orchestratorName: string, options: { instanceId: string; input: unknown }): Promise<string>;
  createCheckStatusResponse(
    request: HttpRequest | undefined,
    instanceId: string,
  ): HttpResponse | HttpResponseInit;
}

/** Runtime states during which a second start must not happen. */
export const BUSY_STATES = ['Running', 'Pending', 'Suspended', 'ContinuedAsNew'] as const;

/** The trigger defaults of this app: its clusters (ARM ids compare case-insensitively), its policy. */
export function triggerDefaults(settings: RunSettings): TriggerDefaults {
  return {
    clusterIds: settings.clusterIds,
    provider: 'azure',
    policy: settings.policy,
    matchCluster: (requested, configured) => sameClusterId(requested, configured),
    nameOf: (clusterId) => parseClusterId(clusterId).name.toLowerCase(),
    checkClusterId: (clusterId) => {
      parseClusterId(clusterId);
    },
    clusterIdsSetting: SETTING_NAMES.clusterIds,
  };
}

/**
 * `hsm-sentinel-<cluster name>-<16 hex of sha256(lower-case ARM id)>`: stable per cluster,
 * free of the `/` ARM ids are full of (instance ids may not contain / \ # ?).
 */
export function instanceIdFor(clusterId: string): string {
  const id = parseClusterId(clusterId);
  const digest = createHash('sha256').update(id.id.toLowerCase()).digest('hex').slice(0, 16);
  return `hsm-sentinel-${id.name.toLowerCase()}-${digest}`;
}

export function runContextOf(run: NormalisedRun, now: Date): RunContext {
  return {
    runId: run.executionName,
    clusterId: run.clusterId,
    provider: run.provider,
    policy: run.policy,
    startedAt: now.toISOString(),
    trigger: run.trigger,
  };
}

export type StartOutcome =
  | { started: true; instanceId: string; context: RunContext }
  | { started: false; reason: 'duplicate'; instanceId: string; runtimeStatus: string }
  | { started: false; reason: 'busy'; instanceId: string; runtimeStatus: string; since: string | null };

/**
 * Starts the orchestration for `context.clusterId` unless its instance is busy (then says so)
 * or already ran this very run (the same run id: a duplicate).
 */
export async function startUnlessRunning(
  client: RunStarterClient,
  context: RunContext,
): Promise<StartOutcome> {
  const instanceId = instanceIdFor(context.clusterId);
  const before = await currentStatus(client, instanceId);
  const refused = refusal(before, instanceId, context.runId);
  if (refused) return refused;
  const input: OrchestrationInput = { context };
  try {
    await client.startNew(ORCHESTRATOR_NAME, { instanceId, input });
  } catch (error) {
    // Lost a race with another start: the runtime refuses a running instance id.
    const again = refusal(await currentStatus(client, instanceId), instanceId, context.runId);
    if (again) return again;
    throw error;
  }
  return { started: true, instanceId, context };
}

type Status = Awaited<ReturnType<RunStarterClient['getStatus']>>;

function refusal(status: Status | null, instanceId: string, runId: string): StartOutcome | null {
  if (!status) return null;
  const input = status.input as { context?: { runId?: unknown } } | undefined;
  if (input?.context?.runId === runId) {
    return { started: false, reason: 'duplicate', instanceId, runtimeStatus: status.runtimeStatus };
  }
  if (!(BUSY_STATES as readonly string[]).includes(status.runtimeStatus)) return null;
  const created = status.createdTime;
  return {
    started: false,
    reason: 'busy',
    instanceId,
    runtimeStatus: status.runtimeStatus,
    since: created === undefined ? null : new Date(created).toISOString(),
  };
}

async function currentStatus(client: RunStarterClient, instanceId: string): Promise<Status | null> {
  try {
    return (await client.getStatus(instanceId)) ?? null;
  } catch (error) {
    // durable-functions answers an unknown instance id with an error naming HTTP 404.
    if (error instanceof Error && /\b404\b/.test(error.message)) return null;
    throw error;
  }
}
