/**
 * Test doubles for the Functions app: a Durable client that records starts, and a driver
 * that runs the registered orchestrator generator with a DummyOrchestrationContext whose
 * `df` answers callActivity / Task.all / createTimer as descriptors, resolving each one
 * (activities through a resolver: the real activity handlers, or a script). Inputs and
 * results go through JSON as the Durable runtime serialises them.
 */

import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { InvocationContext } from '@azure/functions';
import { DummyOrchestrationContext, type OrchestrationHandler } from 'durable-functions';
import type { ActivityHandler } from '../../../functions/azure/activities.ts';
import type { ActivityName } from '../../../functions/azure/contracts.ts';
import type { RunStarterClient } from '../../../functions/azure/start-run.ts';
import { TEST_PASSWORD } from '../workflow/fake-deps.ts';
import { BACKUP_CONTAINER, CLUSTER_ID, OTHER_CLUSTER_ID, REPORT_CONTAINER } from './fake-azure.ts';

export const TEST_ENV: Record<string, string> = {
  HSM_SENTINEL_CLUSTER_IDS: `${CLUSTER_ID}, ${OTHER_CLUSTER_ID}`,
  REPORT_CONTAINER_URL: REPORT_CONTAINER,
  BACKUP_CONTAINER_URI: BACKUP_CONTAINER,
  ALERT_TOPIC_ARN: 'arn:aws:sns:eu-west-1:123456789012:hsm-sentinel-alerts',
  HSM_CO_USER: 'admin',
  HSM_CO_PASSWORD: TEST_PASSWORD,
  BACKUP_POLL_INTERVAL_SECONDS: '10',
};

export interface LogLine {
  level: string;
  text: string;
}

export function invocation(functionName: string, logs: LogLine[] = []): InvocationContext {
  return new InvocationContext({
    functionName,
    invocationId: `inv-${functionName}`,
    logHandler: (level, ...args) => logs.push({ level, text: args.map(String).join(' ') }),
  });
}

interface Instance {
  runtimeStatus: string;
  createdTime: Date;
  input: unknown;
}

export class FakeDurableClient implements RunStarterClient {
  readonly instances = new Map<string, Instance>();
  readonly starts: { name: string; instanceId: string; input: unknown }[] = [];

  async getStatus(instanceId: string): Promise<Instance> {
    const instance = this.instances.get(instanceId);
    if (!instance) {
      throw new Error(
        'DurableClient error: Durable Functions extension replied with HTTP 404 response. ' +
          `This usually means we could not find any data associated with the instanceId provided: ${instanceId}.`,
      );
    }
    return instance;
  }

  async startNew(name: string, options: { instanceId: string; input: unknown }): Promise<string> {
    const existing = this.instances.get(options.instanceId);
    if (existing && ['Running', 'Pending'].includes(existing.runtimeStatus)) {
      throw new Error(`An instance with ID '${options.instanceId}' already exists.`);
    }
    const input = JSON.parse(JSON.stringify(options.input));
    this.instances.set(options.instanceId, { runtimeStatus: 'Pending', createdTime: new Date(), input });
    this.starts.push({ name, instanceId: options.instanceId, input });
    return options.instanceId;
  }

  createCheckStatusResponse(_request: HttpRequest | undefined, instanceId: string): HttpResponseInit {
    const base = `https://fn-sentinel.azurewebsites.net/runtime/webhooks/durabletask/instances/${instanceId}`;
    return {
      status: 202,
      headers: { location: base },
      jsonBody: { id: instanceId, statusQueryGetUri: base, terminatePostUri: `${base}/terminate` },
    };
  }
}

type Descriptor =
  | { kind: 'activity'; name: ActivityName; input: unknown }
  | { kind: 'all'; tasks: Descriptor[] }
  | { kind: 'timer'; at: Date };

export type ActivityResolver = (name: ActivityName, input: unknown) => Promise<unknown>;

export interface DriveResult {
  output: unknown;
  error: Error | null;
  /** Activity names in the order they were scheduled, and `timer:<ms>` for waits. */
  trace: string[];
  statuses: unknown[];
  logs: LogLine[];
}

/**
 * Runs an orchestrator to its end. Activities run through `resolve`; timers complete at
 * once and move the orchestration clock.
 */
export async function driveOrchestrator(
  orchestrator: OrchestrationHandler,
  input: unknown,
  resolve: ActivityResolver,
): Promise<DriveResult> {
  const trace: string[] = [];
  const statuses: unknown[] = [];
  const logs: LogLine[] = [];
  const context = new DummyOrchestrationContext('hsmSentinelRun', 'inv-orchestration', (level, ...args) =>
    logs.push({ level, text: args.map(String).join(' ') }),
  );
  let now = new Date('2026-11-23T12:00:00.000Z');
  const df = {
    instanceId: 'hsm-sentinel-test',
    isReplaying: false,
    get currentUtcDateTime() {
      return now;
    },
    getInput: () => JSON.parse(JSON.stringify(input)),
    callActivity: (name: ActivityName, activityInput: unknown): Descriptor => ({
      kind: 'activity',
      name,
      input: JSON.parse(JSON.stringify(activityInput)),
    }),
    Task: { all: (tasks: Descriptor[]): Descriptor => ({ kind: 'all', tasks }) },
    createTimer: (at: Date): Descriptor => ({ kind: 'timer', at }),
    setCustomStatus: (status: unknown) => statuses.push(status),
  };
  (context as unknown as { df: unknown }).df = df;

  const run = async (task: Descriptor): Promise<unknown> => {
    if (task.kind === 'activity') {
      trace.push(task.name);
      return JSON.parse(JSON.stringify(await resolve(task.name, task.input)));
    }
    if (task.kind === 'timer') {
      trace.push(`timer:${task.at.getTime() - now.getTime()}`);
      now = task.at;
      return undefined;
    }
    return Promise.all(task.tasks.map(run));
  };

  const generator = orchestrator(context as never);
  let step: IteratorResult<unknown, unknown>;
  try {
    step = generator.next();
    while (!step.done) {
      let value: unknown;
      let failed: unknown = null;
      try {
        value = await run(step.value as unknown as Descriptor);
      } catch (error) {
        failed = error;
      }
      step = failed === null ? generator.next(value) : generator.throw(failed);
    }
  } catch (error) {
    return { output: null, error: error as Error, trace, statuses, logs };
  }
  return { output: step.value, error: null, trace, statuses, logs };
}

/** Resolves activities through the app's real activity handlers. */
export function realActivities(
  activities: Record<ActivityName, ActivityHandler>,
  logs: LogLine[] = [],
): ActivityResolver {
  return (name, input) => activities[name](input, invocation(name, logs));
}
