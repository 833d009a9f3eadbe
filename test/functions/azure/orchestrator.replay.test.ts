/**
 * The orchestrator under durable-functions' own replay executor (see replay.ts): same
 * states and retries as with the step-by-step driver, now re-run from history each episode.
 */
import { describe, expect, it } from '@jest/globals';
import { ACTIVITY_NAMES, type ActivityName } from '../../../functions/azure/contracts.ts';
import { durableOrchestrator } from '../../../functions/azure/orchestrator.ts';
import { HSM_FQDNS } from '../../support/azure/fake-azure.ts';
import { cluster, fail, ok, orchestrationInput } from '../../support/azure/orchestration-fixtures.ts';
import { replayOrchestrator } from '../../support/azure/replay.ts';

const input = orchestrationInput('chsm-prod-20261123T120000Z-replay');

function script() {
  let resolves = 0;
  let hsm2Reads = 0;
  const calls: string[] = [];
  const resolve = async (name: ActivityName, activityInput: unknown): Promise<unknown> => {
    const nodeId = (activityInput as { nodeId?: string }).nodeId;
    calls.push(nodeId ? `${name}(${nodeId})` : name);
    switch (name) {
      case ACTIVITY_NAMES.resolve:
        return ++resolves === 1 ? fail('ClusterNotStableError') : ok(cluster);
      case ACTIVITY_NAMES.collectNode:
        if (nodeId === HSM_FQDNS[1] && ++hsm2Reads === 1) return fail('TransportError');
        // hsm3 times out on every attempt: retried, then marked unreadable (never empty).
        if (nodeId === HSM_FQDNS[2]) return fail('CommandTimeoutError');
        return ok({ nodeId, status: 'read', reason: null, inventoryRef: `i-${nodeId}`, users: 1, keys: 1 });
      case ACTIVITY_NAMES.markUnreadable:
        return ok({
          nodeId,
          status: 'unreadable',
          reason: 'timeout',
          inventoryRef: `u-${nodeId}`,
          users: 0,
          keys: 0,
        });
      case ACTIVITY_NAMES.audit:
        return ok({ auditRef: 'a', planRef: 'p', writeAllowed: false });
      case ACTIVITY_NAMES.protect:
        return ok({ state: 'skipped', backupId: null, createdAt: null, detail: 'd', kept: [], copiedTo: [] });
      case ACTIVITY_NAMES.alert:
        return ok({
          reportRef: 'r',
          reportPageRef: 'rp',
          outcome: 'attention',
          alertSent: true,
          alertReason: 'published',
          subject: 's',
        });
      default:
        throw new Error(`unexpected activity ${name}`);
    }
  };
  return { resolve, calls };
}

describe('the orchestrator under Durable replay', () => {
  it('runs the states, the durable retry timers and the unreadable catch, deterministically', async () => {
    const { resolve, calls } = script();

    const run = await replayOrchestrator(durableOrchestrator(), input, resolve);

    expect(run.error).toBeNull();
    expect(run.output).toMatchObject({ outcome: 'attention', alertSent: true, runId: input.context.runId });
    expect(run.trace.map((t) => t.replace('hsmSentinel', ''))).toEqual([
      'Resolve',
      'timer:60000',
      'Resolve',
      'CollectNode',
      'CollectNode',
      'CollectNode',
      'timer:2000',
      'CollectNode',
      'CollectNode',
      'timer:4000',
      'CollectNode',
      'MarkUnreadable',
      'Audit',
      'Protect',
      'Alert',
    ]);
    // each activity ran once per scheduling, never again on replay
    expect(calls.filter((c) => c.endsWith(`(${HSM_FQDNS[2]})`))).toEqual([
      `hsmSentinelCollectNode(${HSM_FQDNS[2]})`,
      `hsmSentinelCollectNode(${HSM_FQDNS[2]})`,
      `hsmSentinelCollectNode(${HSM_FQDNS[2]})`,
      `hsmSentinelMarkUnreadable(${HSM_FQDNS[2]})`,
    ]);
    expect(run.statuses.at(-1)).toEqual({ step: 'Alert', runId: input.context.runId });
  });

  it('fails the instance with the step error after the failure alert', async () => {
    const { resolve } = script();
    const failing = async (name: ActivityName, activityInput: unknown) =>
      name === ACTIVITY_NAMES.audit ? fail('ParseError') : resolve(name, activityInput);

    const run = await replayOrchestrator(durableOrchestrator(), input, failing);

    expect(run.trace.at(-1)).toBe(ACTIVITY_NAMES.alert);
    expect(run.error?.message).toMatch(/failed in Audit: ParseError in test \(failure alert sent/);
  });
});
