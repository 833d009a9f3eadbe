/**
 * `npm run soak [-- --runs N] [--seed S]`: N back-to-back executions of the real state machine
 * (default 200) against one emulated 3-node cluster on loopback, through the production
 * mgmt-util driver, with random drift and random faults between runs (seeded, repeatable):
 * - drift: a user or a key created on some nodes only; keys lost by one node (a node that
 *   self-healed without its objects); a key in two variants (another owner: divergent), which
 *   an operator later resolves by removing the minority copy;
 * - faults: a node down, refused logins, failing or lying inserts, a crash, a disconnect or a
 *   hang at one wire operation, a whole-node hang, a wrong password, an emulator restart.
 * Every run is checked against what the nodes really hold (test/support/faults/invariants.ts)
 * and the figures are printed: runs, drift injected, repaired, false findings, objects lost,
 * logins refused, accounts locked, max RSS, p50/p95 run time. Exit 1 when an object was lost,
 * a finding was false, an account was locked or a password leaked. Not part of `npm test`.
 */
import { parseArgs } from 'node:util';
import type { NodeFault } from '#emulator/faults.ts';
import {
  type ClusterView,
  falseFindings,
  refusedLogins,
  safetyViolations,
  viewOf,
} from '../support/faults/invariants.ts';
import { type Rig, runOnce, startRig, uniquePassword } from '../support/faults/rig.ts';
import { scanForSecret } from '../support/faults/secret-scan.ts';

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: '200' },
    seed: { type: 'string', default: '1' },
  },
});
const RUNS = Number(values.runs);
const SEED = Number(values.seed);
if (!Number.isInteger(RUNS) || RUNS < 1 || !Number.isInteger(SEED)) {
  process.stderr.write('usage: npm run soak -- [--runs N (>= 1)] [--seed S (integer)]\n');
  process.exit(2);
}

/** mulberry32: a small seeded generator, so a soak can be replayed. */
function generator(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = generator(SEED);
const chance = (p: number) => random() < p;
const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
const NODES = [0, 1, 2] as const;

/** A non-empty proper subset of the nodes: where a partial create landed. */
function someNodes(): number[] {
  for (;;) {
    const chosen = NODES.filter(() => chance(0.5));
    if (chosen.length > 0 && chosen.length < NODES.length) return chosen;
  }
}

const USER_POOL = Array.from({ length: 30 }, (_, i) => 10 + i);
const KEY_POOL = Array.from({ length: 60 }, (_, i) => 400_001 + i);
const OWNERS = [2, 4, 5];

const figures = {
  drift: { users: 0, keys: 0, lost: 0, divergent: 0, resolved: 0 },
  faults: 0,
  restarts: 0,
  wrongPasswordRuns: 0,
  copiesMade: 0,
  copiesVerified: 0,
  falseFindings: [] as string[],
  lost: [] as string[],
  guessed: [] as string[],
  refusedLogins: 0,
  lockedEver: new Set<string>(),
  failedRuns: 0,
  times: [] as number[],
  /** Heap after a full GC (MiB), after run 20 and after the last run: a leak shows as growth. */
  heap: [] as number[],
};

function heapAfterGc(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round((process.memoryUsage().heapUsed / 1024 / 1024) * 10) / 10;
}

function holders(view: ClusterView, key: string): number[] {
  return NODES.filter((i) => view.objects[i]?.has(key));
}

/** Random drift between two runs (what people, half-done operations and replaced HSMs leave). */
function injectDrift(rig: Rig): void {
  const cluster = rig.cluster;
  const operations = 1 + Math.floor(random() * 3);
  for (let n = 0; n < operations; n++) {
    const view = viewOf(cluster);
    const kind = pick(['user', 'key', 'key', 'self-heal', 'divergent', 'resolve'] as const);
    if (kind === 'user') {
      const id = pick(USER_POOL);
      if (holders(view, `user#${id}`).length > 0) continue;
      for (const i of someNodes()) {
        cluster.createUser(i, {
          userType: 'CU',
          username: `soak_u${id}`,
          password: uniquePassword('Cu'),
          userId: id,
        });
      }
      figures.drift.users += 1;
    } else if (kind === 'key') {
      const handle = pick(KEY_POOL);
      if (holders(view, `key#${handle}`).length > 0) continue;
      const material = Buffer.from(uniquePassword('K').padEnd(32, 'k').slice(0, 32)).toString('base64');
      const owner = pick(OWNERS);
      for (const i of someNodes()) cluster.createKey(i, { handle, owner, material });
      figures.drift.keys += 1;
    } else if (kind === 'self-heal') {
      // One node comes back without some keys every node held.
      const node = pick(NODES);
      const everywhere = [...(view.objects[node]?.keys() ?? [])].filter(
        (k) => k.startsWith('key#') && holders(view, k).length === NODES.length,
      );
      const count = 1 + Math.floor(random() * 3);
      for (let c = 0; c < count && everywhere.length > 0; c++) {
        const key = everywhere.splice(Math.floor(random() * everywhere.length), 1)[0] as string;
        if (cluster.forget(node, 'key', Number(key.slice(4)))) figures.drift.lost += 1;
      }
    } else if (kind === 'divergent') {
      const handle = pick(KEY_POOL);
      if (holders(view, `key#${handle}`).length > 0) continue;
      const [a, b] = [pick(NODES), pick(NODES)];
      if (a === b) continue;
      const owner = pick(OWNERS);
      cluster.createKey(a, { handle, owner });
      cluster.createKey(b, { handle, owner: owner === 5 ? 2 : owner + 1 });
      figures.drift.divergent += 1;
    } else {
      // An operator resolves a divergent key: the copy they judge wrong is removed by hand.
      const divergent = KEY_POOL.map((h) => `key#${h}`).filter(
        (k) => new Set(holders(view, k).map((i) => view.objects[i]?.get(k))).size > 1,
      );
      if (divergent.length === 0) continue;
      const key = pick(divergent);
      const copies = holders(view, key);
      if (cluster.forget(copies[copies.length - 1] as number, 'key', Number(key.slice(4)))) {
        figures.drift.resolved += 1;
      }
    }
  }
}

const TRIP_OPS = ['listUsers', 'login', 'findAllKeys', 'getKeyInfo', 'extractMasked', 'insertMasked'];

function randomFault(): NodeFault {
  return pick<NodeFault>([
    { down: true },
    { failInsert: 1 },
    { lieOnInsert: true },
    {
      tripOn: {
        op: pick(TRIP_OPS),
        action: pick(['crash', 'disconnect', 'hang'] as const),
        skip: pick([0, 1, 2]),
      },
    },
    { tripOn: { op: pick(TRIP_OPS), action: 'crash' } },
    { slowMs: 600_000 },
    { rejectLogin: true },
  ]);
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
}

async function main(): Promise<number> {
  const rig = await startRig();
  const wrong = uniquePassword('Wrong');
  let version = 1;
  const started = performance.now();
  try {
    for (let run = 1; run <= RUNS; run++) {
      const cluster = rig.cluster;
      await cluster.clearFaults();
      if (run > 1 && chance(0.8)) injectDrift(rig);
      if (run > 1 && chance(0.03)) {
        await rig.restart();
        figures.restarts += 1;
      }
      const faulty = run > 1 && chance(0.35);
      if (faulty) {
        await rig.cluster.setFault(pick(NODES), randomFault());
        figures.faults += 1;
      }
      const wrongPassword = run > 1 && chance(0.02);
      if (wrongPassword) figures.wrongPasswordRuns += 1;

      rig.cluster.resetLoginStats();
      const before = viewOf(rig.cluster);
      const result = await runOnce(rig, {
        version: `soak-${version}`,
        ...(wrongPassword ? { password: wrong } : {}),
        commandTimeoutMs: 2000,
      });
      const after = viewOf(rig.cluster);
      figures.times.push(result.elapsedMs);
      if (result.report === null || result.result.status === 'failed') figures.failedRuns += 1;

      const violations = safetyViolations(before, after, result.report);
      figures.lost.push(
        ...violations.filter((v) => /^(lost|changed)/.test(v)).map((v) => `run ${run}: ${v}`),
      );
      figures.guessed.push(
        ...violations.filter((v) => !/^(lost|changed|locked)/.test(v)).map((v) => `run ${run}: ${v}`),
      );
      for (const a of after.accounts.flat())
        if (a.locked) figures.lockedEver.add(`${a.nodeId}/${a.username}`);
      figures.falseFindings.push(
        ...falseFindings(before, result.report?.before ?? null).map((f) => `run ${run} (before): ${f}`),
        ...falseFindings(after, result.report?.after ?? null).map((f) => `run ${run} (after): ${f}`),
      );
      const refused = refusedLogins(rig.cluster).reduce((a, b) => a + b, 0);
      figures.refusedLogins += refused;

      const synced = (result.report?.results ?? []).filter((r) => r.outcome === 'synced');
      figures.copiesMade += synced.length;
      const unrecovered = new Map(
        (result.report?.verification?.unrecovered ?? []).map((u) => [
          u.objectId,
          [...u.missingOn, ...u.unknownOn],
        ]),
      );
      figures.copiesVerified += synced.filter(
        (r) => !(unrecovered.get(r.action.objectId) ?? []).includes(r.action.targetNodeId ?? ''),
      ).length;
      // A refused credential stays refused for its version: the operator stores a new one.
      if (refused > 0 || result.result.state?.collected?.some((n) => n.reason === 'login-refused-by-guard')) {
        version += 1;
      }
      if (run === Math.min(20, RUNS) || run === RUNS) figures.heap.push(heapAfterGc());
      if (run % 20 === 0 || run === RUNS) {
        process.stderr.write(
          `  ${run}/${RUNS} runs, ${Math.round((performance.now() - started) / 1000)} s\n`,
        );
      }
    }
    const leaks = [rig.password, wrong].flatMap((p) => scanForSecret(p, [rig.reportDir], {}).hits);
    const sorted = [...figures.times].sort((a, b) => a - b);
    const rssMiB = Math.round(process.resourceUsage().maxRSS / 1024);
    const d = figures.drift;
    const lines = [
      `soak: ${RUNS} runs (seed ${SEED}) against ${NODES.length} emulated HSMs, ${Math.round((performance.now() - started) / 1000)} s`,
      `  runs                 ${RUNS} (${figures.faults} with a fault injected, ${figures.restarts} emulator restarts, ${figures.wrongPasswordRuns} with a wrong password, ${figures.failedRuns} failed runs)`,
      `  drift injected       ${d.users + d.keys + d.lost + d.divergent} objects: ${d.users} users and ${d.keys} keys on some nodes only, ${d.lost} keys lost by one node, ${d.divergent} divergent keys (${d.resolved} resolved by hand later)`,
      `  repaired             ${figures.copiesVerified} copies verified on read-back (${figures.copiesMade} reported synced)`,
      `  false findings       ${figures.falseFindings.length}`,
      `  objects lost         ${figures.lost.length} (lost or changed); copied on a guess: ${figures.guessed.length}`,
      `  logins refused       ${figures.refusedLogins} (counted by the node servers)`,
      `  accounts locked      ${figures.lockedEver.size}`,
      `  passwords leaked     ${leaks.length} (report folder scanned: plain, base64, hex)`,
      `  max RSS              ${rssMiB} MiB (heap after GC: ${figures.heap[0]} MiB after run ${Math.min(20, RUNS)}, ${figures.heap.at(-1)} MiB after run ${RUNS})`,
      `  run time             p50 ${Math.round(percentile(sorted, 50))} ms, p95 ${Math.round(percentile(sorted, 95))} ms, max ${Math.round(sorted.at(-1) ?? 0)} ms`,
      ...[...figures.falseFindings, ...figures.lost, ...figures.guessed].slice(0, 20).map((x) => `  ! ${x}`),
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    const bad =
      figures.falseFindings.length +
      figures.lost.length +
      figures.guessed.length +
      figures.lockedEver.size +
      leaks.length;
    return bad === 0 ? 0 : 1;
  } finally {
    await rig.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `soak: ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}\n`,
    );
    process.exit(1);
  },
);
