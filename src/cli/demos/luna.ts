/**
 * The Luna demo (`hsm-sentinel demo --tool luna`): one emulated Luna client (an emulated lunacm
 * over one real SoftHSM2 token per HA member) serving three HA groups, one cluster each, read
 * and repaired by the production Luna driver through the real state machine:
 * - myHAgroup (seed: Luna HA troubleshooting): a key created while par2 was down, back and
 *   recovered: missing on par2, Needs sync yes; repaired by hagroup synchronize, verified;
 * - appHAgroup (the same seed's fingerprint conflict, in a group of its own because a conflict
 *   stops synchronize of its whole group): reported and left untouched, and a key created while
 *   par4 was down stays single-member until a human resolves the conflict;
 * - hapg1 (seed: the CloudHSM HA partition group): a key created while the second HSM was
 *   offline: single-member, critical, until synchronized;
 * and the client's settings the seeds warn about: auto recovery off (retry 0), HAOnly off.
 * The clusters come from an HA groups file the demo writes (its appHAgroup entry is stale),
 * cross-checked against `hagroup listgroups`.
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LUNA_MODULE } from '#drivers/luna/index.ts';
import { LUNA_SETTINGS } from '#drivers/luna/settings.ts';
import { lunacmCommand } from '#emulator/luna/main.ts';
import { LUNA_SCENARIOS, setupLunaScenario } from '#emulator/luna/scenarios.ts';
import { nativeEnv } from '#emulator/luna/softhsm.ts';
import { type HaGroupsFile, listedMembers, readHaGroupsFile } from '#providers/luna/ha-groups-file.ts';
import { ClientMembershipProvider } from '#providers/static/client-membership-provider.ts';
import { NoBackupProvider } from '#providers/static/no-backup.ts';
import type { DemoCluster, DemoScenario, DemoStartOptions, RunningDemo } from './demo-scenario.ts';

const STORY: Readonly<Record<string, string>> = {
  myHAgroup: 'seed (a), Luna HA: par2 was down while created-while-down was made; it is back and recovered',
  appHAgroup:
    'seed (a), the fingerprint conflict: two applications wrote app-config through par3 and par4 (HAOnly off); report-key was made while par4 was down. The HA groups file is stale for this group',
  hapg1: 'seed (b), CloudHSM HA partition group: created-offline was made while 511541022 was offline',
};

/** The operator's HA groups file: right for two groups, stale for appHAgroup (an old member, par4 missing). */
function haGroupsFile(): HaGroupsFile {
  return {
    client: { host: 'localhost' },
    groups: LUNA_SCENARIOS.demo.groups.map((g) => ({
      label: g.label,
      serial: g.serial,
      members:
        g.label === 'appHAgroup'
          ? [
              { serial: g.members[0]?.serial ?? '', label: g.members[0]?.tokenLabel ?? '' },
              { serial: '1238700701599', label: 'par9' },
            ]
          : g.members.map((m) => ({ serial: m.serial, label: m.tokenLabel })),
    })),
  };
}

export const LUNA_DEMO: DemoScenario = {
  tool: LUNA_MODULE.id,
  summary:
    'the Luna HA seeds (a key made while a member was down; a fingerprint conflict; the CloudHSM HA partition group) through an emulated lunacm over SoftHSM2 tokens',
  async start(options: DemoStartOptions): Promise<RunningDemo> {
    const luna = setupLunaScenario(LUNA_SCENARIOS.demo, {
      dir: options.stateDir,
      pin: options.password.reveal(),
    });
    // The product's PKCS#11 reader runs in this process: SoftHSM finds the tokens through SOFTHSM2_CONF.
    const env = nativeEnv();
    const previous = env.SOFTHSM2_CONF;
    env.SOFTHSM2_CONF = luna.env.SOFTHSM2_CONF;
    const path = join(options.stateDir, 'ha-groups.json');
    await writeFile(path, `${JSON.stringify(haGroupsFile(), null, 2)}\n`, { mode: 0o600 });
    const file = await readHaGroupsFile(path);
    const { command, args } = lunacmCommand(luna.statePath);
    const toolCommand = [command, ...args];
    const toolSettings = {
      [LUNA_SETTINGS.library]: luna.libraryPath,
      // SoftHSM2 token serials cannot be set: the emulated members are found by their label.
      [LUNA_SETTINGS.slotMatch]: 'label',
    };
    const provider = new ClientMembershipProvider({
      provider: 'emulator',
      tool: LUNA_MODULE,
      listed: async (clusterId) => listedMembers(await readHaGroupsFile(path), clusterId),
      members:
        LUNA_MODULE.clientMembership?.({ settings: toolSettings, command: toolCommand }) ?? (async () => []),
    });
    const clusters: DemoCluster[] = file.groups.map((group) => ({
      clusterId: group.label,
      provider: 'emulator',
      intro: [
        `Emulated Luna HA group '${group.label}' (HA Group Number ${group.serial ?? '?'}) on one emulated Luna client,`,
        `read member by member through PKCS#11 (SoftHSM2 tokens) and lunacm (${luna.statePath}):`,
        ...(LUNA_SCENARIOS.demo.groups
          .find((g) => g.label === group.label)
          ?.members.map((m) => `  member ${m.serial} (${m.tokenLabel})`) ?? []),
        `Seeded: ${STORY[group.label] ?? ''}`,
        `The clusters come from the HA groups file ${path}, cross-checked against hagroup listgroups.`,
      ],
      clusterProvider: provider,
      toolCommand,
      toolSettings,
      credentials: {
        get: async () => ({ username: 'co', password: options.password, role: 'co', version: 'demo' }),
      },
      backup: new NoBackupProvider(),
    }));
    return {
      clusters,
      stop: async () => {
        if (previous === undefined) delete env.SOFTHSM2_CONF;
        else env.SOFTHSM2_CONF = previous;
      },
    };
  },
};
