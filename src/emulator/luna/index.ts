/** Public surface of the emulated Luna (SoftHSM2 tokens + an emulated lunacm). */

import { memberBack, memberDown } from './appliance.ts';
import { readApplianceState, writeApplianceState } from './state.ts';

export type { GroupContents, SyncReport } from './appliance.ts';
export { needsSync, readGroup, recover, synchronize } from './appliance.ts';
export { LUNACM_ENTRY, lunacmCommand, runLunacm } from './main.ts';
export type { EmulatedLuna, LunaScenario, ScenarioGroup, ScenarioStep, SetupOptions } from './scenarios.ts';
export { LUNA_SCENARIOS, setupLunaScenario } from './scenarios.ts';
export type { InitialisedToken, SoftHsmHome } from './softhsm.ts';
export {
  createSoftHsmHome,
  initToken,
  nativeEnv,
  requireSoftHsm,
  SETUP_SCRIPT,
  SOFTHSM_LIBRARY,
  SOFTHSM_MISSING,
  softHsmAvailable,
  withSoftHsmConf,
} from './softhsm.ts';
export type { ApplianceState, GroupState, MemberState } from './state.ts';
export { readApplianceState, writeApplianceState } from './state.ts';
export type { EmulatorObject, ObjectSpec } from './tokens.ts';
export { createObject, listObjects, withToken } from './tokens.ts';

/**
 * Injects a fault into an emulated appliance: `down` stops serving the member's token and the
 * HA library marks it down; `back` serves it again (it stays down until `hagroup recover`).
 */
export function setMemberFault(statePath: string, serial: string, fault: 'down' | 'back'): void {
  const state = readApplianceState(statePath);
  if (fault === 'down') memberDown(state, serial);
  else memberBack(state, serial);
  writeApplianceState(statePath, state);
}
