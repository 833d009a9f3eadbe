/**
 * What every handler shares: the middy chain (Powertools logger context, metrics flush,
 * error names), the Powertools instances, and a cold-start-once builder. A handler file
 * only says how to validate its input and which step to call.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import middy from '@middy/core';
import type { Context } from 'aws-lambda';
import { HsmSentinelError } from '#core/errors.ts';
import type { StepLogger } from '#workflow/deps.ts';
import { METRICS_NAMESPACE } from '#workflow/run-metrics.ts';

export const SERVICE_NAME = 'hsm-sentinel';
export { METRICS_NAMESPACE };

export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

/** One Logger and one Metrics per process (POWERTOOLS_* variables still apply). */
export function observability(
  options: { logLevel?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR' | 'SILENT' } = {},
): Observability {
  const logger = new Logger({
    serviceName: SERVICE_NAME,
    ...(options.logLevel ? { logLevel: options.logLevel } : {}),
  });
  const metrics = new Metrics({
    namespace: METRICS_NAMESPACE,
    serviceName: SERVICE_NAME,
    // Most steps emit no metric: say so at debug level, not as a warning on every invocation.
    logger: {
      trace: () => {},
      debug: logger.debug.bind(logger),
      info: logger.info.bind(logger),
      warn: logger.debug.bind(logger),
      error: logger.error.bind(logger),
    },
  });
  return { logger, metrics };
}

export const defaultObservability: Observability = observability();

/** The steps' logger, writing through Powertools (structured, with the Lambda context). */
export function stepLogger(logger: Logger): StepLogger {
  return {
    info: (message, fields = {}) => logger.info(message, fields),
    warn: (message, fields = {}) => logger.warn(message, fields),
    error: (message, fields = {}) => logger.error(message, fields),
  };
}

export type LambdaHandler<TResult> = (event: unknown, context: Context) => Promise<TResult>;

/**
 * Wraps `run` in middy with the Powertools middlewares. Errors keep their class and `name`
 * (the Lambda runtime reports `errorType = error.name`, which the ASL Retry/Catch match);
 * a thrown non-Error becomes an HsmSentinelError so it still has a name and a message.
 */
export function lambdaHandler<TResult>(
  step: string,
  run: (event: unknown, context: Context) => Promise<TResult>,
  obs: Observability = defaultObservability,
): LambdaHandler<TResult> {
  const handler = middy(run)
    .use(injectLambdaContext(obs.logger, { resetKeys: true }))
    .use(logMetrics(obs.metrics))
    .use({
      onError: (request) => {
        const error =
          request.error instanceof Error
            ? request.error
            : new HsmSentinelError(`${step}: threw a non-Error value: ${String(request.error)}`);
        request.error = error;
        obs.logger.error(`${step} failed`, { errorName: error.name, errorMessage: error.message });
      },
    });
  return handler as unknown as LambdaHandler<TResult>;
}

/**
 * The deployed handler: builds its dependencies (env, SDK clients) once, on the first
 * invocation of the process, then reuses them. A missing variable fails that invocation
 * with a ConfigurationError naming it, and the next invocation tries again.
 */
export function coldStartOnce<TResult>(build: () => LambdaHandler<TResult>): LambdaHandler<TResult> {
  let built: LambdaHandler<TResult> | null = null;
  return async (event, context) => {
    built ??= build();
    return built(event, context);
  };
}
