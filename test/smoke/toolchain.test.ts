import { describe, expect, it } from '@jest/globals';

describe('toolchain', () => {
  it('runs the tests on the project Node major, not the system one', () => {
    expect(Number(process.versions.node.split('.')[0])).toBeGreaterThanOrEqual(24);
  });
});
