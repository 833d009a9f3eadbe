/** A fake Lambda context and quiet Powertools instances whose metrics a test can read. */
import { jest } from '@jest/globals';
import type { Context } from 'aws-lambda';
import { type Observability, observability } from '../../../functions/aws/lambda.ts';

export function lambdaContext(requestId = 'c0ffee00-1111-2222-3333-444455556666'): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'hsm-sentinel-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:111122223333:function:hsm-sentinel-test',
    memoryLimitInMB: '512',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/hsm-sentinel-test',
    logStreamName: '2026/11/23/[$LATEST]0123456789abcdef',
    getRemainingTimeInMillis: () => 60_000,
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

export interface EmittedMetrics {
  dimensions: Record<string, string>;
  values: Record<string, number>;
  namespace: string;
}

/** Silent logger; each metrics flush is captured (as the EMF it would print) instead of printed. */
export function quietObservability(): Observability & { flushed: EmittedMetrics[] } {
  const obs = observability({ logLevel: 'SILENT' });
  const flushed: EmittedMetrics[] = [];
  jest.spyOn(obs.metrics, 'publishStoredMetrics').mockImplementation(() => {
    if (obs.metrics.hasStoredMetrics()) {
      const emf = obs.metrics.serializeMetrics() as unknown as Record<string, unknown> & {
        _aws: {
          CloudWatchMetrics: { Namespace: string; Dimensions: string[][]; Metrics: { Name: string }[] }[];
        };
      };
      const directive = emf._aws.CloudWatchMetrics[0];
      const names = directive?.Metrics.map((m) => m.Name) ?? [];
      flushed.push({
        namespace: directive?.Namespace ?? '',
        dimensions: Object.fromEntries((directive?.Dimensions[0] ?? []).map((d) => [d, String(emf[d])])),
        values: Object.fromEntries(names.map((n) => [n, Number(emf[n])])),
      });
    }
    obs.metrics.clearMetrics();
    obs.metrics.clearDimensions();
    return obs.metrics;
  });
  return { ...obs, flushed };
}
