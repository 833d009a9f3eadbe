import { describe, expect, it } from '@jest/globals';
import { type KeySyncNode, ServiceKeySync } from '#emulator/cloudhsm-cli/service-key-sync.ts';
import { EmulatedHsmError, HSM_RETURN_CODES } from '#emulator/hsm-error.ts';

/** An in-memory HSM: keys by handle → fingerprint; a blob is `handle:fingerprint`. */
class FakeHsm {
  readonly held = new Map<number, string>();
  down = false;
  hold = false;
  failInsert = false;
  constructor(keys: Record<number, string> = {}) {
    for (const [handle, fingerprint] of Object.entries(keys)) this.held.set(Number(handle), fingerprint);
  }
  keys() {
    return [...this.held].map(([handle, fingerprint]) => ({ handle, fingerprint }));
  }
  reachable() {
    return !this.down;
  }
  isHeld() {
    return this.hold;
  }
  extract(handle: number) {
    return `${handle}:${this.held.get(handle)}`;
  }
  insert(blob: string) {
    if (this.failInsert) throw new EmulatedHsmError(HSM_RETURN_CODES.faultInjected, 'refused');
    const [handle, fingerprint] = blob.split(':');
    this.held.set(Number(handle), fingerprint as string);
  }
}

function sync(nodes: FakeHsm[], delayMs: number) {
  let now = 0;
  const adapters: KeySyncNode[] = nodes.map((n) => ({
    keys: () => n.keys(),
    reachable: () => n.reachable(),
    held: () => n.isHeld(),
    extract: (h) => n.extract(h),
    insert: (b) => n.insert(b),
  }));
  const service = new ServiceKeySync(() => adapters, { delayMs, now: () => now });
  return { service, advance: (ms: number) => (now += ms) };
}

describe('ServiceKeySync', () => {
  it('copies a key to the HSMs lacking it once it has been missing for the delay', () => {
    const nodes = [new FakeHsm({ 7: 'a' }), new FakeHsm(), new FakeHsm()];
    const { service, advance } = sync(nodes, 100);

    expect(service.runOnce()).toEqual([]);
    advance(99);
    expect(service.runOnce()).toEqual([]);
    advance(1);
    expect(service.runOnce()).toEqual([
      { handle: 7, from: 0, to: 1 },
      { handle: 7, from: 0, to: 2 },
    ]);
    expect(nodes.map((n) => n.held.get(7))).toEqual(['a', 'a', 'a']);
  });

  it('holds keys back from a held HSM (the delay restarts when released) and skips down HSMs', () => {
    const [down, source, held] = [new FakeHsm(), new FakeHsm({ 7: 'a' }), new FakeHsm()];
    held.hold = true;
    down.down = true;
    const { service, advance } = sync([down, source, held], 10);
    service.runOnce();
    advance(50);
    expect(service.runOnce()).toEqual([]);

    held.hold = false;
    down.down = false;
    expect(service.runOnce()).toEqual([]);
    advance(10);
    expect(service.runOnce().map((c) => c.to)).toEqual([0, 2]);
  });

  it('never copies a key whose holders disagree, and retries an insert that failed', () => {
    const [first, failing, third] = [
      new FakeHsm({ 1: 'a', 2: 'x' }),
      new FakeHsm({ 1: 'b' }),
      new FakeHsm({ 2: 'x' }),
    ];
    failing.failInsert = true;
    const { service } = sync([first, failing, third], 0);
    expect(service.runOnce({ ignoreDelay: true })).toEqual([]);
    failing.failInsert = false;
    expect(service.runOnce()).toEqual([{ handle: 2, from: 0, to: 1 }]);
    expect(third.held.has(1)).toBe(false);
  });

  it('runs on its own timer once started, until stopped, and refuses a negative delay', async () => {
    const target = new FakeHsm();
    const nodes = [new FakeHsm({ 3: 'a' }), target];
    const adapters: KeySyncNode[] = nodes.map((n) => ({
      keys: () => n.keys(),
      reachable: () => true,
      held: () => false,
      extract: (h) => n.extract(h),
      insert: (b) => n.insert(b),
    }));
    const service = new ServiceKeySync(() => adapters, { delayMs: 0 });
    service.start();
    service.start();
    const deadline = performance.now() + 5000;
    while (!target.held.has(3) && performance.now() < deadline) {
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    service.stop();
    expect(target.held.get(3)).toBe('a');
    expect(() => new ServiceKeySync(() => [], { delayMs: -1 })).toThrow(RangeError);
  });
});
