import type { SyncAction } from '#core/model.ts';

/** A sync action between server numbers; node ids default to `hsm-<server>`. */
export function syncAction(
  command: 'syncUser' | 'syncKey',
  numericId: number,
  source: number,
  target: number,
  nodeIdOf: (server: number) => string = (server) => `hsm-${server}`,
): SyncAction {
  return {
    kind: command === 'syncUser' ? 'user' : 'key',
    objectId: `${command}:${numericId}`,
    label: `${command} ${numericId}`,
    command,
    numericId,
    sourceNodeId: nodeIdOf(source),
    sourceServer: source,
    targetNodeId: nodeIdOf(target),
    targetServer: target,
  };
}
