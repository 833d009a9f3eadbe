/**
 * Randomised fault schedules (fast-check, fixed seed, no shrinking: a failure is reported as
 * found, with the seed and path to replay it). Each schedule loads a random drift into the
 * emulated cluster and runs the real state machine once or twice, with random faults per node
 * (down, whole-node hang, refused logins, failing or lying inserts, a crash, a disconnect or a
 * hang at one wire operation) and a random policy. After every run:
 * - no object lost or changed on any node; nothing copied while a node was unread, nothing
 *   divergent copied, nothing invented (safetyViolations);
 * - what the audit said is what the nodes held (falseFindings, before and after);
 * - no account locked; no node saw more refused logins than the guard's limit for the
 *   schedule's secret version;
 * - the run left a report and threw nothing; no password in its log lines, output or alerts
 *   (and, at the end, in any file below the report folder).
 * The 100 schedules are two suites of 50 (random-schedules-1/-2) so two jest workers share them.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { DEFAULT_POLICY } from '#core/model.ts';
import { Secret } from '#core/secret.ts';
import { falseFindings, refusedLogins, safetyViolations, viewOf } from './invariants.ts';
import { type Rig, runOnce, startRig, uniquePassword } from './rig.ts';
import { describeDrift, describeFaults, driftArb, nodeFaultsArb, policyArb, seedOf } from './schedules.ts';
import { scanForSecret, scanText } from './secret-scan.ts';

const COMMAND_TIMEOUT_MS = 800;

const scheduleArb = fc.record({
  drift: driftArb,
  wrongPassword: fc.oneof(
    { weight: 9, arbitrary: fc.constant(false) },
    { weight: 1, arbitrary: fc.constant(true) },
  ),
  runs: fc.array(fc.record({ faults: nodeFaultsArb, policy: policyArb }), { minLength: 1, maxLength: 2 }),
});

/** Declares one jest suite of `count` schedules from `seed` (HSM_FAULT_SCHEDULES overrides the count). */
export function scheduleSuite(name: string, seed: number, count: number): void {
  const schedules = Number(process.env.HSM_FAULT_SCHEDULES ?? count);
  let rig: Rig;
  const wrongPassword = uniquePassword('Wrong');
  const seen = { runs: 0, writes: 0, faultyRuns: 0, ms: [] as number[] };

  beforeAll(async () => {
    rig = await startRig();
  });
  afterAll(async () => {
    await rig.close();
  });

  describe(`randomised fault schedules (${name}, seed ${seed})`, () => {
    it(`${schedules} schedules keep every promise after every run`, async () => {
      let index = 0;
      await fc.assert(
        fc.asyncProperty(scheduleArb, async (schedule) => {
          index += 1;
          const version = `${name}-schedule-${index}`;
          const cluster = rig.cluster;
          await cluster.clearFaults();
          cluster.seed(seedOf(schedule.drift, new Secret(rig.password)));
          cluster.resetLoginStats();
          for (const [runIndex, plan] of schedule.runs.entries()) {
            await cluster.clearFaults();
            for (const [node, fault] of plan.faults.entries()) {
              if (Object.keys(fault).length > 0) await cluster.setFault(node, fault);
            }
            const before = viewOf(cluster);
            const run = await runOnce(rig, {
              version,
              ...(schedule.wrongPassword ? { password: wrongPassword } : {}),
              policy: plan.policy,
              commandTimeoutMs: COMMAND_TIMEOUT_MS,
            });
            const after = viewOf(cluster);
            seen.runs += 1;
            seen.ms.push(run.elapsedMs);
            if ((run.report?.results ?? []).some((x) => x.outcome === 'synced')) seen.writes += 1;
            if (describeFaults(plan.faults) !== '') seen.faultyRuns += 1;

            const limit = plan.policy.loginFailureLimit ?? DEFAULT_POLICY.loginFailureLimit;
            const problems = [
              ...safetyViolations(before, after, run.report),
              ...falseFindings(before, run.report?.before ?? null).map((f) => `before: ${f}`),
              ...falseFindings(after, run.report?.after ?? null).map((f) => `after: ${f}`),
              ...refusedLogins(cluster).flatMap((n, i) =>
                n > limit ? [`node ${i} refused ${n} logins for one secret version (limit ${limit})`] : [],
              ),
              ...after.accounts
                .flat()
                .filter((a) => a.username === 'admin' && a.loginFailureCount > limit)
                .map((a) => `admin has ${a.loginFailureCount} failed logins on ${a.nodeId}`),
              ...(run.thrown ? [`the run threw ${run.thrown.name}: ${run.thrown.message}`] : []),
              ...(run.report === null
                ? [`no report (${run.result.error?.name}: ${run.result.error?.cause})`]
                : []),
              ...[rig.password, wrongPassword].flatMap((secret) =>
                [
                  ...scanText('log', run.log.join('\n'), secret),
                  ...scanText('output', run.output, secret),
                  ...scanText('alerts', JSON.stringify(run.alerts), secret),
                  ...scanText('error', JSON.stringify(run.result.error), secret),
                ].map((hit) => `password (${hit.encoding}) in the run's ${hit.where}`),
              ),
            ];
            if (problems.length > 0) {
              throw new Error(
                [
                  `schedule ${index} run ${runIndex + 1}: ${problems.length} broken promise(s)`,
                  `drift: ${describeDrift(schedule.drift)}`,
                  `faults: ${describeFaults(plan.faults) || 'none'}; policy ${JSON.stringify(plan.policy)}; wrong password: ${schedule.wrongPassword}`,
                  `outcome: ${run.report?.outcome ?? run.result.status}; states: ${run.result.visited.join(' > ')}`,
                  ...problems.slice(0, 20),
                ].join('\n'),
              );
            }
          }
        }),
        { numRuns: schedules, seed, endOnFailure: true },
      );

      expect(index).toBe(schedules);
      // The schedules did exercise writes and faults (a property over nothing proves nothing).
      expect(seen.writes).toBeGreaterThanOrEqual(Math.floor(schedules / 10));
      expect(seen.faultyRuns).toBeGreaterThanOrEqual(Math.floor(schedules / 4));
      const files = scanForSecret(rig.password, [rig.reportDir], {});
      const wrongFiles = scanForSecret(wrongPassword, [rig.reportDir], {});
      expect(files.files).toBeGreaterThan(seen.runs);
      expect([...files.hits, ...wrongFiles.hits]).toEqual([]);
      const sorted = [...seen.ms].sort((a, b) => a - b);
      process.stdout.write(
        `random schedules ${name}: ${schedules} schedules, ${seen.runs} runs (${seen.faultyRuns} with faults, ${seen.writes} writing), ` +
          `run p50 ${Math.round(sorted[Math.floor(sorted.length / 2)] ?? 0)} ms, max ${Math.round(sorted.at(-1) ?? 0)} ms; ` +
          `${files.files} report files scanned\n`,
      );
    }, 600_000);
  });
}
