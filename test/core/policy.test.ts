import { describe, expect, it } from '@jest/globals';
import { DEFAULT_POLICY } from '#core/model.ts';
import { resolvePolicy } from '#core/policy.ts';

describe('resolvePolicy', () => {
  it('returns the defaults when there is nothing to override', () => {
    expect(resolvePolicy(undefined)).toEqual(DEFAULT_POLICY);
  });

  it('applies valid overrides', () => {
    expect(
      resolvePolicy({ dryRun: true, maxActionsPerRun: 5, allowedKinds: ['user', 'user'] }),
    ).toMatchObject({
      dryRun: true,
      maxActionsPerRun: 5,
      allowedKinds: ['user'],
    });
    expect(resolvePolicy({ serviceSyncRechecks: 0 }).serviceSyncRechecks).toBe(0);
    expect(DEFAULT_POLICY.serviceSyncRechecks).toBe(3);
  });

  it.each([
    [{ dryRun: 'yes' }, 'policy.dryRun: expected true or false'],
    [{ maxActionsPerRun: -1 }, 'policy.maxActionsPerRun: expected a whole number'],
    [{ allowedKinds: ['certificate'] }, 'policy.allowedKinds: expected a list of user, key'],
    [{ serviceSyncRechecks: 11 }, 'policy.serviceSyncRechecks: expected a whole number from 0 to 10'],
    [{ serviceSyncRechecks: 1.5 }, 'policy.serviceSyncRechecks: expected a whole number from 0 to 10'],
    [{ deleteExtras: true }, "policy: unknown field 'deleteExtras'"],
    [[1], 'policy: expected an object of overrides'],
  ])('refuses %j, naming the field', (overrides, message) => {
    expect(() => resolvePolicy(overrides)).toThrow(message);
  });
});
