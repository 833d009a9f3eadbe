/**
 * `POST /api/runs` (function key): a runbook start. The body is the runbook request every
 * entry takes (src/workflow/triggers/runbook-request.ts): `{clusterId, dryRun?, policy?,
 * requestedBy?, requestId?}`. 400 with the reason for a bad body; 409 naming the running
 * instance when the cluster has one; 200 for a retried request (same requestId, or the same
 * invocation); 202 with the Durable status-check response when started.
 */
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { HsmSentinelError, InvalidInputError } from '#core/errors.ts';
import { fromRunbookRequest } from '#workflow/triggers/runbook-request.ts';
import type { RunSettings } from './settings.ts';
import { type RunStarterClient, runContextOf, startUnlessRunning, triggerDefaults } from './start-run.ts';

export interface StarterOptions {
  /** The run settings, read once per process. */
  settings: () => RunSettings;
  /** The Durable client of this invocation (df.getClient(context)). */
  clientFor: (context: InvocationContext) => RunStarterClient;
  clock?: () => Date;
}

export function createHttpStart(options: StarterOptions): HttpHandler {
  const clock = options.clock ?? (() => new Date());
  return async (request: HttpRequest, context: InvocationContext): Promise<HttpResponseInit> => {
    let settings: RunSettings;
    try {
      settings = options.settings();
    } catch (error) {
      context.error(`configuration: ${(error as Error).message}`);
      return json(500, { error: `the Functions app is misconfigured: ${(error as Error).message}` });
    }
    let run: ReturnType<typeof fromRunbookRequest>;
    try {
      const body = await readBody(request);
      const who = request.headers.get('x-ms-client-principal-name');
      run = fromRunbookRequest(
        { ...body, ...(who ? { requestedBy: who } : {}) },
        triggerDefaults(settings),
        context.invocationId,
      );
    } catch (error) {
      if (error instanceof InvalidInputError) return json(400, { error: error.message });
      throw error;
    }
    const runContext = runContextOf(run, clock());
    const clusterId = run.clusterId;
    try {
      const client = options.clientFor(context);
      const outcome = await startUnlessRunning(client, runContext);
      if (outcome.started) {
        context.info(`started run ${runContext.runId} as instance ${outcome.instanceId}`);
        return client.createCheckStatusResponse(request, outcome.instanceId);
      }
      if (outcome.reason === 'duplicate') {
        context.info(
          `run ${runContext.runId} was started before (instance ${outcome.instanceId}): duplicate`,
        );
        return json(200, {
          duplicate: true,
          runId: runContext.runId,
          instanceId: outcome.instanceId,
          runtimeStatus: outcome.runtimeStatus,
        });
      }
      context.warn(
        `run for ${clusterId} not started: instance ${outcome.instanceId} is ${outcome.runtimeStatus}`,
      );
      return json(409, {
        error: `a run of cluster ${clusterId} is already ${outcome.runtimeStatus}: instance ${outcome.instanceId}${
          outcome.since ? ` (since ${outcome.since})` : ''
        }; wait for it to finish`,
        instanceId: outcome.instanceId,
        runtimeStatus: outcome.runtimeStatus,
      });
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      context.error(`could not start the run of ${clusterId}: ${err.name}: ${err.message}`);
      const status = err instanceof HsmSentinelError && err.name === 'ConfigurationError' ? 500 : 503;
      return json(status, { error: `could not start the run of ${clusterId}: ${err.message}` });
    }
  };
}

async function readBody(request: HttpRequest): Promise<Record<string, unknown>> {
  const text = await request.text();
  if (text.trim() === '') {
    throw new InvalidInputError(
      'the body is empty: send JSON {"clusterId": "<ARM id of the Cloud HSM cluster>"}',
    );
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidInputError(
      'the body is not JSON: send {"clusterId": "<ARM id>", "dryRun"?: true, "policy"?: {…}}',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new InvalidInputError('the body must be a JSON object {"clusterId": "<ARM id>", …}');
  }
  return value as Record<string, unknown>;
}

function json(status: number, body: unknown): HttpResponseInit {
  return { status, jsonBody: body };
}
