/**
 * Server-side key synchronization, as AWS describes it for SDK 5 clusters: "AWS CloudHSM keeps
 * the keys on the individual HSMs in sync… Periodically clones keys to every HSM in the
 * cluster", with masked (encrypted) objects and the appliance user's credentials, never for
 * users ("there is no server-side mechanism to synchronize HSM users across the cluster").
 *
 * Emulated: a key missing from a reachable HSM for at least `delayMs` is copied there (as a
 * masked blob) from the lowest-numbered reachable HSM that holds it. Not copied: into an HSM
 * whose `holdKeySync` fault is set (the delay starts again when it is cleared), from or to an
 * HSM that is `down`, and a key whose holders disagree on its content (a divergent key; what
 * the real service does then is not documented).
 */
import { EmulatedHsmError } from '../hsm-error.ts';

/** What the sync needs of one HSM (the cluster harness adapts its node servers). */
export interface KeySyncNode {
  /** Keys held now, with their content digest. */
  keys(): ReadonlyArray<{ handle: number; fingerprint: string }>;
  /** False while the node is down. */
  reachable(): boolean;
  /** True while the `holdKeySync` fault holds keys back from this node. */
  held(): boolean;
  extract(handle: number): string;
  insert(blob: string): void;
}

/** One key copied by the service. */
export interface KeySyncCopy {
  handle: number;
  from: number;
  to: number;
}

export interface ServiceKeySyncOptions {
  /** How long a key must have been missing from an HSM before it is copied there. */
  delayMs: number;
  now?: () => number;
}

export class ServiceKeySync {
  readonly #nodes: () => readonly KeySyncNode[];
  readonly #delayMs: number;
  readonly #now: () => number;
  /** `handle:nodeIndex` → when the key was first seen missing there. */
  #missingSince = new Map<string, number>();
  #timer: NodeJS.Timeout | null = null;

  constructor(nodes: () => readonly KeySyncNode[], options: ServiceKeySyncOptions) {
    if (!Number.isFinite(options.delayMs) || options.delayMs < 0) {
      throw new RangeError('service key sync: delayMs must be a number >= 0');
    }
    this.#nodes = nodes;
    this.#delayMs = options.delayMs;
    this.#now = options.now ?? Date.now;
  }

  /** Runs passes every quarter of the delay (at least every 5 ms) until {@link stop}. */
  start(): void {
    if (this.#timer !== null) return;
    this.#timer = setInterval(() => this.runOnce(), Math.max(5, Math.floor(this.#delayMs / 4)));
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** One pass. `ignoreDelay`: copy every missing key now (what a test calls to settle the cluster). */
  runOnce(options: { ignoreDelay?: boolean } = {}): KeySyncCopy[] {
    const nodes = this.#nodes();
    const now = this.#now();
    const held = nodes.map((node) => (node.reachable() ? node.keys() : null));
    const holders = new Map<number, Array<{ node: number; fingerprint: string }>>();
    held.forEach((keys, node) => {
      for (const key of keys ?? []) {
        const list = holders.get(key.handle) ?? [];
        list.push({ node, fingerprint: key.fingerprint });
        holders.set(key.handle, list);
      }
    });
    const stillMissing = new Map<string, number>();
    const copies: KeySyncCopy[] = [];
    for (const [handle, list] of holders) {
      const source = list[0];
      if (source === undefined || list.some((h) => h.fingerprint !== source.fingerprint)) continue;
      nodes.forEach((node, index) => {
        if (held[index] === null || node.held() || list.some((h) => h.node === index)) return;
        const id = `${handle}:${index}`;
        const since = this.#missingSince.get(id) ?? now;
        if (options.ignoreDelay !== true && now - since < this.#delayMs) {
          stillMissing.set(id, since);
          return;
        }
        try {
          node.insert((nodes[source.node] as KeySyncNode).extract(handle));
          copies.push({ handle, from: source.node, to: index });
        } catch (error) {
          // The service retries on its next pass (a node that went down meanwhile, a race).
          if (!(error instanceof EmulatedHsmError)) throw error;
          stillMissing.set(id, since);
        }
      });
    }
    this.#missingSince = stillMissing;
    return copies;
  }
}
