/** The demo's exit rule: did the run tell its scenario's story? */
import { describe, expect, it } from '@jest/globals';
import { storyDifferences } from '#cli/demos/demo-story.ts';
import type { ActionResult } from '#core/model.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import { verify } from '#core/verify.ts';
import { auditOf, cluster, key, planOf, read, runReport, user } from '../support/core/builders.ts';

const c = cluster(2);
const admin = user(1, 'admin', 'PCO');
const before = auditOf(c, [
  read('hsm-0', [admin], [key(10), key(11, 3)]),
  read('hsm-1', [admin], [key(11, 4)]),
]);
const plan = planOf(c, before, DEFAULT_POLICY);
const after = auditOf(c, [
  read('hsm-0', [admin], [key(10), key(11, 3)]),
  read('hsm-1', [admin], [key(10), key(11, 4)]),
]);
const synced: ActionResult[] = plan.actions.map((action) => ({ action, outcome: 'synced', detail: '' }));
const story = { outcome: 'attention' as const, repaired: ['key:10'], leftForHuman: ['key:11'] };

describe('storyDifferences', () => {
  it('a run that repaired key 10 and left the divergent key 11: the story told (outcome attention)', () => {
    const report = runReport({
      cluster: c,
      before,
      plan,
      results: synced,
      after,
      verification: verify(plan, after),
      outcome: 'attention',
    });

    expect(storyDifferences(report, story)).toEqual([]);
  });

  it('a run that repaired nothing, or failed, did not tell it', () => {
    const none = runReport({ cluster: c, before, plan, results: [], after: before, outcome: 'attention' });
    const failed = runReport({
      failure: { step: 'Resolve', errorName: 'TransportError', message: 'x' },
      outcome: 'failed',
    });

    expect(storyDifferences(none, story)).toEqual(['key:10 was not copied']);
    expect(storyDifferences(failed, story)).toContain('outcome failed, expected attention');
    expect(storyDifferences(failed, undefined)).toEqual(['the run failed (TransportError)']);
  });
});
