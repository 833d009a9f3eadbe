import { describe, expect, it } from '@jest/globals';
import type { HsmKey, HsmUser } from '#drivers/mgmt-util/listing.ts';
import { runStateMachineLocally, STATE_PAYLOAD_LIMIT_BYTES } from '#workflow/local-asl-runner.ts';
import { cluster, key, user } from '../support/core/builders.ts';
import { context, fakeDeps } from '../support/workflow/fake-deps.ts';
import { FakeDriver, type FakeNode } from '../support/workflow/fake-driver.ts';

// The AWS limits (shared/reference/cloud-apis.md): 28 HSMs per cluster, 16,666 token keys per hsm2m.medium HSM.
const NODES = 28;
const KEYS_PER_NODE = 16_666;
const USERS = 1_024;

describe('worst-case state payloads', () => {
  it(`keeps every state input and output under 256 KiB for ${NODES} nodes × ${KEYS_PER_NODE} keys`, async () => {
    const users: HsmUser[] = Array.from({ length: USERS }, (_, i) =>
      user(i + 1, i === 0 ? 'admin' : `crypto_user_${i}`, i === 0 ? 'PCO' : 'CU'),
    );
    const keys: HsmKey[] = Array.from({ length: KEYS_PER_NODE - 1 }, (_, i) =>
      key(262_144 + i, (i % (USERS - 1)) + 2, i % 7 === 0 ? [2, 3] : []),
    );
    const nodes: Record<string, FakeNode> = {};
    for (let i = 0; i < NODES; i += 1) {
      // Node 0 holds one key nobody else has: a single-node object, so Sync and Verify run too.
      nodes[`hsm-${i}`] = { users: [...users], keys: i === 0 ? [...keys, key(900_000, 2)] : [...keys] };
    }
    const c = cluster(NODES, 'cluster-worst-case');
    const driver = new FakeDriver(nodes);
    const { deps } = fakeDeps(c, driver);

    const result = await runStateMachineLocally({ input: { context: context(c.clusterId) }, deps });

    // Measured, printed for the record (the report quotes it).
    process.stdout.write(
      `largest state payload: ${result.largestPayload.bytes} bytes in ${result.largestPayload.state} ` +
        `(limit ${STATE_PAYLOAD_LIMIT_BYTES})\n`,
    );
    expect(result.status).toBe('succeeded');
    expect(result.visited).toContain('Verify');
    expect(
      result.state?.collected?.every((n) => n.keys === KEYS_PER_NODE || n.keys === KEYS_PER_NODE - 1),
    ).toBe(true);
    expect(result.state?.sync).toMatchObject({ synced: NODES - 1 });
    expect(result.largestPayload.bytes).toBeGreaterThan(0);
    expect(result.largestPayload.bytes).toBeLessThan(STATE_PAYLOAD_LIMIT_BYTES);
  });
});
