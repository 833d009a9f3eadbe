/**
 * The emulated AWS CloudHSM CLI (Client SDK 5, `cloudhsm-cli`): the program, its config file,
 * the SDK 5 scenarios, service key sync, per-HSM metrics and the benchmark cluster.
 */

export type { CliArgs, OptionKind } from './args.ts';
export { CliUsageError, COMMAND_OPTIONS, parseCliArgs } from './args.ts';
export type { BenchmarkClusterOptions, CliTiming } from './bench-seed.ts';
export {
  BENCHMARK_CRYPTO_USER,
  benchmarkClusterStates,
  measureCliCollection,
  startBenchmarkCluster,
} from './bench-seed.ts';
export type { CliEnvironment, CliPrompter, CommandContext } from './commands.ts';
export { DEFAULT_MAX_ITEMS, runCommand } from './commands.ts';
export type { CliCluster, CliConfig, CliServer, RenderCliConfigOptions } from './config.ts';
export {
  CLOUDHSM_CLI_DEFAULT_CONFIG,
  parseCloudHsmCliConfig,
  renderCloudHsmCliConfig,
  SDK5_HSM_PORT,
} from './config.ts';
export type { CliUserEntry, ClusterKey, Coverage } from './coverage.ts';
export { mergeKeys, mergeUsers } from './coverage.ts';
export type { CliReply } from './format.ts';
export { keyReferenceOf, TEXTS } from './format.ts';
export type { CloudHsmCliDeps } from './main.ts';
export { CLOUDHSM_CLI_ENTRY, cloudHsmCliCommand, runCloudHsmCli } from './main.ts';
export type { HsmMetrics } from './metrics.ts';
export { HSM2M_MAX_USERS, hsmMetricsOf } from './metrics.ts';
export type { Sdk5SeedKey, Sdk5SeedUser } from './node-seed.ts';
export { aesKey, ecPair, sdk5KeyMaterial } from './node-seed.ts';
export type { Sdk5Scenario, Sdk5ScenarioName, Sdk5ScenarioOptions } from './seed-scenarios.ts';
export { HELD_BACK_KEY, INCONSISTENT_USERS, SDK5_SCENARIO_NAMES, sdk5Scenarios } from './seed-scenarios.ts';
export type { KeySyncCopy, KeySyncNode, ServiceKeySyncOptions } from './service-key-sync.ts';
export { ServiceKeySync } from './service-key-sync.ts';
