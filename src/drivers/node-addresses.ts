/**
 * What every driver checks of the nodes it is given before it writes them into a tool's
 * config: an address is a host name or an IP address (no whitespace, quotes, parentheses or
 * anything a config or a tool's output could misread), the port a TCP port.
 */
import { InvalidInputError } from '#core/errors.ts';
import type { ClusterNode } from '#core/model.ts';

export function checkNodeAddresses(nodes: readonly ClusterNode[]): void {
  for (const n of nodes) {
    if (!/^[A-Za-z0-9._:-]+$/.test(n.address)) {
      throw new InvalidInputError(
        `node ${n.nodeId}: address ${JSON.stringify(n.address)} is not a host name or IP address`,
      );
    }
    if (!Number.isInteger(n.port) || n.port < 1 || n.port > 65535) {
      throw new InvalidInputError(`node ${n.nodeId}: port ${n.port} is not a TCP port`);
    }
  }
}
