import type { SyncAction } from '#core/model.ts';

/** A sync action between server numbers (node ids default to `hsm-<server>`), as the mgmt-util planner makes it. */
export function syncAction(
  command: 'syncUser' | 'syncKey',
  numericId: number,
  source: number,
  target: number,
  nodeIdOf: (server: number) => string = (server) => `hsm-${server}`,
): SyncAction {
  const kind = command === 'syncUser' ? 'user' : 'key';
  return {
    kind,
    objectId: `${kind}:${numericId}`,
    label: `${command} ${numericId}`,
    operation: command,
    ref: String(numericId),
    sourceNodeId: nodeIdOf(source),
    targetNodeId: nodeIdOf(target),
    description: `server ${source} > ${command} ${numericId} ${target}`,
  };
}
