/**
 * A real emulated Luna (SoftHSM2 tokens) for a test file: built in a temporary folder, with
 * SOFTHSM2_CONF pointing at it for the product's reader in this process (in the native
 * environment: Jest's process.env is a copy the library never sees), and removed after.
 * When SoftHSM2 is missing the build fails with the one-line message that names
 * tools/setup-system.sh (never a silent skip).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Secret } from '#core/secret.ts';
import type { EmulatedLuna, LunaScenario } from '#emulator/luna/scenarios.ts';
import { LUNA_SCENARIOS, setupLunaScenario } from '#emulator/luna/scenarios.ts';
import { nativeEnv } from '#emulator/luna/softhsm.ts';

export const PIN = 'co-pin-8231';
export const pin = (): Secret => new Secret(PIN);

export interface LunaFixture {
  luna: EmulatedLuna;
  dir: string;
  /** Restores SOFTHSM2_CONF and removes the folder. */
  remove(): void;
}

export function buildLuna(scenario: LunaScenario = LUNA_SCENARIOS['luna-ha']): LunaFixture {
  const dir = mkdtempSync(join(tmpdir(), 'hsm-luna-'));
  const env = nativeEnv();
  const previous = env.SOFTHSM2_CONF;
  try {
    const luna = setupLunaScenario(scenario, { dir, pin: PIN });
    env.SOFTHSM2_CONF = luna.env.SOFTHSM2_CONF;
    return {
      luna,
      dir,
      remove: () => {
        if (previous === undefined) delete env.SOFTHSM2_CONF;
        else env.SOFTHSM2_CONF = previous;
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
}
