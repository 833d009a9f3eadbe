import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from '@jest/globals';
import { ERROR_NAMES } from '#core/errors.ts';
import {
  DEFAULT_DEFINITION_PATH,
  substitutePlaceholders,
  taskStateNames,
} from '#workflow/local-asl-runner.ts';
import {
  COLLECT_RETRY,
  NEVER_RETRIED,
  RESOLVE_RETRY,
  type RetryRule,
  SERVICE_SYNC_RECHECK,
} from '#workflow/retry-policy.ts';
import { WORKFLOW_STEPS } from '#workflow/steps/index.ts';

/** asl-validator ships no types: its CommonJS export, typed as its README documents it. */
type AslValidator = (
  definition: unknown,
  options?: { checkPaths?: boolean; checkArn?: boolean },
) => { isValid: boolean; errorsText: (separator?: string) => string };
const aslValidator = createRequire(import.meta.url)('asl-validator') as AslValidator;

interface Retrier {
  ErrorEquals: string[];
  IntervalSeconds?: number;
  MaxAttempts?: number;
  BackoffRate?: number;
  JitterStrategy?: string;
}
interface Catcher {
  ErrorEquals: string[];
  Next: string;
  ResultPath?: string;
}
interface State {
  Type: string;
  Resource?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next: string }[];
  Retry?: Retrier[];
  Catch?: Catcher[];
  ItemProcessor?: Definition;
  Parameters?: Record<string, unknown>;
  ItemSelector?: Record<string, unknown>;
  ItemsPath?: string;
  ResultPath?: string;
  MaxConcurrency?: number;
  Seconds?: number;
}
interface Definition {
  Comment?: string;
  StartAt: string;
  States: Record<string, State>;
}

const text = readFileSync(DEFAULT_DEFINITION_PATH, 'utf8');
const definition = JSON.parse(text) as Definition;
const top = definition.States;
const collect = top.CollectNodes?.ItemProcessor as Definition;

function allStates(def: Definition): [string, State][] {
  return Object.entries(def.States).flatMap(([name, state]) => [
    [name, state] as [string, State],
    ...(state.ItemProcessor ? allStates(state.ItemProcessor) : []),
  ]);
}

function retrierFor(state: State | undefined, errorName: string): Retrier | undefined {
  return state?.Retry?.find((r) => r.ErrorEquals.includes(errorName));
}

function expectRetryMatches(retrier: Retrier | undefined, rule: RetryRule): void {
  expect(retrier).toBeDefined();
  expect([...(retrier?.ErrorEquals ?? [])].sort()).toEqual([...rule.errors].sort());
  expect(retrier).toMatchObject({
    IntervalSeconds: rule.intervalSeconds,
    MaxAttempts: rule.maxAttempts,
    BackoffRate: rule.backoffRate,
  });
}

describe('statemachines/audit-and-sync.asl.json', () => {
  it('is a valid state machine for asl-validator', () => {
    const { isValid, errorsText } = aslValidator(definition);
    expect(errorsText('\n')).toBe('');
    expect(isValid).toBe(true);
    expect(definition.Comment).toMatch(/hsm-sentinel/);
    // With the substitutions filled in (as CDK's definitionSubstitutions do), ARNs and paths check too.
    const substituted = aslValidator(JSON.parse(substitutePlaceholders(text)), {
      checkArn: true,
      checkPaths: true,
    });
    expect(substituted.errorsText('\n')).toBe('');
    expect(substituted.isValid).toBe(true);
  });

  it('has the state names and substitutions of docs/CONTRACTS-aws.md', () => {
    const names = allStates(definition).map(([name]) => name);
    for (const name of [
      'Resolve',
      'ClusterWide?',
      'CollectNodes',
      'CollectNode',
      'MarkUnreadable',
      'CollectCluster',
      'MarkClusterUnreadable',
      'Audit',
      'RecheckDue?',
      'WaitForServiceSync',
      'WriteAllowed?',
      'Sync',
      'Verify',
      'Protect',
      'Alert',
      'FailureAlert',
      'RunFailed',
      'Done',
    ]) {
      expect(names).toContain(name);
    }
    expect(top.CollectNodes?.Type).toBe('Map');
    expect(top['WriteAllowed?']?.Type).toBe('Choice');
    expect(top.RunFailed?.Type).toBe('Fail');
    expect(top.Done?.Type).toBe('Succeed');
    const substitutions = [...new Set([...text.matchAll(/\$\{([A-Za-z]+)\}/g)].map((m) => m[1]))].sort();
    expect(substitutions).toEqual([
      'AlertFunctionArn',
      'AuditFunctionArn',
      'CollectClusterFunctionArn',
      'CollectNodeFunctionArn',
      'MarkUnreadableFunctionArn',
      'ProtectFunctionArn',
      'ResolveFunctionArn',
      'SyncFunctionArn',
      'VerifyFunctionArn',
    ]);
    expect(top.FailureAlert?.Resource).toBe(top.Alert?.Resource);
    expect(top.Alert?.Resource).toMatch(/^\$\{AlertFunctionArn\}$/);
  });

  it("has exactly the Task states of the step list, each calling its step's function", () => {
    // The list drives the Lambdas, the Azure activities, the local runner and the CDK
    // substitutions: a Task the list lacks, or a step without its Task, fails here.
    expect(taskStateNames(definition).sort()).toEqual(WORKFLOW_STEPS.flatMap((s) => s.tasks).sort());
    const resources = Object.fromEntries(
      allStates(definition)
        .filter(([, s]) => s.Type === 'Task')
        .map(([name, s]) => [name, s.Resource]),
    );
    for (const step of WORKFLOW_STEPS) {
      for (const task of step.tasks)
        expect([task, resources[task]]).toEqual([task, `\${${step.substitution}}`]);
    }
  });

  it('names only errors the code throws (ERROR_NAMES) or States.* / Lambda.* in Retry and Catch', () => {
    const known = new Set<string>(Object.values(ERROR_NAMES));
    const used = allStates(definition).flatMap(([, s]) => [
      ...(s.Retry ?? []).flatMap((r) => r.ErrorEquals),
      ...(s.Catch ?? []).flatMap((c) => c.ErrorEquals),
    ]);
    expect(used.length).toBeGreaterThan(0);
    for (const name of used) {
      expect(known.has(name) || name.startsWith('States.') || name.startsWith('Lambda.')).toBe(true);
    }
  });

  it('never retries a credentials rejection (nor a membership change) anywhere', () => {
    for (const [, state] of allStates(definition)) {
      for (const retrier of state.Retry ?? []) {
        for (const name of NEVER_RETRIED) expect(retrier.ErrorEquals).not.toContain(name);
        expect(retrier.ErrorEquals).not.toContain('States.ALL');
        expect(retrier.ErrorEquals).not.toContain('States.TaskFailed');
      }
    }
    expect(text).not.toMatch(/"Retry"[^\]]*CredentialsRejectedError/);
  });

  it('retries Collect per COLLECT_RETRY with full jitter, then marks only an unreachable or timed-out node unreadable', () => {
    const node = collect.States.CollectNode;
    const retrier = retrierFor(node, ERROR_NAMES.transport);
    expectRetryMatches(retrier, COLLECT_RETRY);
    expect(retrier?.JitterStrategy).toBe('FULL');
    expect(node?.Catch).toEqual([
      {
        ErrorEquals: [ERROR_NAMES.transport, ERROR_NAMES.commandTimeout, 'States.Timeout'],
        ResultPath: '$.error',
        Next: 'MarkUnreadable',
      },
    ]);
    expect(collect.States.MarkUnreadable?.Parameters).toEqual({
      'context.$': '$.context',
      'nodeId.$': '$.nodeId',
      'error.$': '$.error',
    });
    expect(top.CollectNodes).toMatchObject({
      ItemsPath: '$.cluster.nodes',
      ResultPath: '$.collected',
      ItemSelector: {
        'context.$': '$.context',
        'cluster.$': '$.cluster',
        'nodeId.$': '$$.Map.Item.Value.nodeId',
      },
    });
    expect(top.CollectNodes?.MaxConcurrency).toBeGreaterThan(0);
  });

  it('collects a cluster-wide tool once: retried per COLLECT_RETRY, then every node marked unreadable', () => {
    expect(top['ClusterWide?']).toMatchObject({
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.cluster.addressing', IsPresent: true },
            { Variable: '$.cluster.addressing', StringEquals: 'cluster-wide' },
          ],
          Next: 'CollectCluster',
        },
      ],
      Default: 'CollectNodes',
    });
    const cc = top.CollectCluster;
    expectRetryMatches(retrierFor(cc, ERROR_NAMES.transport), COLLECT_RETRY);
    expect(retrierFor(cc, ERROR_NAMES.transport)?.JitterStrategy).toBe('FULL');
    expect(cc).toMatchObject({
      Parameters: { 'context.$': '$.context', 'cluster.$': '$.cluster' },
      ResultPath: '$.collected',
      Next: 'Audit',
    });
    expect(cc?.Catch).toEqual([
      {
        ErrorEquals: [ERROR_NAMES.transport, ERROR_NAMES.commandTimeout, 'States.Timeout'],
        ResultPath: '$.collectError',
        Next: 'MarkClusterUnreadable',
      },
      { ErrorEquals: ['States.ALL'], ResultPath: '$.failureRaw', Next: 'CollectFailed' },
    ]);
    expect(top.MarkClusterUnreadable).toMatchObject({
      Resource: cc?.Resource,
      Parameters: { 'context.$': '$.context', 'cluster.$': '$.cluster', 'error.$': '$.collectError' },
      ResultPath: '$.collected',
      Next: 'Audit',
      Catch: [{ ErrorEquals: ['States.ALL'], ResultPath: '$.failureRaw', Next: 'CollectFailed' }],
    });
  });

  it('waits SERVICE_SYNC_RECHECK.waitSeconds and reads again while the audit says a re-check is due', () => {
    expect(top['RecheckDue?']).toMatchObject({
      Type: 'Choice',
      Choices: [
        {
          And: [
            { Variable: '$.audit.recheck.due', IsPresent: true },
            { Variable: '$.audit.recheck.due', BooleanEquals: true },
          ],
          Next: 'WaitForServiceSync',
        },
      ],
      Default: 'WriteAllowed?',
    });
    expect(top.WaitForServiceSync).toMatchObject({
      Type: 'Wait',
      Seconds: SERVICE_SYNC_RECHECK.waitSeconds,
      Next: 'Resolve',
    });
  });

  it('retries Resolve per RESOLVE_RETRY while the cluster is not stable', () => {
    expectRetryMatches(retrierFor(top.Resolve, ERROR_NAMES.clusterNotStable), RESOLVE_RETRY);
  });

  it('retries Lambda service errors on every Task', () => {
    for (const [name, state] of allStates(definition)) {
      if (state.Type !== 'Task') continue;
      expect([name, retrierFor(state, 'Lambda.ServiceException')?.ErrorEquals]).toEqual([
        name,
        expect.arrayContaining(['Lambda.TooManyRequestsException', 'Lambda.AWSLambdaException']),
      ]);
    }
  });

  it('routes every failure to FailureAlert with its step name, and FailureAlert always to RunFailed', () => {
    const steps: Record<string, string> = {
      Resolve: 'Resolve',
      CollectNodes: 'Collect',
      Audit: 'Audit',
      Sync: 'Sync',
      Verify: 'Verify',
      Protect: 'Protect',
      Alert: 'Alert',
    };
    for (const [stateName, step] of Object.entries(steps)) {
      const catcher = top[stateName]?.Catch?.[0];
      expect(catcher).toMatchObject({ ErrorEquals: ['States.ALL'], ResultPath: '$.failureRaw' });
      const shaper = top[catcher?.Next ?? ''];
      expect(shaper).toMatchObject({
        Type: 'Pass',
        ResultPath: '$.failure',
        Next: 'FailureAlert',
        Parameters: { step, 'errorName.$': '$.failureRaw.Error', 'message.$': '$.failureRaw.Cause' },
      });
    }
    expect(top.FailureAlert?.Next).toBe('RunFailed');
    expect(top.FailureAlert?.Catch?.[0]).toMatchObject({ ErrorEquals: ['States.ALL'], Next: 'RunFailed' });
    expect(top.RunFailed).toMatchObject({ ErrorPath: '$.failure.errorName', CausePath: '$.failure.message' });
  });

  it('follows the loop: Resolve → ClusterWide? → CollectNodes|CollectCluster → Audit → RecheckDue? → WriteAllowed? → Sync → Verify → Protect → Alert → Done', () => {
    expect(definition.StartAt).toBe('Resolve');
    expect(top.Resolve?.Next).toBe('ClusterWide?');
    expect(top.CollectNodes?.Next).toBe('Audit');
    expect(top.CollectCluster?.Next).toBe('Audit');
    expect(top.Audit?.Next).toBe('RecheckDue?');
    expect(top['WriteAllowed?']).toMatchObject({
      Choices: [{ Variable: '$.audit.writeAllowed', BooleanEquals: true, Next: 'Sync' }],
      Default: 'Protect',
    });
    expect(top.Sync?.Next).toBe('Verify');
    expect(top.Verify?.Next).toBe('Protect');
    expect(top.Protect?.Next).toBe('Alert');
    expect(top.Alert?.Next).toBe('Done');
    const resultPaths = Object.fromEntries(
      ['Resolve', 'Audit', 'Sync', 'Verify', 'Protect', 'Alert', 'FailureAlert'].map((n) => [
        n,
        top[n]?.ResultPath,
      ]),
    );
    expect(resultPaths).toEqual({
      Resolve: '$.cluster',
      Audit: '$.audit',
      Sync: '$.sync',
      Verify: '$.verify',
      Protect: '$.backup',
      Alert: '$.alert',
      FailureAlert: '$.alert',
    });
  });
});
