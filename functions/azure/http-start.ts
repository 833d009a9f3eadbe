/**
 * `POST /api/runs` (function key): a runbook start. Body `{clusterId, dryRun?, policy?}`.
 * 400 with the reason for a bad body; 409 naming the running instance when the cluster has
 * one; 202 with the Durable status-check response when started.
 */
import type { HttpHandler, HttpRequest, HttpResponseInit, InvocationContext } from '@azure/functions';
import { HsmSentinelError, InvalidInputError } from '#core/errors.ts';
import { resolvePolicy } from '#core/policy.ts';
import { parseClusterId, sameClusterId } from '#providers/azure/cluster-id.ts';
import { describeIssues, httpStartBodySchema } from './contracts.ts';
import type { RunSettings } from './settings.ts';
import { newRunContext, type RunStarterClient, startUnlessRunning } from './start-run.ts';

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
    let body: { clusterId: string; dryRun?: boolean; policy?: Record<string, unknown> };
    let policy: RunSettings['policy'];
    let clusterId: string;
    try {
      body = await readBody(request);
      clusterId = parseClusterId(body.clusterId).id;
      const configured = settings.clusterIds.find((id) => sameClusterId(id, clusterId));
      if (!configured) {
        throw new InvalidInputError(
          `cluster ${clusterId} is not one this app looks after (HSM_SENTINEL_CLUSTER_IDS): add it there first`,
        );
      }
      clusterId = configured;
      policy = resolvePolicy(
        { ...(body.policy ?? {}), ...(body.dryRun === undefined ? {} : { dryRun: body.dryRun }) },
        settings.policy,
      );
    } catch (error) {
      if (error instanceof InvalidInputError) return json(400, { error: error.message });
      throw error;
    }
    const who = request.headers.get('x-ms-client-principal-name') ?? 'a function-key holder';
    const runContext = newRunContext(
      clusterId,
      policy,
      { kind: 'runbook', detail: `HTTP ${context.invocationId} by ${who}` },
      clock(),
    );
    try {
      const client = options.clientFor(context);
      const outcome = await startUnlessRunning(client, runContext);
      if (!outcome.started) {
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
      }
      context.info(`started run ${runContext.runId} as instance ${outcome.instanceId}`);
      return client.createCheckStatusResponse(request, outcome.instanceId);
    } catch (error) {
      const err = error instanceof Error ? error : new Error(String(error));
      context.error(`could not start the run of ${clusterId}: ${err.name}: ${err.message}`);
      const status = err instanceof HsmSentinelError && err.name === 'ConfigurationError' ? 500 : 503;
      return json(status, { error: `could not start the run of ${clusterId}: ${err.message}` });
    }
  };
}

async function readBody(request: HttpRequest): Promise<{
  clusterId: string;
  dryRun?: boolean;
  policy?: Record<string, unknown>;
}> {
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
  const parsed = httpStartBodySchema.safeParse(value);
  if (!parsed.success)
    throw new InvalidInputError(`the body is not a run request: ${describeIssues(parsed.error)}`);
  const out: { clusterId: string; dryRun?: boolean; policy?: Record<string, unknown> } = {
    clusterId: parsed.data.clusterId,
  };
  if (parsed.data.dryRun !== undefined) out.dryRun = parsed.data.dryRun;
  if (parsed.data.policy !== undefined) out.policy = parsed.data.policy;
  return out;
}

function json(status: number, body: unknown): HttpResponseInit {
  return { status, jsonBody: body };
}
