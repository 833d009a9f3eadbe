/**
 * Seed scenarios of the emulated Luna, as data, and the function that builds one for real:
 * one SoftHSM2 token per HA member in a folder of the caller's, the objects created by
 * replaying the story (the HA library replicating to the alive members, a member failing, an
 * application writing to a member slot directly), and the appliance state file lunacm reads.
 *
 * - `luna-ha` (shared/seeds/luna-ha-troubleshooting.txt): three members; a key created while
 *   par2 was down (missing there: Needs sync yes); two applications writing the same object
 *   through different members (a fingerprint conflict, absent from par2 too).
 * - `cloudhsm-hapg` (shared/seeds/aws-cloudhsm-ha-partition-group.txt): the classic CloudHSM HA
 *   partition group of two Luna SA partitions (the seed's Chrystoki.conf serials and settings:
 *   reconnAtt -1, interval 60, HAOnly 1); a key created while the second was offline lives on
 *   the first only (single-member: lost if that HSM dies).
 * - `demo`: three groups on one client, with the defaults the seeds warn about (auto recovery
 *   off, HAOnly off): myHAgroup without the conflict (its missing key can be synchronized),
 *   the conflict in a group of its own (appHAgroup: a conflict blocks synchronize of its whole
 *   group), and hapg1.
 */
import { join } from 'node:path';
import { activeMembers, memberBack, memberDown, recover } from './appliance.ts';
import type { SoftHsmHome } from './softhsm.ts';
import { createSoftHsmHome, initToken, requireSoftHsm, SOFTHSM_LIBRARY } from './softhsm.ts';
import type { ApplianceState } from './state.ts';
import { writeApplianceState } from './state.ts';
import type { ObjectSpec } from './tokens.ts';
import { createObject, exportObject, importObject, listObjects, withToken } from './tokens.ts';

export type ScenarioStep =
  /** An application creates an object through the HA slot: it lands on every active member. */
  | { do: 'create-via-ha'; group: string; object: ObjectSpec }
  /** An application writes to one member's physical slot directly (HAOnly off): no replication. */
  | { do: 'create-on-member'; member: string; object: ObjectSpec }
  | { do: 'member-down'; member: string }
  | { do: 'member-back'; member: string }
  | { do: 'recover'; group: string };

export interface ScenarioGroup {
  label: string;
  serial: string;
  slotId: number;
  members: Array<{ serial: string; tokenLabel: string }>;
}

export interface LunaScenario {
  name: string;
  description: string;
  global: ApplianceState['global'];
  groups: ScenarioGroup[];
  steps: ScenarioStep[];
  /** What the story leaves, for tests and the demo: objects missing per member, conflicts. */
  expected: {
    needsSync: Record<string, boolean>;
    missing: Array<{ label: string; members: string[] }>;
    singleMember: Array<{ label: string; member: string }>;
    conflicts: Array<{ label: string; members: string[] }>;
  };
}

/** An application creates an AES key through the HA slot (its material seeded by its label). */
function aesViaHa(group: string, label: string, idHex: string): ScenarioStep {
  return { do: 'create-via-ha', group, object: { kind: 'aes', label, idHex, seed: label } };
}

/** A member down while a key is created through the HA slot, then back and recovered: the key is missing on it. */
function keyCreatedDuringOutage(group: string, member: string, label: string, idHex: string): ScenarioStep[] {
  return [
    { do: 'member-down', member },
    aesViaHa(group, label, idHex),
    { do: 'member-back', member },
    { do: 'recover', group },
  ];
}

const LUNA_HA_GROUP: ScenarioGroup = {
  label: 'myHAgroup',
  serial: '1154438865287',
  slotId: 5,
  members: [
    { serial: '154438865287', tokenLabel: 'par0' },
    { serial: '1238700701509', tokenLabel: 'par1' },
    { serial: '1238700701510', tokenLabel: 'par2' },
  ],
};

/** A member down while a key is created, back, recovered: the key is missing on it. */
const MEMBER_DOWN_STEPS: ScenarioStep[] = [
  aesViaHa('myHAgroup', 'app-aes', '01'),
  { do: 'create-via-ha', group: 'myHAgroup', object: { kind: 'rsa', label: 'app-rsa', idHex: '02' } },
  { do: 'member-down', member: '1238700701510' },
  aesViaHa('myHAgroup', 'created-while-down', '03'),
];

const MEMBER_BACK_STEPS: ScenarioStep[] = [
  { do: 'member-back', member: '1238700701510' },
  { do: 'recover', group: 'myHAgroup' },
];

/** Two applications writing one object through different members (HAOnly off): a fingerprint conflict. */
function twoWriters(first: string, second: string, label: string, idHex: string): ScenarioStep[] {
  return [
    { do: 'create-on-member', member: first, object: { kind: 'aes', label, idHex, seed: 'writer-a' } },
    { do: 'create-on-member', member: second, object: { kind: 'aes', label, idHex, seed: 'writer-b' } },
  ];
}

const LUNA_HA_STEPS: ScenarioStep[] = [
  ...MEMBER_DOWN_STEPS,
  ...twoWriters('154438865287', '1238700701509', 'shared-config', '04'),
  ...MEMBER_BACK_STEPS,
];

/**
 * The demo's own group for the seed's fingerprint conflict: a conflict stops synchronize of its
 * whole group, so it lives apart from myHAgroup (whose missing key is then repaired). A key
 * created while par4 was down shows what the conflict costs: it stays single-member, left with
 * the reason, until a human resolves the conflict.
 */
const CONFLICT_GROUP: ScenarioGroup = {
  label: 'appHAgroup',
  serial: '11238700701511',
  slotId: 7,
  members: [
    { serial: '1238700701511', tokenLabel: 'par3' },
    { serial: '1238700701512', tokenLabel: 'par4' },
  ],
};

const CONFLICT_STEPS: ScenarioStep[] = [
  aesViaHa('appHAgroup', 'app-signing', '20'),
  ...keyCreatedDuringOutage('appHAgroup', '1238700701512', 'report-key', '21'),
  ...twoWriters('1238700701511', '1238700701512', 'app-config', '22'),
];

const LUNA_HA_EXPECTED_MISSING = [
  { label: 'created-while-down', members: ['1238700701510'] },
  { label: 'shared-config', members: ['1238700701510'] },
];

const HAPG_GROUP: ScenarioGroup = {
  label: 'hapg1',
  serial: '1529127380',
  slotId: 6,
  members: [
    { serial: '475256026', tokenLabel: 'hapg1-a' },
    { serial: '511541022', tokenLabel: 'hapg1-b' },
  ],
};

const HAPG_STEPS: ScenarioStep[] = [
  aesViaHa('hapg1', 'tde-master', '10'),
  ...keyCreatedDuringOutage('hapg1', '511541022', 'created-offline', '11'),
];

export const LUNA_SCENARIOS: Readonly<Record<'luna-ha' | 'cloudhsm-hapg' | 'demo', LunaScenario>> = {
  'luna-ha': {
    name: 'luna-ha',
    description:
      'Luna HA group of 3: a key created while par2 was down (Needs sync yes) and a fingerprint conflict from two writers',
    global: {
      recoveryMode: 'activeEnhanced',
      maxRetry: 0,
      pollIntervalSeconds: 60,
      logging: false,
      haOnly: false,
    },
    groups: [LUNA_HA_GROUP],
    steps: LUNA_HA_STEPS,
    expected: {
      needsSync: { myHAgroup: true },
      missing: LUNA_HA_EXPECTED_MISSING,
      singleMember: [],
      conflicts: [{ label: 'shared-config', members: ['154438865287', '1238700701509'] }],
    },
  },
  'cloudhsm-hapg': {
    name: 'cloudhsm-hapg',
    description:
      'classic CloudHSM HA partition group of 2: a key created while the second HSM was offline (single-member)',
    global: {
      recoveryMode: 'activeBasic',
      maxRetry: -1,
      pollIntervalSeconds: 60,
      logging: false,
      haOnly: true,
    },
    groups: [HAPG_GROUP],
    steps: HAPG_STEPS,
    expected: {
      needsSync: { hapg1: true },
      missing: [{ label: 'created-offline', members: ['511541022'] }],
      singleMember: [{ label: 'created-offline', member: '475256026' }],
      conflicts: [],
    },
  },
  demo: {
    name: 'demo',
    description:
      'three groups on one client, auto recovery off (retry 0) and HAOnly off (the defaults the seeds warn about): myHAgroup (a key created while par2 was down), appHAgroup (a fingerprint conflict, which blocks its group), hapg1 (a key created while the second HSM was offline)',
    global: {
      recoveryMode: 'activeEnhanced',
      maxRetry: 0,
      pollIntervalSeconds: 60,
      logging: false,
      haOnly: false,
    },
    groups: [LUNA_HA_GROUP, CONFLICT_GROUP, HAPG_GROUP],
    steps: [...MEMBER_DOWN_STEPS, ...MEMBER_BACK_STEPS, ...CONFLICT_STEPS, ...HAPG_STEPS],
    expected: {
      needsSync: { myHAgroup: true, appHAgroup: true, hapg1: true },
      missing: [
        { label: 'created-while-down', members: ['1238700701510'] },
        { label: 'report-key', members: ['1238700701512'] },
        { label: 'created-offline', members: ['511541022'] },
      ],
      singleMember: [
        { label: 'report-key', member: '1238700701511' },
        { label: 'created-offline', member: '475256026' },
      ],
      conflicts: [{ label: 'app-config', members: ['1238700701511', '1238700701512'] }],
    },
  },
};

export interface EmulatedLuna {
  scenario: LunaScenario;
  /** The appliance state file lunacm reads (`--state`). */
  statePath: string;
  home: SoftHsmHome;
  /** The PKCS#11 library to give the product's reader. */
  libraryPath: string;
  /** Environment for a process that opens the tokens (SOFTHSM2_CONF). */
  env: { SOFTHSM2_CONF: string };
}

export interface SetupOptions {
  /** A fresh folder of the caller's; everything goes under it (the caller removes it). */
  dir: string;
  /** The members' Crypto Officer password (the SoftHSM user PIN of every token). */
  pin: string;
  soPin?: string;
  library?: string;
}

function replicate(
  home: SoftHsmHome,
  from: string,
  to: readonly string[],
  pin: string,
  spec: ObjectSpec,
): void {
  const templates = withToken(home, from, pin, (s, m) =>
    listObjects(s, m)
      .filter((o) => o.label === spec.label && o.idHex === spec.idHex)
      .map((o) => exportObject(s, m, o.handle)),
  );
  for (const target of to) {
    withToken(home, target, pin, (s, m) => {
      for (const t of templates) importObject(s, m, t);
    });
  }
}

/** Builds a scenario for real (SoftHSM2 must be installed: the one-line error says how). */
export function setupLunaScenario(scenario: LunaScenario, options: SetupOptions): EmulatedLuna {
  const library = options.library ?? SOFTHSM_LIBRARY;
  requireSoftHsm(library);
  const home = createSoftHsmHome(options.dir, library);
  const soPin = options.soPin ?? `so-${options.pin}`;
  const state: ApplianceState = {
    clientVersion: '7.3.0',
    softhsm: { library, conf: home.conf, tokenDir: home.tokenDir, offlineDir: home.offlineDir },
    global: { ...scenario.global },
    groups: scenario.groups.map((g) => ({
      label: g.label,
      serial: g.serial,
      slotId: g.slotId,
      synchronization: 'enabled',
      standby: [],
      members: g.members.map((m) => ({
        serial: m.serial,
        tokenLabel: m.tokenLabel,
        tokenFolder: initToken(home, m.tokenLabel, soPin, options.pin).folder,
        status: 'alive',
        served: true,
      })),
    })),
  };
  const memberLabel = (serial: string) => {
    for (const g of state.groups) for (const m of g.members) if (m.serial === serial) return m.tokenLabel;
    throw new Error(`scenario names unknown member ${serial}`);
  };
  for (const step of scenario.steps) {
    switch (step.do) {
      case 'create-via-ha': {
        const group = state.groups.find((g) => g.label === step.group);
        const [first, ...others] = group ? activeMembers(group) : [];
        if (!first) throw new Error(`scenario ${scenario.name}: no active member in ${step.group}`);
        withToken(home, first.tokenLabel, options.pin, (s) => createObject(s, step.object));
        replicate(
          home,
          first.tokenLabel,
          others.map((m) => m.tokenLabel),
          options.pin,
          step.object,
        );
        break;
      }
      case 'create-on-member':
        withToken(home, memberLabel(step.member), options.pin, (s) => createObject(s, step.object));
        break;
      case 'member-down':
        memberDown(state, step.member);
        break;
      case 'member-back':
        memberBack(state, step.member);
        break;
      case 'recover': {
        const group = state.groups.find((g) => g.label === step.group);
        if (group) recover(group);
        break;
      }
    }
  }
  const statePath = join(options.dir, 'appliance.json');
  writeApplianceState(statePath, state);
  return { scenario, statePath, home, libraryPath: library, env: { SOFTHSM2_CONF: home.conf } };
}
