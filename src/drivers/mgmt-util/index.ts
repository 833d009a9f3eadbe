/**
 * The mgmt-util kit: one family (AWS Client SDK 3 `cloudhsm_mgmt_util`, Azure
 * `azcloudhsm_mgmt_util`), two tool modules whose differences are data (dialect.ts).
 */
import { ConfigurationError } from '#core/errors.ts';
import type { ToolModule, ToolSettingSpec, ToolSettings } from '../tool-module.ts';
import { readOperatorConfig } from './config.ts';
import { AWS_PROFILE, AZURE_PROFILE, type DialectProfile } from './dialect.ts';
import { MgmtUtilDriver } from './driver.ts';
import { MGMT_UTIL_PLANNER } from './planner.ts';
import { MGMT_UTIL_RULES } from './rules.ts';
import { mgmtUtilRunbook } from './runbook.ts';
import { PARSEABLE_COMMANDS, parseTranscript } from './transcript.ts';

export const MGMT_UTIL_SETTINGS = {
  path: 'MGMT_UTIL_PATH',
  keyDetails: 'KEY_DETAILS',
} as const;

function settingSpecs(profile: DialectProfile): ToolSettingSpec[] {
  return [
    { name: MGMT_UTIL_SETTINGS.path, meaning: `path of ${profile.toolName}`, default: profile.defaultBinary },
    {
      name: MGMT_UTIL_SETTINGS.keyDetails,
      meaning: 'read owner and sharing of every key (getKeyInfo per key): true or false',
      default: 'false',
    },
  ];
}

function binaryOf(
  profile: DialectProfile,
  settings: ToolSettings,
  command?: readonly string[],
): readonly string[] {
  if (command) return command;
  const path = settings[MGMT_UTIL_SETTINGS.path]?.trim();
  return [path ? path : profile.defaultBinary];
}

function keyDetailsOf(settings: ToolSettings): boolean {
  const value = settings[MGMT_UTIL_SETTINGS.keyDetails]?.trim();
  if (value === undefined || value === '') return false;
  if (value === 'true' || value === 'false') return value === 'true';
  throw new ConfigurationError(
    `setting ${MGMT_UTIL_SETTINGS.keyDetails} is '${value}': expected true or false`,
  );
}

function mgmtUtilModule(
  id: string,
  profile: DialectProfile,
  title: string,
  selection: ToolModule['selection'],
): ToolModule {
  const parsers: Record<string, (text: string) => unknown> = {};
  for (const command of PARSEABLE_COMMANDS)
    parsers[command] = (text) => parseTranscript(command, text, profile);
  return {
    id,
    title,
    addressing: 'per-node',
    port: profile.defaultPort,
    selection,
    rules: MGMT_UTIL_RULES,
    planner: MGMT_UTIL_PLANNER,
    settings: settingSpecs(profile),
    checkSettings: (settings) => {
      keyDetailsOf(settings);
    },
    createDriver: (context) =>
      new MgmtUtilDriver({
        profile,
        command: binaryOf(profile, context.settings, context.command),
        workDir: context.workDir,
        keyDetails: keyDetailsOf(context.settings),
        ...(context.childEnv ? { env: context.childEnv } : {}),
        ...(context.onTranscript ? { onTranscript: context.onTranscript } : {}),
        ...(context.commandTimeoutMs ? { timeouts: { commandMs: context.commandTimeoutMs } } : {}),
      }),
    runbook: (context) =>
      mgmtUtilRunbook(profile, binaryOf(profile, context.settings, context.command), context.operatorConfig),
    operatorConfigAddresses: (text) => readOperatorConfig(text, profile),
    parsers,
  };
}

/** AWS CloudHSM Client SDK 3: hsm1.medium only (SDK 3 is "Not supported" on hsm2m.medium). */
export const MGMT_UTIL_AWS_MODULE: ToolModule = mgmtUtilModule(
  'mgmt-util-aws',
  AWS_PROFILE,
  'AWS CloudHSM Client SDK 3 cloudhsm_mgmt_util',
  { cloud: 'aws', hsmTypes: ['hsm1.medium'] },
);

/** Azure Cloud HSM's azcloudhsm_mgmt_util. */
export const MGMT_UTIL_AZURE_MODULE: ToolModule = mgmtUtilModule(
  'mgmt-util-azure',
  AZURE_PROFILE,
  'Azure Cloud HSM azcloudhsm_mgmt_util',
  { cloud: 'azure' },
);
