/**
 * Hostile input at the doors that take it from outside: trigger events (EventBridge schedule,
 * CloudTrail scaling, runbook requests, the Function URL), cluster files, the run context a
 * step is handed, the artifact keys a store is asked for, and the CLI. Crafted to inject a
 * second command (a name, id or address with `\n`, `;`, a prompt), to escape the report folder
 * (`..`), or oversized. Each gets correct handling or a one-line error naming what is wrong,
 * in bounded time: never an injected command, never a stack trace.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { SFNClient } from '@aws-sdk/client-sfn';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { loadClusterFile } from '#cli/cluster-file.ts';
import { InvalidInputError } from '#core/errors.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import { credentialsSource } from '#providers/credentials.ts';
import { artifactKeys } from '#store/artifact-store.ts';
import { LocalFolderStore } from '#store/local-folder-store.ts';
import { normaliseTrigger } from '#workflow/triggers/normalise.ts';
import type { TriggerDefaults } from '#workflow/triggers/run-request.ts';
import { makeHandler as makeRunbookUrl } from '../../functions/aws/runbook-url.ts';
import { lambdaContext, quietObservability } from '../support/aws/lambda-test-kit.ts';
import { runCli } from '../support/cli/run-cli.ts';
import { firstRawCharacter } from '../support/core/raw-characters.ts';
import { boundedReporter } from '../support/faults/bounded-report.ts';
import { filesBelow } from '../support/faults/secret-scan.ts';
import { eventFixture } from '../support/fixtures.ts';

const CLUSTER = 'cluster-igklspoyj5v';
const DEFAULTS: TriggerDefaults = {
  clusterIds: [CLUSTER, 'cluster-jxhlf7644ne'],
  clusterIdsSetting: 'CLUSTER_IDS',
  provider: 'aws',
  policy: DEFAULT_POLICY,
};
/** Per case: far above what a correct check needs, far below a hang. */
const BOUND_MS = 2000;

/** What an attacker puts in a string: a second command, a prompt, escapes, climbs, sheer size. */
const hostileString = fc.oneof(
  fc.constantFrom(
    'cluster-igklspoyj5v\nsyncKey 262150 1',
    'cluster-igklspoyj5v; syncUser 3 1',
    'x\r\naws-cloudhsm> loginHSM CO admin guess',
    'server0>\nsyncKey 7 2',
    '\u001b[2J\u001b[Hcleared',
    '\u202eevil',
    '\u0000nul',
    '../../etc/passwd',
    '..',
    'runs/../../../tmp/x',
    '`touch /tmp/pwned`',
    '$(touch /tmp/pwned)',
    '\ufffd',
    '\u2028',
  ),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.integer({ min: 1, max: 4 }).map((mb) => 'A'.repeat(mb * 1024 * 1024)),
);

/** Replaces one string leaf (or adds a field) of a JSON value with a hostile string. */
function poisoned(base: unknown, path: readonly (string | number)[], value: unknown): unknown {
  if (path.length === 0) return value;
  const [head, ...rest] = path;
  if (Array.isArray(base)) {
    const copy = [...base];
    copy[Number(head) % Math.max(copy.length, 1)] = poisoned(
      copy[Number(head) % Math.max(copy.length, 1)],
      rest,
      value,
    );
    return copy;
  }
  const record = typeof base === 'object' && base !== null ? (base as Record<string, unknown>) : {};
  return { ...record, [String(head)]: poisoned(record[String(head)], rest, value) };
}

function leafPaths(value: unknown, prefix: (string | number)[] = []): (string | number)[][] {
  if (Array.isArray(value)) return value.flatMap((v, i) => leafPaths(v, [...prefix, i]));
  if (typeof value === 'object' && value !== null) {
    return Object.entries(value).flatMap(([k, v]) => leafPaths(v, [...prefix, k]));
  }
  return [prefix];
}

/** A refusal must be one line, of bounded length, with nothing raw in it. */
function expectOneLineError(error: unknown): void {
  expect(error).toBeInstanceOf(Error);
  const message = (error as Error).message;
  expect(message).not.toContain('\n');
  expect(message.length).toBeLessThan(4000);
  expect(firstRawCharacter(message)).toBeNull();
}

describe('trigger events crafted to inject or escape', () => {
  const events = ['scheduled-event', 'cloudtrail-create-hsm', 'cloudtrail-delete-hsm', 'runbook-request'].map(
    (name) => eventFixture(name),
  );
  const eventCases = fc.oneof(
    // One field of a real event replaced, or one field added.
    fc.tuple(fc.constantFrom(...events), fc.nat(), hostileString).map(([event, n, value]) => {
      const paths = leafPaths(event);
      return poisoned(event, paths[n % paths.length] as (string | number)[], value);
    }),
    fc.tuple(fc.constantFrom(...events), hostileString, hostileString).map(([event, k, v]) => ({
      ...event,
      [k.slice(0, 64)]: v,
    })),
    // Anything at all.
    fc.jsonValue({ maxDepth: 4 }),
    // Deep nesting where a policy is expected.
    fc.integer({ min: 1000, max: 20000 }).map((depth) => {
      let policy: unknown = {};
      for (let i = 0; i < depth; i++) policy = { maxActionsPerRun: policy };
      return { clusterId: CLUSTER, requestId: 'r-1', policy };
    }),
  );

  it('either the runs of configured clusters under safe names, or one clean line; bounded (600 cases)', () => {
    fc.assert(
      fc.property(eventCases, (event) => {
        const started = performance.now();
        try {
          const out = normaliseTrigger(event, DEFAULTS, 'invocation-1');
          for (const run of out.runs) {
            expect(DEFAULTS.clusterIds).toContain(run.clusterId);
            expect(run.executionName).toMatch(/^[A-Za-z0-9_-]{1,80}$/);
            // The detail is data (a rule ARN, a caller): kept as given, escaped where printed
            // (test/core/render-escaping.test.ts).
          }
          for (const reason of out.ignored) expectOneLineError(new Error(reason));
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidInputError);
          expectOneLineError(error);
        }
        expect(performance.now() - started).toBeLessThan(BOUND_MS);
      }),
      { numRuns: 600, seed: 0x7e57, reporter: boundedReporter },
    );
  });
});

describe('the runbook Function URL on crafted bodies', () => {
  const handler = makeRunbookUrl(
    {
      sfn: new SFNClient({ region: 'us-east-1' }),
      stateMachineArn: 'arn:aws:states:us-east-1:111122223333:stateMachine:hsm-sentinel',
      defaults: DEFAULTS,
      runLock: {
        acquire: async () => {
          throw new Error('no run may start from a crafted body');
        },
        takeOver: async () => {
          throw new Error('no run may start from a crafted body');
        },
        release: async () => {},
      },
      clock: () => new Date('2026-11-23T06:00:00.000Z'),
    },
    quietObservability(),
  );
  const post = (body: string) => ({
    version: '2.0',
    rawPath: '/',
    headers: {},
    body,
    isBase64Encoded: false,
    requestContext: {
      requestId: 'url-1',
      http: { method: 'POST' },
      authorizer: { iam: { userArn: 'arn:x' } },
    },
  });

  it.each([
    ['not JSON', '{"clusterId": "cluster-igklspoyj5v"\nsyncKey'],
    [
      'a key that types a command',
      JSON.stringify({ clusterId: CLUSTER, requestId: 'r', 'a\nsyncKey 7 1': 1 }),
    ],
    [
      'a cluster id with a line break',
      JSON.stringify({ clusterId: `${CLUSTER}\nsyncKey 7 1`, requestId: 'r' }),
    ],
    [
      '4 MB of unknown keys',
      JSON.stringify(
        Object.fromEntries(Array.from({ length: 40_000 }, (_, i) => [`k${'x'.repeat(90)}${i}`, i])),
      ),
    ],
    [
      'a policy 20,000 levels deep',
      `{"clusterId":"${CLUSTER}","requestId":"r","policy":${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}}`,
    ],
  ])('%s: 400 with one clean bounded line, nothing started', async (_what, body) => {
    const started = performance.now();
    const out = (await handler(post(body), lambdaContext())) as { statusCode: number; body: string };

    expect(out.statusCode).toBe(400);
    const { message } = JSON.parse(out.body) as { message: string };
    expectOneLineError(new Error(message));
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
  });
});

describe('a run context crafted to write outside its run folder', () => {
  it.each(['../runs/victim', '..', 'a/../../b', 'runs/../../state/x', 'x/y'])(
    'runId %j is refused by every step before anything is stored',
    async (runId) => {
      const { parseRunState } = await import('#workflow/schemas.ts');
      const context = {
        runId,
        clusterId: CLUSTER,
        provider: 'aws',
        policy: DEFAULT_POLICY,
        startedAt: '2026-11-23T06:00:00.000Z',
        trigger: { kind: 'schedule', detail: 'x' },
      };
      expect(() => parseRunState({ context }, 'Alert')).toThrow(InvalidInputError);
      try {
        parseRunState({ context }, 'Alert');
      } catch (error) {
        expectOneLineError(error);
      }
    },
  );

  it('a local folder store writes every artifact key inside its folder or refuses it (300 keys)', async () => {
    const root = mkdtempSync(join(tmpdir(), 'hsm-faults-store-'));
    const inside = join(root, 'store');
    try {
      const store = new LocalFolderStore(inside);
      const segment = fc.oneof(
        fc.constantFrom('..', '.', '', 'runs', 'state', '%2e%2e', '..\\..', '/', 'report.json'),
        fc.string({ maxLength: 8 }).filter((s) => !s.includes('\u0000')),
      );
      await fc.assert(
        fc.asyncProperty(fc.array(segment, { minLength: 1, maxLength: 6 }), async (parts) => {
          const key = parts.join('/');
          try {
            await store.putText(key, 'x');
            const written = resolve(join(inside, key));
            expect(written.startsWith(inside + sep)).toBe(true);
          } catch (error) {
            if (!(error instanceof InvalidInputError)) {
              // A key the file system cannot take (a name too long, a file where a folder is) is not an escape.
              expect((error as NodeJS.ErrnoException).code).toMatch(/^E[A-Z]+$/);
            }
          }
        }),
        { numRuns: 300, seed: 0xd07, asyncReporter: async (out) => boundedReporter(out) },
      );
      // Nothing appeared beside the store's folder.
      expect(readdirSync(root)).toEqual(['store']);
      // The keys of a run are always inside its own folder.
      for (const key of Object.values(artifactKeys).map((k) => k('run-1', 'before', '../../x'))) {
        expect(key.startsWith('runs/run-1/')).toBe(true);
        expect(key.split('/')).not.toContain('..');
      }
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});

describe('cluster files crafted to inject or escape', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hsm-faults-cluster-'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const base = {
    clusterId: 'prod-hsm',
    tool: 'mgmt-util-aws',
    command: ['/opt/cloudhsm/bin/cloudhsm_mgmt_util'],
    nodes: [
      { nodeId: 'hsm-abc', address: '10.0.2.9' },
      { nodeId: 'hsm-def', address: '10.0.3.11', port: 2225 },
    ],
    credentials: { from: 'env', passwordVariable: 'HSM_CO_PASSWORD', usernameVariable: 'HSM_CO_USER' },
    policy: { maxActionsPerRun: 20 },
    reportDir: 'reports',
  };

  it('either nodes the util config can hold verbatim, or one clean line naming the field (400 files)', async () => {
    let n = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(), hostileString, async (pick, value) => {
        const paths = leafPaths(base);
        const path = paths[pick % paths.length] as (string | number)[];
        const file = join(dir, `c-${n++}.json`);
        writeFileSync(file, JSON.stringify(poisoned(base, path, value)));
        const started = performance.now();
        try {
          const loaded = await loadClusterFile(file);
          for (const node of loaded.nodes) {
            // What reaches the util's config and its command lines: one word, no line break, no separator.
            expect(node.nodeId).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
            expect(node.address).toMatch(/^[A-Za-z0-9.:-]{1,253}$/);
          }
          expect(loaded.clusterId.length).toBeLessThanOrEqual(128);
        } catch (error) {
          expect(error).toBeInstanceOf(InvalidInputError);
          expectOneLineError(error);
          expect((error as Error).message).toContain(file);
        }
        expect(performance.now() - started).toBeLessThan(BOUND_MS);
      }),
      { numRuns: 400, seed: 0xc1f5, asyncReporter: async (out) => boundedReporter(out) },
    );
  });

  it('an oversized cluster file (20 MB) is refused in one line, in bounded time', async () => {
    const file = join(dir, 'big.json');
    writeFileSync(file, JSON.stringify({ ...base, clusterId: 'x'.repeat(20 * 1024 * 1024) }));
    const started = performance.now();
    await expect(loadClusterFile(file)).rejects.toThrow(/clusterId: Too big/);
    expect(performance.now() - started).toBeLessThan(BOUND_MS);
  });

  it('an unknown key of 100,000 characters with a line break is quoted escaped and cut, on one line', async () => {
    const file = join(dir, 'unknown-key.json');
    writeFileSync(file, JSON.stringify({ ...base, [`${'k'.repeat(100_000)}\nsyncKey 1 2`]: true }));

    const error = await loadClusterFile(file).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(InvalidInputError);
    expectOneLineError(error);
    expect((error as Error).message.length).toBeLessThan(2000);
    expect((error as Error).message).toMatch(/Unrecognized key: .*… \(\d+ characters\)/);
  });

  it('a password or user name that would type a second command is refused before any util starts', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom('\n', '\r', ' ', '\t', '\u2028', '\u0085', '\u000b'),
        fc.constantFrom('syncKey 262150 1', 'quit', 'loginHSM CO admin x'),
        async (separator, command) => {
          const password = `Good-Pass-1${separator}${command}`;
          const source = credentialsSource(
            { from: 'env', passwordVariable: 'P', usernameVariable: 'U' },
            { P: password, U: 'admin' },
          );
          try {
            const credentials = await source.get();
            // Accepted only when the util reads it as one word of one line.
            expect(credentials.password.reveal()).not.toMatch(/[\n\r]/);
            expect(credentials.password.reveal().split(/[\n\r]/)).toHaveLength(1);
          } catch (error) {
            expectOneLineError(error);
            expect((error as Error).message).not.toContain(command);
          }
          const user = credentialsSource(
            { from: 'env', passwordVariable: 'P', usernameVariable: 'U' },
            { P: 'Good-Pass-1', U: `admin${separator}${command}` },
          );
          await expect(user.get()).rejects.toThrow(/user name must be/);
        },
      ),
      { numRuns: 21 },
    );
  });
});

describe('the CLI on crafted cluster files, as a person runs it', () => {
  let dir: string;
  let marker: string;
  let util: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'hsm-faults-cli-'));
    marker = join(dir, 'util-ran');
    // A stand-in util that records that it was started: it must never be.
    util = join(dir, 'util.mjs');
    writeFileSync(
      util,
      `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'ran');`,
    );
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  const env = { HSM_CO_PASSWORD: 'Cli-Pass-1', HSM_CO_USER: 'admin' };
  const file = (name: string, overrides: Record<string, unknown>) => {
    const path = join(dir, name);
    writeFileSync(
      path,
      JSON.stringify({
        clusterId: 'cli-hostile',
        tool: 'mgmt-util-aws',
        command: [process.execPath, util],
        nodes: [{ nodeId: 'hsm-a', address: '127.0.0.1', port: 1 }],
        credentials: { from: 'env', passwordVariable: 'HSM_CO_PASSWORD', usernameVariable: 'HSM_CO_USER' },
        ...overrides,
      }),
    );
    return path;
  };

  it.each([
    [
      'a node address with a second command',
      { nodes: [{ nodeId: 'hsm-a', address: '127.0.0.1\nsyncKey 7 1' }] },
    ],
    ['a node id with a separator', { nodes: [{ nodeId: 'hsm-a;syncUser 3 1', address: '127.0.0.1' }] }],
    ['a prompt in the tool name', { tool: 'mgmt-util-aws\naws-cloudhsm>' }],
    ['an unknown field', { extra: '\u001b[2Jx' }],
    ['an unknown field whose name types a command', { 'x\nsyncKey 7 1\u001b[2J': 1 }],
  ])(
    '%s: exit 2 (an invalid file), one clean line on stderr, no stack trace, no util started',
    async (_what, overrides) => {
      const result = await runCli(['audit', '--cluster-file', file('bad.json', overrides)], {
        env,
        cwd: dir,
      });

      expect(result.code).toBe(2);
      const lines = result.stderr.split('\n').filter((l) => l !== '');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^hsm-sentinel audit: cluster file .*bad\.json: /);
      expect(firstRawCharacter(lines[0] ?? '')).toBeNull();
      expect(result.stderr).not.toMatch(/\n\s+at /);
      expect(existsSync(marker)).toBe(false);
    },
  );

  it('a policy field of the wrong type: exit 2, one clean line naming the file and the field, no util started', async () => {
    const path = file('policy.json', { policy: { maxActionsPerRun: '1; syncKey 7 1' } });
    const result = await runCli(['audit', '--cluster-file', path], { env, cwd: dir });

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^hsm-sentinel audit: cluster file .*policy\.json: policy\.maxActionsPerRun: [^\n]*\n$/,
    );
    expect(existsSync(marker)).toBe(false);
  });

  it('a user name with a second command, from the environment: refused at once in one line, no util started', async () => {
    const result = await runCli(['audit', '--cluster-file', file('ok.json', {}), '--json'], {
      env: { ...env, HSM_CO_USER: 'admin\nsyncKey 7 1' },
      cwd: dir,
    });

    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).error.message).toMatch(/user name must be/);
    expect(result.stderr.trim().split('\n')).toEqual([expect.stringMatching(/user name must be/)]);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(marker)).toBe(false);
  });

  it('a cluster id with a line break and escapes: printed escaped, the report kept inside reportDir', async () => {
    const own = mkdtempSync(join(dir, 'climb-'));
    const clusterDir = join(own, 'a', 'b');
    mkdirSync(clusterDir, { recursive: true });
    const path = join(clusterDir, 'cluster.json');
    writeFileSync(
      path,
      JSON.stringify({
        clusterId: 'evil\n\u001b[2Jaws-cloudhsm> syncKey 7 1',
        tool: 'mgmt-util-aws',
        command: [process.execPath, '-e', 'process.exit(0)'],
        nodes: [{ nodeId: 'hsm-a', address: '127.0.0.1', port: 1 }],
        credentials: { from: 'env', passwordVariable: 'HSM_CO_PASSWORD', usernameVariable: 'HSM_CO_USER' },
        reportDir: '../../etc',
      }),
    );

    const result = await runCli(['audit', '--cluster-file', path], { env, cwd: own });

    // A util that exits at once: every node unreadable, a report all the same.
    expect([1, 3]).toContain(result.code);
    expect(firstRawCharacter(result.stdout, { lineBreaks: true })).toBeNull();
    expect(result.stdout).toContain('evil\\n\\u001b[2Jaws-cloudhsm> syncKey 7 1');
    expect(result.stderr).not.toMatch(/\n\s+at /);
    // reportDir '../../etc' is the operator's folder relative to the cluster file: honoured, and
    // nothing is written anywhere else (reports, transcripts and memories all below it).
    const reports = join(own, 'etc');
    expect(filesBelow(reports).some((f) => f.endsWith('report.json'))).toBe(true);
    const outside = filesBelow(own).filter((f) => !f.startsWith(reports + sep));
    expect(outside.map((f) => f.slice(own.length + 1))).toEqual(['a/b/cluster.json']);
  });
});
