/**
 * Invariants of audit -> plan -> (apply) -> audit -> verify over random clusters.
 * "Apply" copies an object from the source inventory to the target, as syncUser/syncKey do.
 */
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import {
  DEFAULT_POLICY,
  type NodeInventory,
  type Policy,
  type ReadInventory,
  type SyncAction,
} from '#core/model.ts';
import { verify } from '#core/verify.ts';
import { listingOf, type MgmtUtilListing } from '#drivers/mgmt-util/listing.ts';
import { keyObject, userObject } from '#drivers/mgmt-util/rules.ts';
import {
  auditOf as audit,
  cluster,
  key,
  planOf as plan,
  read,
  unreadable,
  user,
} from '../support/core/builders.ts';

const scenario = fc
  .record({
    nodeCount: fc.integer({ min: 1, max: 5 }),
    userNames: fc.uniqueArray(fc.constantFrom('admin', 'alice', 'bob', 'carol', 'dave', 'erin'), {
      maxLength: 6,
    }),
    keyHandles: fc.uniqueArray(fc.integer({ min: 1, max: 300000 }), { maxLength: 8 }),
  })
  .chain(({ nodeCount, userNames, keyHandles }) =>
    fc.record({
      nodeCount: fc.constant(nodeCount),
      readable: fc.array(fc.boolean(), { minLength: nodeCount, maxLength: nodeCount }),
      // For each object and node: absent (-1) or present with content variant 0 or 1.
      users: fc.array(
        fc.array(fc.integer({ min: -1, max: 1 }), { minLength: nodeCount, maxLength: nodeCount }),
        {
          minLength: userNames.length,
          maxLength: userNames.length,
        },
      ),
      keys: fc.array(
        fc.array(fc.integer({ min: -1, max: 1 }), { minLength: nodeCount, maxLength: nodeCount }),
        {
          minLength: keyHandles.length,
          maxLength: keyHandles.length,
        },
      ),
      userNames: fc.constant(userNames),
      keyHandles: fc.constant(keyHandles),
      policy: fc.record({
        requireAllNodesLoggedIn: fc.boolean(),
        maxActionsPerRun: fc.integer({ min: 0, max: 40 }),
        allowedKinds: fc.subarray(['user', 'key'] as const),
      }),
    }),
  );

type Scenario = typeof scenario extends fc.Arbitrary<infer T> ? T : never;

function inventoriesOf(s: Scenario): NodeInventory[] {
  return Array.from({ length: s.nodeCount }, (_, n) => {
    const nodeId = `hsm-${n}`;
    if (!s.readable[n]) return unreadable(nodeId);
    // Variant 1 of a user has another type (same id), of a key another owner.
    const users = s.userNames.flatMap((name, u) => {
      const v = s.users[u]?.[n] ?? -1;
      return v < 0 ? [] : [user(u + 10, name, v === 0 ? 'CU' : 'CO')];
    });
    const keys = s.keyHandles.flatMap((handle, k) => {
      const v = s.keys[k]?.[n] ?? -1;
      return v < 0 ? [] : [key(handle, v === 0 ? 3 : 4)];
    });
    return read(nodeId, users, keys);
  });
}

/** What syncUser/syncKey do: copy the object as the source holds it; never touch anything else. */
function apply(inventories: NodeInventory[], actions: readonly SyncAction[]): NodeInventory[] {
  const next = inventories.map((inv) => {
    if (inv.status !== 'read') return inv;
    const l = listingOf(inv.listing, inv.nodeId);
    const copy: MgmtUtilListing = { ...l, users: [...l.users], keys: [...l.keys] };
    return { ...inv, listing: copy };
  });
  const find = (id: string | null) => {
    const inv = next.find((i) => i.nodeId === id) as ReadInventory;
    return listingOf(inv.listing, inv.nodeId);
  };
  for (const action of actions) {
    const source = find(action.sourceNodeId);
    const target = find(action.targetNodeId);
    if (action.kind === 'user') {
      const u = source.users.find((x) => userObject(x).id === action.objectId);
      if (u && !target.users.some((x) => userObject(x).id === action.objectId)) target.users.push(u);
    } else {
      const k = source.keys.find((x) => keyObject(x).id === action.objectId);
      if (k && !target.keys.some((x) => keyObject(x).id === action.objectId)) target.keys.push(k);
    }
  }
  return next;
}

function contents(inv: NodeInventory): string[] {
  if (inv.status !== 'read') return [];
  const l = listingOf(inv.listing, inv.nodeId);
  return [
    ...l.users.map((u) => `${inv.nodeId}|${userObject(u).id}|${u.userType}|${u.userId}`),
    ...l.keys.map((k) => `${inv.nodeId}|${keyObject(k).id}|${k.owner}`),
  ];
}

function run(s: Scenario) {
  const c = cluster(s.nodeCount);
  const policy: Policy = { ...DEFAULT_POLICY, ...s.policy, allowedKinds: [...s.policy.allowedKinds] };
  const before = inventoriesOf(s);
  const found = audit(c, before);
  const p = plan(c, found, policy);
  const after = apply(before, p.actions);
  const reaudit = audit(c, after);
  return { c, before, found, p, after, reaudit, verification: verify(p, reaudit) };
}

describe('audit / plan / verify invariants', () => {
  it('after sync and verify every planned object is on every readable node', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { p, reaudit, verification } = run(s);
        expect(verification.unrecovered.filter((u) => u.missingOn.length > 0)).toEqual([]);
        for (const action of p.actions) {
          expect(reaudit.objects.find((f) => f.objectId === action.objectId)?.missingOn).toEqual([]);
        }
      }),
    );
  });

  it('repairs every repairable object when the policy allows it and all nodes are read', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const all = {
          ...s,
          readable: s.readable.map(() => true),
          policy: {
            ...s.policy,
            maxActionsPerRun: 1000,
            allowedKinds: ['user', 'key'] as ('user' | 'key')[],
          },
        };
        const { reaudit } = run(all);
        for (const finding of reaudit.objects) expect(['consistent', 'divergent']).toContain(finding.status);
      }),
    );
  });

  it('never removes or changes anything a node held', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { before, after } = run(s);
        const afterSet = new Set(after.flatMap(contents));
        for (const item of before.flatMap(contents)) expect(afterSet.has(item)).toBe(true);
      }),
    );
  });

  it('never puts a divergent object into a plan', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { found, p } = run(s);
        const divergent = new Set(
          found.objects.filter((f) => f.status === 'divergent').map((f) => f.objectId),
        );
        for (const action of p.actions) expect(divergent.has(action.objectId)).toBe(false);
      }),
    );
  });

  it('never reports an object missing on a node that could not be listed, nor writes to it', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { found, p, before } = run(s);
        const unread = before.filter((i) => i.status !== 'read').map((i) => i.nodeId);
        for (const finding of found.objects)
          for (const id of unread) expect(finding.missingOn).not.toContain(id);
        for (const action of p.actions) {
          expect(unread).not.toContain(action.targetNodeId);
          expect(unread).not.toContain(action.sourceNodeId);
        }
      }),
    );
  });

  it('keeps every plan within the policy', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        const { p, before } = run(s);
        expect(p.actions.length).toBeLessThanOrEqual(s.policy.maxActionsPerRun);
        for (const action of p.actions) expect(s.policy.allowedKinds).toContain(action.kind);
        if (s.policy.requireAllNodesLoggedIn && before.some((i) => i.status !== 'read'))
          expect(p.actions).toEqual([]);
      }),
    );
  });
});
