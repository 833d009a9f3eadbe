/** The demos, one line per tool (`hsm-sentinel demo --tool <id>`); the first is `npm start`'s. */
import { CLOUDHSM_CLI_DEMO } from './cloudhsm-cli.ts';
import type { DemoScenario } from './demo-scenario.ts';
import { LUNA_DEMO } from './luna.ts';
import { MGMT_UTIL_AWS_DEMO, MGMT_UTIL_AZURE_DEMO } from './mgmt-util.ts';

export const DEMOS: readonly DemoScenario[] = [
  MGMT_UTIL_AWS_DEMO,
  MGMT_UTIL_AZURE_DEMO,
  CLOUDHSM_CLI_DEMO,
  LUNA_DEMO,
];

/** `--provider aws|azure` (the older flag) names the cloud's own tool's demo. */
export const DEMO_BY_PROVIDER: Readonly<Record<string, DemoScenario>> = {
  aws: MGMT_UTIL_AWS_DEMO,
  azure: MGMT_UTIL_AZURE_DEMO,
};

export function demoFor(tool: string): DemoScenario | undefined {
  return DEMOS.find((d) => d.tool === tool);
}
