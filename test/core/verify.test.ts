import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY } from '#core/model.ts';
import { renderReport } from '#core/render-report.ts';
import { verify } from '#core/verify.ts';
import {
  auditOf as audit,
  cluster,
  key,
  planOf as plan,
  read,
  runReport,
  unreadable,
  user,
} from '../support/core/builders.ts';

const admin = user(1, 'admin', 'PCO');

describe('verify', () => {
  const c = cluster(3);
  const before = audit(c, [
    read('hsm-0', [admin], [key(262150)]),
    read('hsm-1', [admin]),
    read('hsm-2', [admin]),
  ]);
  const p = plan(c, before, DEFAULT_POLICY);

  it('never calls a node it could not read "missing", even when no readable node holds the object', () => {
    const after = audit(c, [unreadable('hsm-0'), read('hsm-1', [admin]), unreadable('hsm-2')]);

    const v = verify(p, after);

    expect(v.ok).toBe(false);
    expect(v.unrecovered).toEqual([
      { objectId: 'key:262150', label: 'key 262150', missingOn: ['hsm-1'], unknownOn: ['hsm-0', 'hsm-2'] },
    ]);
  });

  it('says on the report page which nodes could not be read back, not "missing on ?"', () => {
    const after = audit(c, [
      read('hsm-0', [admin], [key(262150)]),
      unreadable('hsm-1'),
      read('hsm-2', [admin], [key(262150)]),
    ]);
    const report = runReport({
      clusterId: c.clusterId,
      before,
      plan: p,
      after,
      verification: verify(p, after),
    });

    const page = renderReport(report, null);

    expect(page).toContain('NOT verified: key 262150 could not be read back on hsm-1');
    expect(page).not.toContain('missing on ?');
  });
});
