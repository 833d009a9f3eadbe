/**
 * Starting a run: one orchestration instance per cluster at a time. The instance id is
 * derived from the cluster id, so the Durable runtime itself refuses a second start while
 * one is running; we ask first to say which one is running.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { HttpRequest, HttpResponse, HttpResponseInit } from '@azure/functions';
import type { Policy } from '#core/model.ts';
import { parseClusterId } from '#providers/azure/cluster-id.ts';
import type { RunContext, TriggerInfo } from '#workflow/contracts.ts';
import { ORCHESTRATOR_NAME, type OrchestrationInput } from './contracts.ts';

/** The part of the Durable client the starters use (df.getClient(context) is one). */
export interface RunStarterClient {
  getStatus(instanceId: string): Promise<{ runtimeStatus: string; createdTime?: Date | string }>;
  startNew(orchestratorName: string, options: { instanceId: string; input: unknown }): Promise<string>;
  createCheckStatusResponse(
    request: HttpRequest | undefined,
    instanceId: string,
  ): HttpResponse | HttpResponseInit;
}

/** Runtime states during which a second start must not happen. */
export const BUSY_STATES = ['Running', 'Pending', 'Suspended', 'ContinuedAsNew'] as const;

/**
 * `hsm-sentinel-<cluster name>-<16 hex of sha256(lower-case ARM id)>`: stable per cluster,
 * free of the `/` ARM ids are full of (instance ids may not contain / \ # ?).
 */
export function instanceIdFor(clusterId: string): string {
  const id = parseClusterId(clusterId);
  const digest = createHash('sha256').update(id.id.toLowerCase()).digest('hex').slice(0, 16);
  return `hsm-sentinel-${id.name.toLowerCase()}-${digest}`;
}

export function newRunContext(
  clusterId: string,
  policy: Policy,
  trigger: TriggerInfo,
  now: Date,
): RunContext {
  const stamp = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return {
    runId: `${parseClusterId(clusterId).name.toLowerCase()}-${stamp}-${randomUUID().slice(0, 8)}`,
    clusterId,
    provider: 'azure',
    dialect: 'azure',
    policy,
    startedAt: now.toISOString(),
    trigger,
  };
}

export type StartOutcome =
  | { started: true; instanceId: string; context: RunContext }
  | { started: false; instanceId: string; runtimeStatus: string; since: string | null };

/** Starts the orchestration for `context.clusterId` unless its instance is busy (then says so). */
export async function startUnlessRunning(
  client: RunStarterClient,
  context: RunContext,
): Promise<StartOutcome> {
  const instanceId = instanceIdFor(context.clusterId);
  const busy = await busyStatus(client, instanceId);
  if (busy) return { started: false, instanceId, ...busy };
  const input: OrchestrationInput = { context };
  try {
    await client.startNew(ORCHESTRATOR_NAME, { instanceId, input });
  } catch (error) {
    // Lost a race with another start: the runtime refuses a running instance id.
    const again = await busyStatus(client, instanceId);
    if (again) return { started: false, instanceId, ...again };
    throw error;
  }
  return { started: true, instanceId, context };
}

async function busyStatus(
  client: RunStarterClient,
  instanceId: string,
): Promise<{ runtimeStatus: string; since: string | null } | null> {
  let status: Awaited<ReturnType<RunStarterClient['getStatus']>> | undefined;
  try {
    status = await client.getStatus(instanceId);
  } catch (error) {
    // durable-functions answers an unknown instance id with an error naming HTTP 404.
    if (error instanceof Error && /\b404\b/.test(error.message)) return null;
    throw error;
  }
  if (!status || !(BUSY_STATES as readonly string[]).includes(status.runtimeStatus)) return null;
  const created = status.createdTime;
  return {
    runtimeStatus: status.runtimeStatus,
    since: created === undefined ? null : new Date(created).toISOString(),
  };
}
