/**
 * A wrong password everywhere (a rotated secret the deployment did not get), over many
 * scheduled runs: the node servers count every login request that reaches them. The HSMs
 * lock the account at 5 failed logins; hsm-sentinel must never get it there.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { receivedLogins, refusedLogins, safetyViolations, viewOf } from '../support/faults/invariants.ts';
import { type Rig, runOnce, startRig, uniquePassword } from '../support/faults/rig.ts';

let rig: Rig | null = null;
afterEach(async () => {
  await rig?.close();
  rig = null;
});

const failureCounts = (r: Rig) =>
  r.cluster.nodes.map((_, i) => r.cluster.readState(i).users.find((u) => u.username === 'admin'));

describe('a wrong password everywhere', () => {
  it('over 10 consecutive runs: at most one failed login per node for the secret version, no account locked', async () => {
    rig = await startRig();
    const wrong = uniquePassword('Wrong');
    const start = viewOf(rig.cluster);

    const runs = [];
    for (let i = 0; i < 10; i++) runs.push(await runOnce(rig, { password: wrong, version: 'v7' }));

    expect(refusedLogins(rig.cluster)).toEqual([1, 1, 1]);
    expect(receivedLogins(rig.cluster)).toEqual([1, 1, 1]);
    for (const admin of failureCounts(rig))
      expect(admin).toMatchObject({ loginFailureCount: 1, locked: false });
    expect(runs[0]?.result.state?.collected?.map((n) => n.reason)).toEqual([
      'login-failed',
      'login-failed',
      'login-failed',
    ]);
    for (const run of runs.slice(1)) {
      expect(run.result.state?.collected?.every((n) => n.reason === 'login-refused-by-guard')).toBe(true);
      expect(run.alerts.flatMap((a) => a.items.map((i) => i.category))).not.toContain('run-failed');
    }
    // Loud: the first run's alert is about the credential.
    expect(runs[0]?.alerts[0]?.severity).toBe('critical');
    expect(runs[0]?.alerts[0]?.items.some((i) => i.category === 'credentials')).toBe(true);
    expect(safetyViolations(start, viewOf(rig.cluster), runs[9]?.report ?? null)).toEqual([]);
  });

  it('a new secret version with the right password is used at once (and its success resets the count)', async () => {
    rig = await startRig();
    await runOnce(rig, { password: uniquePassword('Wrong'), version: 'v1' });

    const rotated = await runOnce(rig, { version: 'v2' });

    expect(rotated.result.state?.collected?.every((n) => n.status === 'read')).toBe(true);
    expect(rotated.report?.results.map((x) => x.outcome)).toEqual(['synced', 'synced', 'synced']);
    for (const admin of failureCounts(rig))
      expect(admin).toMatchObject({ loginFailureCount: 0, locked: false });
    // Another wrong version costs at most one more failed login per node.
    for (let i = 0; i < 3; i++) await runOnce(rig, { password: uniquePassword('Wrong'), version: 'v3' });
    expect(refusedLogins(rig.cluster)).toEqual([2, 2, 2]);
    for (const admin of failureCounts(rig))
      expect(admin).toMatchObject({ loginFailureCount: 1, locked: false });
  });

  it('with the memory lost before every run (a new report folder), the guard stops at the policy limit, never at the lock', async () => {
    rig = await startRig();
    const wrong = uniquePassword('Wrong');

    // Each run gets a fresh version: the credential memory never matches, only the guard stands.
    for (let i = 0; i < 8; i++) await runOnce(rig, { password: wrong, version: `lost-${i}` });

    // Policy loginFailureLimit 2: two failed logins per node, then listUsers shows 2 and no login is sent.
    expect(refusedLogins(rig.cluster)).toEqual([2, 2, 2]);
    for (const admin of failureCounts(rig))
      expect(admin).toMatchObject({ loginFailureCount: 2, locked: false });
  });
});
