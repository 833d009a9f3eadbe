/**
 * The Thales Luna HA group tool module (`"tool": "luna"`): per-node addressing, one inventory
 * per HA member (node id = the member's serial). No cloud control plane: the group's members
 * come from the Luna client itself (`hagroup listgroups`, clientMembership), compared with the
 * operator's list (the HA groups file, or a cluster file's nodes). Decisions and what is
 * documented or assumed about lunacm: README.md beside this file.
 */
import { InvalidInputError } from '#core/errors.ts';
import type { DriverContext, ToolModule, ToolSettings } from '../tool-module.ts';
import { DEFAULT_LUNACM_TIMEOUT_MS, LunaDriver } from './driver.ts';
import type { LunacmInvocation } from './lunacm.ts';
import { lunaMembership } from './membership.ts';
import { parseListGroupsContract } from './parse/parse-listgroups.ts';
import { parseSlotList } from './parse/parse-slot-list.ts';
import { GrapheneInventoryReader } from './pkcs11/graphene-reader.ts';
import { lunaPlanner } from './planner.ts';
import { LUNA_RULES } from './rules.ts';
import { lunaRunbook } from './runbook.ts';
import { LUNA_SETTING_SPECS, readLunaSettings } from './settings.ts';

/** NTLS, the port a Luna client reaches each network HSM on (the CloudHSM HA seed's security group). */
export const NTLS_PORT = 1792;

function lunacmOf(
  context: Pick<DriverContext, 'settings' | 'command' | 'childEnv'>,
  settings = readLunaSettings(context.settings),
): LunacmInvocation {
  const [command, ...args] = context.command ?? [settings.lunacm];
  return {
    command: command ?? settings.lunacm,
    args,
    ...(context.childEnv ? { baseEnv: context.childEnv } : {}),
  };
}

export const LUNA_MODULE: ToolModule = {
  id: 'luna',
  title: 'Thales Luna HA groups (lunacm and the Luna PKCS#11 library)',
  addressing: 'per-node',
  port: NTLS_PORT,
  selection: { cloud: null },
  rules: LUNA_RULES,
  planner: lunaPlanner({ recover: false }),
  plannerFor: (settings: ToolSettings) => lunaPlanner({ recover: readLunaSettings(settings).recover }),
  settings: LUNA_SETTING_SPECS,
  checkSettings: (settings) => {
    readLunaSettings(settings);
  },
  createDriver: (context) => {
    const settings = readLunaSettings(context.settings);
    return new LunaDriver({
      lunacm: lunacmOf(context, settings),
      reader: new GrapheneInventoryReader({ libraryPath: settings.library }),
      settings,
      timeoutMs: context.commandTimeoutMs ?? DEFAULT_LUNACM_TIMEOUT_MS,
      ...(context.onTranscript ? { onTranscript: context.onTranscript } : {}),
    });
  },
  clientMembership: (context) =>
    lunaMembership({
      lunacm: lunacmOf(context),
      timeoutMs: context.commandTimeoutMs ?? DEFAULT_LUNACM_TIMEOUT_MS,
    }),
  runbook: (context) => {
    const settings = readLunaSettings(context.settings);
    return lunaRunbook(context.command ?? [settings.lunacm], settings.library);
  },
  operatorConfigAddresses: () => {
    throw new InvalidInputError(
      'the luna tool reads no operator config: it compares the HA groups file (or the cluster file nodes) with hagroup listgroups',
    );
  },
  parsers: {
    listgroups: parseListGroupsContract,
    'slot-list': parseSlotList,
  },
};
