/**
 * What the emulated `cloudhsm-cli` computes from every configured HSM's view: the cluster-wide
 * user and key entries with their `cluster-coverage`, `key-coverage` and `inconsistent` values.
 * Pure functions over what each HSM answered (in config order).
 *
 * Users (documented, troubleshoot-sdk5-inconsistent-value.html): `cluster-coverage` is `full`
 * when the user is on every configured HSM, else `inconsistent`; `role`, `locked` and each MFA
 * strategy's `status` are `inconsistent` when the HSMs holding the user disagree (an MFA
 * strategy missing on some of them counts as a disagreement). Names compare case-insensitively.
 *
 * Keys (UNCONFIRMED, by analogy): a key's `cluster-coverage` is `full` when every configured
 * HSM holds it with the same content (fingerprint), else `inconsistent`; an owner's or shared
 * user's `key-coverage` is `full` when every configured HSM holds the key with that user in that
 * place. Attributes come from the lowest-numbered HSM holding the key.
 */
import type { Sdk5KeyView, Sdk5Mfa, Sdk5UserView } from '../node-state.ts';

export type Coverage = 'full' | 'inconsistent';

/** One `user list` entry, in the vendor's field order and spelling. */
export interface CliUserEntry {
  username: string;
  role: string;
  locked: 'true' | 'false' | 'inconsistent';
  mfa: Array<{ strategy: string; status: Sdk5Mfa['status'] | 'inconsistent' }>;
  quorum: never[];
  'cluster-coverage': Coverage;
}

/** One key across the cluster: the attributes of its first holder plus the coverage values. */
export interface ClusterKey {
  key: Sdk5KeyView;
  clusterCoverage: Coverage;
  owners: Array<{ username: string; coverage: Coverage }>;
  sharedUsers: Array<{ username: string; coverage: Coverage }>;
  /** How many configured HSMs hold the key (the key availability check wants 2). */
  holders: number;
}

function agreed<T>(values: readonly T[], inconsistent: T): T {
  const first = values[0] as T;
  return values.every((v) => v === first) ? first : inconsistent;
}

/** The cluster-wide `user list` entries, ordered by first appearance (HSM 0's order first). */
export function mergeUsers(perHsm: ReadonlyArray<readonly Sdk5UserView[]>): CliUserEntry[] {
  const byName = new Map<string, Sdk5UserView[]>();
  for (const users of perHsm) {
    for (const user of users) {
      const name = user.username.toLowerCase();
      const copies = byName.get(name) ?? [];
      copies.push(user);
      byName.set(name, copies);
    }
  }
  return [...byName].map(([username, copies]) => {
    const strategies = [...new Set(copies.flatMap((c) => c.mfa.map((m) => m.strategy)))];
    return {
      username,
      role: agreed(
        copies.map((c) => c.role),
        'inconsistent',
      ),
      locked: agreed<CliUserEntry['locked']>(
        copies.map((c) => (c.locked ? 'true' : 'false')),
        'inconsistent',
      ),
      mfa: strategies.map((strategy) => ({
        strategy,
        status: agreed<CliUserEntry['mfa'][number]['status']>(
          copies.map((c) => c.mfa.find((m) => m.strategy === strategy)?.status ?? 'inconsistent'),
          'inconsistent',
        ),
      })),
      quorum: [],
      'cluster-coverage': copies.length === perHsm.length ? 'full' : 'inconsistent',
    };
  });
}

/** A user id's name on any HSM, when the HSM holding the key does not know it. */
function nameOf(
  user: { userId: number; username: string | null },
  perHsmUsers: ReadonlyArray<ReadonlyMap<number, string>>,
): string {
  if (user.username !== null) return user.username.toLowerCase();
  for (const names of perHsmUsers) {
    const name = names.get(user.userId);
    if (name !== undefined) return name.toLowerCase();
  }
  return `unknown-user-${user.userId}`;
}

/**
 * The cluster-wide entries of the given keys, in the order of `handles`. `perHsm[i]` maps a
 * handle to HSM i's copy (absent: HSM i does not hold it, or not for this session);
 * `perHsmUsers[i]` maps HSM i's user ids to names.
 */
export function mergeKeys(
  handles: readonly number[],
  perHsm: ReadonlyArray<ReadonlyMap<number, Sdk5KeyView>>,
  perHsmUsers: ReadonlyArray<ReadonlyMap<number, string>> = [],
): ClusterKey[] {
  return handles.flatMap((handle) => {
    const copies = perHsm.map((keys) => keys.get(handle));
    const present = copies.filter((c): c is Sdk5KeyView => c !== undefined);
    const first = present[0];
    if (first === undefined) return [];
    const owners = present.map((c) => nameOf(c.owner, perHsmUsers));
    const shared = present.map((c) => c.shared.map((u) => nameOf(u, perHsmUsers)));
    const coverage = (has: (copy: Sdk5KeyView) => boolean): Coverage =>
      copies.every((c) => c !== undefined && has(c)) ? 'full' : 'inconsistent';
    const indexOf = (copy: Sdk5KeyView) => present.indexOf(copy);
    return [
      {
        key: first,
        clusterCoverage: coverage((c) => c.fingerprint === first.fingerprint),
        owners: [...new Set(owners)].map((username) => ({
          username,
          coverage: coverage((c) => owners[indexOf(c)] === username),
        })),
        sharedUsers: [...new Set(shared.flat())].map((username) => ({
          username,
          coverage: coverage((c) => (shared[indexOf(c)] ?? []).includes(username)),
        })),
        holders: present.length,
      },
    ];
  });
}
