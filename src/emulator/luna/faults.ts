/** Faults of the emulated Luna, injected into its appliance state file. */
import { memberBack, memberDown } from './appliance.ts';
import { readApplianceState, writeApplianceState } from './state.ts';

/**
 * `down` stops serving the member's token and the HA library marks it down; `back` serves it
 * again (it stays down until `hagroup recover`).
 */
export function setMemberFault(statePath: string, serial: string, fault: 'down' | 'back'): void {
  const state = readApplianceState(statePath);
  if (fault === 'down') memberDown(state, serial);
  else memberBack(state, serial);
  writeApplianceState(statePath, state);
}
