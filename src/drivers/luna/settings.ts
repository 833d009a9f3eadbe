/**
 * The Luna module's settings, by name (a cluster file's `toolSettings`, a deployment's
 * environment), read once into typed values. Unset means the default; a value that is set but
 * malformed is a ConfigurationError naming the setting.
 */
import { ConfigurationError } from '#core/errors.ts';
import type { ToolSettingSpec, ToolSettings } from '../tool-module.ts';
import type { LoginRole } from './pkcs11/inventory.ts';

export const LUNA_SETTINGS = {
  lunacm: 'LUNA_LUNACM_PATH',
  library: 'LUNA_PKCS11_LIBRARY',
  role: 'LUNA_ROLE',
  recover: 'LUNA_RECOVER',
  slotMatch: 'LUNA_SLOT_MATCH',
} as const;

/** Where the Luna HSM Client installs them on Linux (Thales' default prefix /usr/safenet/lunaclient). */
export const DEFAULT_LUNACM = '/usr/safenet/lunaclient/bin/lunacm';
export const DEFAULT_LIBRARY = '/usr/safenet/lunaclient/lib/libCryptoki2_64.so';

/**
 * How a member's PKCS#11 slot is found: by its token serial (the partition serial that
 * `hagroup listgroups` prints as Member S/N: production), or by its token label as `slot list`
 * prints it next to that serial (tokens whose serial cannot be set, such as SoftHSM2's).
 */
export type SlotMatch = 'serial' | 'label';

export interface LunaSettings {
  lunacm: string;
  library: string;
  /** The role when the credentials name none. */
  role: LoginRole;
  /** Run `hagroup recover` for a member that is down in the group but answers again, before synchronize. */
  recover: boolean;
  slotMatch: SlotMatch;
}

export const LUNA_SETTING_SPECS: readonly ToolSettingSpec[] = [
  { name: LUNA_SETTINGS.lunacm, meaning: 'path of lunacm (the Luna HSM Client)', default: DEFAULT_LUNACM },
  {
    name: LUNA_SETTINGS.library,
    meaning: "path of the Luna client's PKCS#11 library that reads each member's slot",
    default: DEFAULT_LIBRARY,
  },
  {
    name: LUNA_SETTINGS.role,
    meaning: 'the partition role that logs in to each member: crypto-officer (co) or crypto-user (cu)',
    default: 'crypto-officer',
  },
  {
    name: LUNA_SETTINGS.recover,
    meaning:
      'run hagroup recover for a member that is down but answers again, before synchronize: true or false',
    default: 'false',
  },
  {
    name: LUNA_SETTINGS.slotMatch,
    meaning:
      "find a member's PKCS#11 slot by its serial (the partition serial) or by its label: serial or label",
    default: 'serial',
  },
];

const ROLE_WORDS: Readonly<Record<string, LoginRole>> = {
  'crypto-officer': 'crypto-officer',
  co: 'crypto-officer',
  'crypto officer': 'crypto-officer',
  'crypto-user': 'crypto-user',
  cu: 'crypto-user',
  'crypto user': 'crypto-user',
};

/** A role in Luna's words (`co`, `Crypto Officer`, `cu`…), or a ConfigurationError naming `where`. */
export function loginRole(text: string, where: string): LoginRole {
  const role = ROLE_WORDS[text.trim().toLowerCase()];
  if (!role) {
    throw new ConfigurationError(
      `${where} is '${text}': expected crypto-officer (co) or crypto-user (cu), the partition roles that read objects`,
    );
  }
  return role;
}

function text(settings: ToolSettings, name: string): string | undefined {
  const value = settings[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function oneOf<T extends string>(settings: ToolSettings, name: string, values: readonly T[], fallback: T): T {
  const value = text(settings, name);
  if (value === undefined) return fallback;
  if ((values as readonly string[]).includes(value)) return value as T;
  throw new ConfigurationError(`setting ${name} is '${value}': expected ${values.join(' or ')}`);
}

export function readLunaSettings(settings: ToolSettings): LunaSettings {
  const role = text(settings, LUNA_SETTINGS.role);
  return {
    lunacm: text(settings, LUNA_SETTINGS.lunacm) ?? DEFAULT_LUNACM,
    library: text(settings, LUNA_SETTINGS.library) ?? DEFAULT_LIBRARY,
    role: role === undefined ? 'crypto-officer' : loginRole(role, `setting ${LUNA_SETTINGS.role}`),
    recover: oneOf(settings, LUNA_SETTINGS.recover, ['true', 'false'], 'false') === 'true',
    slotMatch: oneOf(settings, LUNA_SETTINGS.slotMatch, ['serial', 'label'], 'serial'),
  };
}
