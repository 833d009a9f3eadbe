/**
 * The settings of the SDK 5 CLI tool (a Lambda environment, Azure app settings, a cluster
 * file's `toolSettings`), read once and checked by name:
 *
 * - `CLOUDHSM_CLI_PATH`: the vendor binary (default /opt/cloudhsm/bin/cloudhsm-cli);
 * - `CLOUDHSM_CLI_CRYPTO_USERS`: the crypto users whose keys are listed (comma-separated): an
 *   admin's `key list` shows no coverage, so a key audit logs in as each key owner;
 * - `CLOUDHSM_CLI_USER_SECRETS`: JSON object, username → secret reference (a Secrets Manager
 *   ARN on AWS, `env:NAME` locally): the passwords of those crypto users, and of any user the
 *   run may re-create with `user create` (AWS's fix for a user on some HSMs only needs the
 *   user's own password). A user without an entry is never re-created, only alerted;
 * - `CLOUDHSM_CLI_MAX_ITEMS`: `key list --max-items` (default 1000: one process and one login
 *   per 1000 keys; the CLI's own default of 10 would mean one per 10 keys);
 * - `CLOUDHSM_CLI_CA_FILE`: the cluster's CA certificate the written config names;
 * - `CLOUDHSM_CLI_CONFIG_COPY`: a path the written config is also copied to (the node-access
 *   image links the CLI's default config path there: a CLI that ignores `--config` reads the
 *   run's config all the same). Unset locally, where runs may share a work directory.
 *
 * Never a password in a setting: only where to read it.
 */
import { ConfigurationError } from '#core/errors.ts';
import type { ToolSettingSpec, ToolSettings } from '../tool-module.ts';
import { DEFAULT_CA_FILE } from './config.ts';
import { hasUnsafeChar, USERNAME_PATTERN } from './parse/fields.ts';

export const CLOUDHSM_CLI_SETTINGS = {
  path: 'CLOUDHSM_CLI_PATH',
  cryptoUsers: 'CLOUDHSM_CLI_CRYPTO_USERS',
  userSecrets: 'CLOUDHSM_CLI_USER_SECRETS',
  maxItems: 'CLOUDHSM_CLI_MAX_ITEMS',
  caFile: 'CLOUDHSM_CLI_CA_FILE',
  configCopy: 'CLOUDHSM_CLI_CONFIG_COPY',
} as const;

export const DEFAULT_CLOUDHSM_CLI_PATH = '/opt/cloudhsm/bin/cloudhsm-cli';
export const DEFAULT_MAX_ITEMS = 1000;
/** hsm2m.medium holds at most 16,666 keys: a larger page is never needed. */
const MAX_MAX_ITEMS = 16_666;

export const CLOUDHSM_CLI_SETTING_SPECS: readonly ToolSettingSpec[] = [
  { name: CLOUDHSM_CLI_SETTINGS.path, meaning: 'path of cloudhsm-cli', default: DEFAULT_CLOUDHSM_CLI_PATH },
  {
    name: CLOUDHSM_CLI_SETTINGS.cryptoUsers,
    meaning: 'crypto users whose keys are listed (comma-separated; each needs a secret)',
    default: '(none: keys are counted, not audited)',
  },
  {
    name: CLOUDHSM_CLI_SETTINGS.userSecrets,
    meaning:
      'JSON object username -> secret reference (Secrets Manager ARN on AWS, env:NAME locally) of crypto users and of users the run may re-create',
    default: '{}',
  },
  {
    name: CLOUDHSM_CLI_SETTINGS.maxItems,
    meaning: 'key list --max-items: keys per page (one process, one login each)',
    default: String(DEFAULT_MAX_ITEMS),
  },
  {
    name: CLOUDHSM_CLI_SETTINGS.caFile,
    meaning: 'the cluster CA certificate (hsm_ca_file of the written cloudhsm-cli.cfg)',
    default: DEFAULT_CA_FILE,
  },
  {
    name: CLOUDHSM_CLI_SETTINGS.configCopy,
    meaning:
      "also write each run's cloudhsm-cli.cfg here (the target of the image's link from /opt/cloudhsm/etc/cloudhsm-cli.cfg)",
    default: '(none)',
  },
];

export interface CloudHsmCliSettings {
  binary: string;
  /** Lowercase, in the order given. */
  cryptoUsers: string[];
  /** Lowercase username → secret reference. */
  userSecrets: ReadonlyMap<string, string>;
  maxItems: number;
  caFile: string;
  /** An absolute path the config is also written to; null: none. */
  configCopy: string | null;
}

function text(settings: ToolSettings, name: string): string | undefined {
  const value = settings[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function username(value: string, where: string): string {
  if (!USERNAME_PATTERN.test(value)) {
    throw new ConfigurationError(
      `setting ${where}: ${JSON.stringify(value.slice(0, 40))} is not a username (1-31 of A-Z a-z 0-9 _ . @ -)`,
    );
  }
  return value.toLowerCase();
}

function secretReference(value: unknown, where: string): string {
  if (
    typeof value !== 'string' ||
    value === '' ||
    value.length > 2048 ||
    /\s/.test(value) ||
    hasUnsafeChar(value)
  ) {
    throw new ConfigurationError(
      `setting ${where}: expected a secret reference (an ARN or env:NAME, no whitespace), never a password`,
    );
  }
  return value;
}

function readSecrets(settings: ToolSettings): Map<string, string> {
  const name = CLOUDHSM_CLI_SETTINGS.userSecrets;
  const raw = text(settings, name);
  const secrets = new Map<string, string>();
  if (raw === undefined) return secrets;
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    // No cause: a JSON error quotes the text, and someone may have pasted a password in it.
    throw new ConfigurationError(
      `setting ${name}: not valid JSON (expected {"<username>": "<secret reference>"})`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigurationError(
      `setting ${name}: expected a JSON object {"<username>": "<secret reference>"}`,
    );
  }
  for (const [user, ref] of Object.entries(parsed)) {
    const key = username(user, name);
    if (secrets.has(key)) throw new ConfigurationError(`setting ${name}: user ${key} is given twice`);
    secrets.set(key, secretReference(ref, `${name}.${key}`));
  }
  return secrets;
}

function configCopyOf(settings: ToolSettings): string | null {
  const value = text(settings, CLOUDHSM_CLI_SETTINGS.configCopy);
  if (value === undefined) return null;
  if (!value.startsWith('/') || hasUnsafeChar(value)) {
    throw new ConfigurationError(`setting ${CLOUDHSM_CLI_SETTINGS.configCopy}: expected an absolute path`);
  }
  return value;
}

/** Reads and checks every setting; throws a ConfigurationError naming the one that is malformed. */
export function readCloudHsmCliSettings(settings: ToolSettings): CloudHsmCliSettings {
  const userSecrets = readSecrets(settings);
  const listName = CLOUDHSM_CLI_SETTINGS.cryptoUsers;
  const cryptoUsers: string[] = [];
  for (const entry of (text(settings, listName) ?? '').split(',')) {
    const value = entry.trim();
    if (value === '') continue;
    const user = username(value, listName);
    if (cryptoUsers.includes(user))
      throw new ConfigurationError(`setting ${listName}: ${user} is listed twice`);
    if (!userSecrets.has(user)) {
      throw new ConfigurationError(
        `setting ${listName}: crypto user ${user} has no secret in ${CLOUDHSM_CLI_SETTINGS.userSecrets}`,
      );
    }
    cryptoUsers.push(user);
  }
  const maxText = text(settings, CLOUDHSM_CLI_SETTINGS.maxItems);
  const maxItems = maxText === undefined ? DEFAULT_MAX_ITEMS : Number(maxText);
  if (
    !/^\d+$/.test(maxText ?? '1') ||
    !Number.isSafeInteger(maxItems) ||
    maxItems < 1 ||
    maxItems > MAX_MAX_ITEMS
  ) {
    throw new ConfigurationError(
      `setting ${CLOUDHSM_CLI_SETTINGS.maxItems}: expected a whole number from 1 to ${MAX_MAX_ITEMS}`,
    );
  }
  return {
    binary: text(settings, CLOUDHSM_CLI_SETTINGS.path) ?? DEFAULT_CLOUDHSM_CLI_PATH,
    cryptoUsers,
    userSecrets,
    maxItems,
    caFile: text(settings, CLOUDHSM_CLI_SETTINGS.caFile) ?? DEFAULT_CA_FILE,
    configCopy: configCopyOf(settings),
  };
}
