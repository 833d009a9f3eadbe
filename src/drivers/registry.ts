/**
 * The node-access tools hsm-sentinel speaks, one line each. Composition roots (the Lambda
 * and Azure deps, the CLI's local deps) ask this file for a tool; nothing else names one.
 */
import { ConfigurationError } from '#core/errors.ts';
import type { ToolId } from '#core/model.ts';
import { CLOUDHSM_CLI_MODULE } from './cloudhsm-cli/index.ts';
import { LUNA_MODULE } from './luna/index.ts';
import { MGMT_UTIL_AWS_MODULE, MGMT_UTIL_AZURE_MODULE } from './mgmt-util/index.ts';
import type { DriverContext, ToolBinding, ToolModule, ToolSettings } from './tool-module.ts';

/** In order of preference: the first module whose selection matches a cluster is its default tool. */
export const TOOL_MODULES: readonly ToolModule[] = [
  MGMT_UTIL_AWS_MODULE,
  CLOUDHSM_CLI_MODULE,
  MGMT_UTIL_AZURE_MODULE,
  LUNA_MODULE,
];

export function toolIds(): string[] {
  return TOOL_MODULES.map((m) => m.id);
}

export function toolModule(id: ToolId): ToolModule {
  const found = TOOL_MODULES.find((m) => m.id === id);
  if (!found) throw new ConfigurationError(`unknown tool '${id}': expected one of ${toolIds().join(', ')}`);
  return found;
}

/**
 * The tool a cluster of this cloud uses when none is configured. AWS picks by the cluster's
 * `HsmType` (DescribeClusters); a type no module serves is a configuration error that says so.
 */
export function defaultTool(cloud: 'aws' | 'azure', hsmType?: string): ToolModule {
  const candidates = TOOL_MODULES.filter((m) => m.selection.cloud === cloud);
  const found =
    hsmType === undefined
      ? candidates[0]
      : candidates.find((m) => m.selection.hsmTypes === undefined || m.selection.hsmTypes.includes(hsmType));
  if (!found) {
    const served = candidates
      .map((m) => `${m.id} (${m.selection.hsmTypes?.join(', ') ?? 'any type'})`)
      .join('; ');
    throw new ConfigurationError(
      `no node-access tool serves ${cloud} clusters of HSM type ${hsmType ?? '(none)'}; known: ${served || 'none'}`,
    );
  }
  return found;
}

/** Every tool checks its own settings in `settings` (a deployment's environment): fail at start, not mid-run. */
export function checkToolSettings(settings: ToolSettings): void {
  for (const module of TOOL_MODULES) module.checkSettings(settings);
}

/** Binds every tool to one deployment's context; drivers are built on first use, once. */
export function toolBindings(
  context: DriverContext | ((module: ToolModule) => DriverContext),
): (id: ToolId) => ToolBinding {
  const bound = new Map<ToolId, ToolBinding>();
  return (id) => {
    const existing = bound.get(id);
    if (existing) return existing;
    const module = toolModule(id);
    const ctx = typeof context === 'function' ? context(module) : context;
    let driver: ReturnType<ToolModule['createDriver']> | null = null;
    const binding: ToolBinding = {
      module,
      rules: module.rules,
      planner: module.plannerFor ? module.plannerFor(ctx.settings) : module.planner,
      runbook: module.runbook(ctx),
      driver: () => {
        driver ??= module.createDriver(ctx);
        return driver;
      },
    };
    bound.set(id, binding);
    return binding;
  };
}
