/**
 * Policy: defaults plus validated overrides (from a runbook request, a cluster file, an env).
 */
import { InvalidInputError } from './errors.ts';
import { DEFAULT_POLICY, OBJECT_KINDS, type ObjectKind, type Policy } from './model.ts';

/** Merges overrides into the defaults; rejects unknown fields and out-of-range values by name. */
export function resolvePolicy(overrides: unknown, base: Policy = DEFAULT_POLICY): Policy {
  if (overrides === undefined || overrides === null) return { ...base, allowedKinds: [...base.allowedKinds] };
  if (typeof overrides !== 'object' || Array.isArray(overrides)) {
    throw new InvalidInputError('policy: expected an object of overrides');
  }
  const policy: Policy = { ...base, allowedKinds: [...base.allowedKinds] };
  for (const [field, value] of Object.entries(overrides)) {
    switch (field) {
      case 'dryRun':
      case 'requireAllNodesLoggedIn':
        if (typeof value !== 'boolean')
          throw new InvalidInputError(`policy.${field}: expected true or false`);
        policy[field] = value;
        break;
      case 'maxActionsPerRun':
        if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 100_000) {
          throw new InvalidInputError(`policy.${field}: expected a whole number from 0 to 100000`);
        }
        policy.maxActionsPerRun = value as number;
        break;
      case 'loginFailureLimit':
        // 0 would never log in; 4 is the last value below the HSMs' lock at 5.
        if (!Number.isInteger(value) || (value as number) < 1 || (value as number) > 4) {
          throw new InvalidInputError(
            `policy.${field}: expected a whole number from 1 to 4 (the HSMs lock at 5)`,
          );
        }
        policy.loginFailureLimit = value as number;
        break;
      case 'serviceSyncRechecks':
        if (!Number.isInteger(value) || (value as number) < 0 || (value as number) > 10) {
          throw new InvalidInputError(`policy.${field}: expected a whole number from 0 to 10`);
        }
        policy.serviceSyncRechecks = value as number;
        break;
      case 'maxBackupAgeHours':
        if (typeof value !== 'number' || !(value > 0) || value > 24 * 365) {
          throw new InvalidInputError(`policy.${field}: expected a number of hours above 0`);
        }
        policy.maxBackupAgeHours = value;
        break;
      case 'allowedKinds':
        if (!Array.isArray(value) || !value.every((k) => (OBJECT_KINDS as readonly unknown[]).includes(k))) {
          throw new InvalidInputError(`policy.allowedKinds: expected a list of ${OBJECT_KINDS.join(', ')}`);
        }
        policy.allowedKinds = [...new Set(value as ObjectKind[])];
        break;
      default:
        throw new InvalidInputError(`policy: unknown field '${field}'`);
    }
  }
  return policy;
}
