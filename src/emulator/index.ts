/**
 * The emulator's public surface: emulated HSM clusters on loopback, the emulated mgmt-util
 * program, the seed scenarios, and the control client of a detached cluster.
 */

export type { EmulatedCluster, StartEmulatedClusterOptions } from './cluster.ts';
export {
  DEFAULT_EMULATOR_HOSTS,
  EMULATOR_NODE_ID_PREFIX,
  emulatorNodeIds,
  startEmulatedCluster,
} from './cluster.ts';
export type { ClusterSeed, NodeSeed, SeedKey, SeedUser } from './cluster-seed.ts';
export { buildNodeStates } from './cluster-seed.ts';
export type { DetachedCluster, EmulatorStatus, StartDetachedOptions } from './emulator-control.ts';
export { clearFaults, DAEMON_LOG_FILE, setFault, startDetached, status, stop } from './emulator-control.ts';
export type { ClusterFile } from './emulator-daemon.ts';
export { AWS_CONFIG_FILE, AZURE_CONFIG_FILE, CLUSTER_FILE, DAEMON_ENTRY } from './emulator-daemon.ts';
export type { ActiveFaults, NodeFault } from './faults.ts';
export { NO_FAULTS } from './faults.ts';
export type { HsmReturnCode } from './hsm-error.ts';
export { ALREADY_PRESENT_MESSAGES, EmulatedHsmError, HSM_RETURN_CODES } from './hsm-error.ts';
export type { MgmtUtilServer } from './mgmt-util/config.ts';
export { HSM_PORT, parseMgmtUtilConfig, renderMgmtUtilConfig } from './mgmt-util/config.ts';
export { MGMT_UTIL_ENTRY, mgmtUtilCommand } from './mgmt-util/main.ts';
export { NodeClient } from './node-client.ts';
export type { NodeSnapshot, SnapshotKey, SnapshotUser } from './node-state.ts';
export { MAX_LOGIN_FAILURES } from './node-state.ts';
export type { SeedScenarioName, SeedScenarioOptions } from './seed-scenarios.ts';
export {
  AZURE_SINGLE_NODE_KEY,
  DIVERGENT_KEY,
  SEED_SCENARIO_NAMES,
  seedScenarios,
} from './seed-scenarios.ts';
