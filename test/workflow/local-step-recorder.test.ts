/** The report's timeline from the local runner's events: times, Map items, retries, a caught failure. */
import { describe, expect, it } from '@jest/globals';
import type { LocalStateEvent } from '#workflow/local-asl-runner.ts';
import { LocalStepRecorder } from '#workflow/local-step-recorder.ts';

const at = (s: number) => Date.parse('2026-12-01T10:00:00.000Z') + s * 1000;
const iso = (s: number) => new Date(at(s)).toISOString();
const e = (
  kind: LocalStateEvent['kind'],
  state: string,
  s: number,
  extra: Partial<LocalStateEvent> = {},
): LocalStateEvent => ({
  kind,
  state,
  stateType: 'Task',
  timestamp: at(s),
  bytes: 0,
  ...extra,
});

describe('LocalStepRecorder', () => {
  it('records each state entered with its times, its node, its retries and how it ended', () => {
    const recorder = new LocalStepRecorder();
    for (const event of [
      e('entered', 'Resolve', 0),
      e('exited', 'Resolve', 1),
      e('entered', 'WriteAllowed?', 1, { stateType: 'Choice' }),
      e('entered', 'CollectNode', 1, { index: 0, item: 'hsm-0' }),
      e('failed', 'CollectNode', 2, { index: 0, item: 'hsm-0', error: 'TransportError' }),
      e('retried', 'CollectNode', 3, { index: 0, item: 'hsm-0', attempt: 1 }),
      e('exited', 'CollectNode', 4, { index: 0, item: 'hsm-0' }),
      e('entered', 'Sync', 5),
      e('failed', 'Sync', 6, { error: 'MembershipChangedError' }),
      e('caught', 'Sync', 6),
      e('exited', 'Sync', 6),
      e('entered', 'Alert', 7),
    ])
      recorder.record(event);

    expect(recorder.steps()).toEqual([
      { name: 'Resolve', startedAt: iso(0), endedAt: iso(1), outcome: 'succeeded' },
      {
        name: 'CollectNode',
        item: 'hsm-0',
        startedAt: iso(1),
        endedAt: iso(4),
        outcome: 'succeeded',
        retries: 1,
      },
      {
        name: 'Sync',
        startedAt: iso(5),
        endedAt: iso(6),
        outcome: 'caught',
        error: 'MembershipChangedError',
      },
      { name: 'Alert', startedAt: iso(7), endedAt: null, outcome: 'running' },
    ]);
  });
});
