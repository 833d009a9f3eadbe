/**
 * The emulated program of each tool, spawned exactly as the vendor's binary would be (the
 * driver appends its own arguments). One line per emulated tool, like the registry of tools.
 */
import type { ToolId } from '#core/model.ts';
import { CLOUDHSM_CLI_ENTRY } from './cloudhsm-cli/main.ts';
import { MGMT_UTIL_ENTRY } from './mgmt-util/main.ts';

const PROGRAMS: Readonly<Record<ToolId, () => string[]>> = {
  'mgmt-util-aws': () => [process.execPath, MGMT_UTIL_ENTRY, '--dialect', 'aws'],
  'mgmt-util-azure': () => [process.execPath, MGMT_UTIL_ENTRY, '--dialect', 'azure'],
  'cloudhsm-cli': () => [process.execPath, CLOUDHSM_CLI_ENTRY],
};

/** The command line of the tool's emulated program; throws for a tool the emulator does not play. */
export function emulatedCommand(tool: ToolId): string[] {
  const program = PROGRAMS[tool];
  if (!program) {
    throw new TypeError(
      `the emulator has no program for tool '${tool}' (it plays ${Object.keys(PROGRAMS).join(', ')})`,
    );
  }
  return program();
}
