/**
 * The safety promises, checked on what the emulated HSMs hold before and after a run
 * (object by object, node by node), never on what hsm-sentinel says it did:
 * - nothing removed, nothing changed (every object a node held is still there, identical);
 * - nothing copied on a guess: an object that appeared on a node was on another node before,
 *   identical, was not divergent (every copy the same, no other object in its slot), and every
 *   node had been read by that run before it wrote;
 * - no account locked, and no more failed logins than the rules allow.
 */
import type { RunReport } from '#core/report.ts';
import type { EmulatedCluster } from '#emulator/cluster.ts';
import type { NodeSnapshot } from '#emulator/node-state.ts';

/** One node's objects: `user#<id>` / `key#<handle>` → the fields that make it that object. */
export type NodeObjects = Map<string, string>;

export interface ClusterView {
  nodeIds: string[];
  objects: NodeObjects[];
  accounts: { nodeId: string; username: string; loginFailureCount: number; locked: boolean }[][];
}

export function objectsOf(snapshot: NodeSnapshot): NodeObjects {
  const objects: NodeObjects = new Map();
  for (const u of snapshot.users) {
    objects.set(
      `user#${u.userId}`,
      JSON.stringify({
        userId: u.userId,
        userType: u.userType,
        username: u.username,
        mofnPubKey: u.mofnPubKey,
        twoFactor: u.twoFactor,
      }),
    );
  }
  for (const k of snapshot.keys) {
    objects.set(
      `key#${k.handle}`,
      JSON.stringify({
        handle: k.handle,
        owner: k.owner,
        sharedWith: k.sharedWith,
        fingerprint: k.fingerprint,
        label: k.label ?? null,
      }),
    );
  }
  return objects;
}

export function viewOf(cluster: EmulatedCluster): ClusterView {
  const snapshots = cluster.nodes.map((_, i) => cluster.readState(i));
  return {
    nodeIds: snapshots.map((s) => s.nodeId),
    objects: snapshots.map(objectsOf),
    accounts: snapshots.map((s) =>
      s.users.map((u) => ({
        nodeId: s.nodeId,
        username: u.username,
        loginFailureCount: u.loginFailureCount,
        locked: u.locked,
      })),
    ),
  };
}

/** Objects that appeared on each node (`<nodeId> <object>`). */
export function added(before: ClusterView, after: ClusterView): string[] {
  return after.objects.flatMap((objects, i) =>
    [...objects.keys()].filter((k) => !before.objects[i]?.has(k)).map((k) => `${after.nodeIds[i]} ${k}`),
  );
}

function usernameOf(value: string): string | null {
  const parsed = JSON.parse(value) as { username?: string };
  return parsed.username ?? null;
}

/**
 * Every broken promise, one line each; empty when the run kept them all. `report` is the
 * run's (null: it wrote none): a write is allowed only when its Collect read every node.
 */
export function safetyViolations(
  before: ClusterView,
  after: ClusterView,
  report: RunReport | null,
): string[] {
  const violations: string[] = [];
  const allRead =
    report?.before !== null &&
    report?.before !== undefined &&
    report.before.nodeIds.length === before.nodeIds.length &&
    report.before.readableNodeIds.length === before.nodeIds.length;

  before.objects.forEach((objects, i) => {
    const node = before.nodeIds[i];
    for (const [key, value] of objects) {
      const now = after.objects[i]?.get(key);
      if (now === undefined) violations.push(`lost: ${key} is no longer on ${node}`);
      else if (now !== value) violations.push(`changed: ${key} on ${node} was ${value}, is ${now}`);
    }
  });

  after.objects.forEach((objects, i) => {
    const node = after.nodeIds[i];
    for (const [key, value] of objects) {
      if (before.objects[i]?.has(key)) continue;
      const holders = before.objects.flatMap((o, j) => (j !== i && o.has(key) ? [o.get(key) as string] : []));
      if (!allRead) violations.push(`copied while a node was unread: ${key} appeared on ${node}`);
      if (holders.length === 0) violations.push(`invented: ${key} appeared on ${node}, no node held it`);
      else if (new Set(holders).size > 1)
        violations.push(`copied a divergent object: ${key} (${holders.length} variants) to ${node}`);
      else if (holders[0] !== value) violations.push(`copied something else: ${key} on ${node} is ${value}`);
      const name = usernameOf(value);
      if (name !== null) {
        // The same user name under another id anywhere is a divergent user: no copy.
        const clash = before.objects.some((o) =>
          [...o.entries()].some(([k, v]) => k !== key && k.startsWith('user#') && usernameOf(v) === name),
        );
        if (clash) violations.push(`copied user ${name} (${key}) to ${node} while its name has another id`);
      }
    }
  });

  for (const accounts of after.accounts) {
    for (const a of accounts) {
      if (a.locked) violations.push(`locked: ${a.username} on ${a.nodeId}`);
    }
  }
  return violations;
}

/** What each node's login counter says since the last reset: refused logins per node. */
export function refusedLogins(cluster: EmulatedCluster): number[] {
  return cluster.nodes.map((_, i) => cluster.loginStats(i).refused);
}

export function receivedLogins(cluster: EmulatedCluster): number[] {
  return cluster.nodes.map((_, i) => cluster.loginStats(i).received);
}

/** The nodes that hold an object of the audit (`user:<name>` by name, `key:<handle>` by handle), and its copies. */
function holdersOf(view: ClusterView, objectId: string): Map<string, string> {
  const holders = new Map<string, string>();
  const [kind, id = ''] = objectId.split(/:(.*)/s);
  view.objects.forEach((objects, i) => {
    for (const [key, value] of objects) {
      const match =
        kind === 'user'
          ? key.startsWith('user#') && usernameOf(value)?.toLowerCase() === id
          : key === `key#${id}`;
      if (match) holders.set(view.nodeIds[i] as string, value);
    }
  });
  return holders;
}

/**
 * Where an audit disagrees with what the nodes really held when they were read: a node said
 * to hold an object that it lacks (or the reverse), a finding of "consistent" for copies that
 * differ, an object on a read node that the audit does not list. Empty when every finding is true.
 */
export function falseFindings(view: ClusterView, audit: RunReport['before']): string[] {
  if (!audit) return [];
  const wrong: string[] = [];
  const readable = new Set(audit.readableNodeIds);
  for (const finding of audit.objects) {
    const holders = holdersOf(view, finding.objectId);
    for (const n of finding.presentOn)
      if (!holders.has(n)) wrong.push(`${finding.objectId}: said present on ${n}, which lacks it`);
    for (const n of finding.missingOn) {
      if (holders.has(n)) wrong.push(`${finding.objectId}: said missing on ${n}, which holds it`);
      if (!readable.has(n)) wrong.push(`${finding.objectId}: said missing on ${n}, which was not read`);
    }
    if (finding.status === 'consistent') {
      // "On every readable node, identical" (core/audit.ts); unread nodes are unknown.
      const read = [...holders].filter(([n]) => readable.has(n));
      const copies = new Set(read.map(([, v]) => v));
      if (read.length !== readable.size || copies.size !== 1)
        wrong.push(
          `${finding.objectId}: said consistent, held by ${read.length} of ${readable.size} read node(s) in ${copies.size} form(s)`,
        );
    }
  }
  const listed = new Set(audit.objects.map((f) => f.objectId));
  view.objects.forEach((objects, i) => {
    const node = view.nodeIds[i] as string;
    if (!readable.has(node)) return;
    for (const [key, value] of objects) {
      const id = key.startsWith('user#') ? `user:${usernameOf(value)?.toLowerCase()}` : `key:${key.slice(4)}`;
      if (!listed.has(id)) wrong.push(`${id} on ${node} is not in the audit`);
    }
  });
  return wrong;
}
