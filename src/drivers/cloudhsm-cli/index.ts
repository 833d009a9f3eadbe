/**
 * AWS CloudHSM Client SDK 5 `cloudhsm-cli` as a tool module: the tool of hsm2m.medium clusters
 * (SDK 3 is "Not supported" there). Cluster-wide: the CLI reads every HSM of its config at
 * once and reports coverage per object. See README.md in this folder.
 */
import { ConfigurationError } from '#core/errors.ts';
import type { ToolModule, ToolSettings } from '../tool-module.ts';
import { readOperatorConfigAddresses, SDK5_HSM_PORT } from './config.ts';
import { CLOUDHSM_CLI_CONTRACT_PARSERS } from './contract.ts';
import { CloudHsmCliDriver } from './driver.ts';
import { cloudHsmCliPlanner } from './planner.ts';
import { CLOUDHSM_CLI_RULES } from './rules.ts';
import { cloudHsmCliRunbook } from './runbook.ts';
import {
  CLOUDHSM_CLI_SETTING_SPECS,
  CLOUDHSM_CLI_SETTINGS,
  DEFAULT_CLOUDHSM_CLI_PATH,
  readCloudHsmCliSettings,
} from './settings.ts';

/** The program to run: the emulator's (or a test's) command, else the configured binary. */
function binaryOf(settings: ToolSettings, command?: readonly string[]): readonly string[] {
  return command ?? [settings[CLOUDHSM_CLI_SETTINGS.path]?.trim() || DEFAULT_CLOUDHSM_CLI_PATH];
}

export const CLOUDHSM_CLI_MODULE: ToolModule = {
  id: 'cloudhsm-cli',
  title: 'AWS CloudHSM Client SDK 5 cloudhsm-cli',
  addressing: 'cluster-wide',
  port: SDK5_HSM_PORT,
  // hsm1.medium runs SDK 5 too, but keeps SDK 3's mgmt-util (first in the registry) by default.
  selection: { cloud: 'aws', hsmTypes: ['hsm2m.medium'] },
  rules: CLOUDHSM_CLI_RULES,
  planner: cloudHsmCliPlanner({ userSecrets: new Map() }),
  plannerFor: (settings) => cloudHsmCliPlanner(readCloudHsmCliSettings(settings)),
  settings: CLOUDHSM_CLI_SETTING_SPECS,
  checkSettings: (settings) => {
    readCloudHsmCliSettings(settings);
  },
  createDriver: (context) => {
    const settings = readCloudHsmCliSettings(context.settings);
    if (settings.cryptoUsers.length > 0 && context.secrets === undefined) {
      throw new ConfigurationError(
        'cloudhsm-cli: crypto users are configured but this deployment reads no secrets',
      );
    }
    return new CloudHsmCliDriver({
      command: binaryOf(context.settings, context.command),
      workDir: context.workDir,
      settings,
      secrets: context.secrets ?? null,
      ...(context.refusals ? { refusals: context.refusals } : {}),
      ...(context.childEnv ? { env: context.childEnv } : {}),
      ...(context.onTranscript ? { onTranscript: context.onTranscript } : {}),
      ...(context.commandTimeoutMs ? { commandTimeoutMs: context.commandTimeoutMs } : {}),
    });
  },
  runbook: (context) => cloudHsmCliRunbook(binaryOf(context.settings, context.command)),
  operatorConfigAddresses: readOperatorConfigAddresses,
  parsers: CLOUDHSM_CLI_CONTRACT_PARSERS,
};
