/**
 * Lambda `runbook-url` (docs/CONTRACTS-aws.md): the runbook entry as a Function URL with
 * AWS_IAM auth. POST a runbook request (`{clusterId, dryRun?, policy?, requestId?}`); it is
 * normalised exactly as the trigger does, `requestedBy` is the signed caller's ARN, and the
 * answer is 202 started, 409 already running (naming the running execution), 200 duplicate,
 * or 400 with the field that is wrong.
 */
import type { LambdaFunctionURLEventWithIAMAuthorizer, LambdaFunctionURLResult } from 'aws-lambda';
import { InvalidInputError } from '#core/errors.ts';
import { startRun } from '#providers/aws/step-functions-starter.ts';
import { fromRunbookRequest } from '#workflow/triggers/runbook-request.ts';
import { awsTriggerDeps, type TriggerDeps } from './deps.ts';
import { coldStartOnce, defaultObservability, lambdaHandler, type Observability } from './lambda.ts';

export function makeHandler(deps: TriggerDeps, obs: Observability = defaultObservability) {
  return lambdaHandler(
    'RunbookUrl',
    async (event): Promise<LambdaFunctionURLResult> => {
      const request = event as LambdaFunctionURLEventWithIAMAuthorizer;
      try {
        if (request.requestContext?.http?.method !== 'POST') {
          return respond(405, { error: 'MethodNotAllowed', message: 'POST a JSON runbook request' });
        }
        const body = jsonBody(request);
        const caller = request.requestContext.authorizer?.iam?.userArn;
        const runbook = { ...body, ...(caller ? { requestedBy: caller } : {}) };
        const run = fromRunbookRequest(runbook, deps.defaults, request.requestContext.requestId);
        const outcome = await startRun(deps.sfn, deps.stateMachineArn, run, deps.clock(), deps.runLock);
        obs.logger.info('runbook outcome', { ...outcome, requestedBy: caller ?? null });
        if (outcome.started) return respond(202, outcome);
        return respond(outcome.reason === 'already running' ? 409 : 200, outcome);
      } catch (error) {
        if (error instanceof InvalidInputError)
          return respond(400, { error: error.name, message: error.message });
        throw error;
      }
    },
    obs,
  );
}

function jsonBody(request: LambdaFunctionURLEventWithIAMAuthorizer): Record<string, unknown> {
  const text = request.isBase64Encoded
    ? Buffer.from(request.body ?? '', 'base64').toString('utf8')
    : (request.body ?? '');
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new InvalidInputError('runbook request: the body is not JSON (expected {"clusterId": …})');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new InvalidInputError(
      'runbook request: the body must be a JSON object (expected {"clusterId": …})',
    );
  }
  if ('source' in parsed || 'detail-type' in parsed) {
    throw new InvalidInputError(
      'runbook URL: only runbook requests are accepted here, not EventBridge events',
    );
  }
  return parsed as Record<string, unknown>;
}

function respond(statusCode: number, body: unknown): LambdaFunctionURLResult {
  return { statusCode, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
}

export const handler = coldStartOnce(() => makeHandler(awsTriggerDeps()));
