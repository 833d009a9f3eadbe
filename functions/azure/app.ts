/**
 * The Functions app as a value: every handler, built from one set of options. `index.ts`
 * registers them with the Functions host; tests call them directly with the same wiring.
 */
import { app, type HttpHandler, type InvocationContext, type TimerHandler } from '@azure/functions';
import type { OrchestrationHandler } from 'durable-functions';
import * as df from 'durable-functions';
import type { WorkflowDeps } from '#workflow/deps.ts';
import { type ActivityHandler, createActivityHandlers } from './activities.ts';
import {
  type ActivityName,
  ALL_ACTIVITY_NAMES,
  HTTP_START_NAME,
  HTTP_START_ROUTE,
  ORCHESTRATOR_NAME,
  TIMER_START_NAME,
} from './contracts.ts';
import { type AzureDepsOptions, buildAzureDeps } from './deps.ts';
import { createHttpStart } from './http-start.ts';
import { durableOrchestrator } from './orchestrator.ts';
import { type Env, type RunSettings, readRunSettings } from './settings.ts';
import type { RunStarterClient } from './start-run.ts';
import { createTimerStart } from './timer-start.ts';

export interface AzureAppOptions {
  /** App settings (default process.env), read once, at first use. */
  env?: Env;
  /** The Durable client of an invocation (default df.getClient). */
  clientFor?: (context: InvocationContext) => RunStarterClient;
  /** I/O and dependency overrides for the activities (tests). */
  deps?: AzureDepsOptions;
  clock?: () => Date;
}

export interface AzureApp {
  httpStart: HttpHandler;
  timerStart: TimerHandler;
  orchestrator: OrchestrationHandler;
  activities: Record<ActivityName, ActivityHandler>;
  runSettings: () => RunSettings;
  /** The activities' dependencies, built once per process. */
  workflowDeps: () => WorkflowDeps;
}

export function createAzureApp(options: AzureAppOptions = {}): AzureApp {
  const env = options.env ?? process.env;
  const runSettings = once(() => readRunSettings(env));
  const workflowDeps = once(() => buildAzureDeps(env, options.deps));
  const starter = {
    settings: runSettings,
    clientFor: options.clientFor ?? ((context: InvocationContext) => df.getClient(context)),
    ...(options.clock ? { clock: options.clock } : {}),
  };
  return {
    httpStart: createHttpStart(starter),
    timerStart: createTimerStart(starter),
    orchestrator: durableOrchestrator(),
    activities: createActivityHandlers(workflowDeps),
    runSettings,
    workflowDeps,
  };
}

/** Registers the handlers with the Functions host (the app's entry point calls this once). */
export function registerAzureApp(azure: AzureApp, schedule: string): void {
  app.http(HTTP_START_NAME, {
    methods: ['POST'],
    authLevel: 'function',
    route: HTTP_START_ROUTE,
    extraInputs: [df.input.durableClient()],
    handler: azure.httpStart,
  });
  app.timer(TIMER_START_NAME, {
    schedule,
    extraInputs: [df.input.durableClient()],
    handler: azure.timerStart,
  });
  df.app.orchestration(ORCHESTRATOR_NAME, azure.orchestrator);
  for (const name of ALL_ACTIVITY_NAMES) {
    df.app.activity(name, { handler: azure.activities[name] });
  }
}

/** Computes once; a failure is not kept, so a fixed setting works on the next call. */
function once<T>(make: () => T): () => T {
  let made: { value: T } | null = null;
  return () => {
    made ??= { value: make() };
    return made.value;
  };
}
