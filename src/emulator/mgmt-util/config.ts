/**
 * The vendor tools' config files, read by the emulated mgmt-util exactly as the real ones are
 * laid out: AWS `cloudhsm_mgmt_util.cfg` (servers[] of {hostname, name, port, enable,
 * e2e_encryption, certificate, pkey, CAfile, CApath, server_ssl, ssl_ciphers}) and Azure
 * `azcloudhsm_resource.cfg` (servers[] of {hostname}). Server N is position N in the file.
 *
 * Known difference: the Azure file has no port (the tool always uses 2225); the emulator
 * accepts an optional `port` per server, written only when a node is not on 2225.
 */
import { ConfigurationError } from '#core/errors.ts';
import type { ClusterNode } from '#core/model.ts';
import type { Dialect } from '#drivers/mgmt-util/dialect.ts';

export const HSM_PORT = 2225;

export interface MgmtUtilServer {
  /** Position in the file: the N of `server N`. */
  index: number;
  /** AWS `name` (defaults to the hostname); Azure servers are named `server N`. */
  name: string;
  hostname: string;
  port: number;
  /** AWS `enable`: a disabled server is not connected. */
  enabled: boolean;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function yes(value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  return value === true || value === 'yes' || value === 'true';
}

/** Reads a config file's text; `source` names it in errors. */
export function parseMgmtUtilConfig(dialect: Dialect, text: string, source = 'config'): MgmtUtilServer[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ConfigurationError(`${source}: not valid JSON`, { cause });
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.servers)) {
    throw new ConfigurationError(`${source}: expected an object with a "servers" array`);
  }
  return parsed.servers.map((entry: unknown, index: number): MgmtUtilServer => {
    if (!isRecord(entry) || typeof entry.hostname !== 'string' || entry.hostname.length === 0) {
      throw new ConfigurationError(`${source}: servers[${index}] has no hostname`);
    }
    const port = entry.port ?? HSM_PORT;
    if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
      throw new ConfigurationError(`${source}: servers[${index}].port is not a TCP port`);
    }
    if (dialect === 'azure') {
      return { index, name: `server ${index}`, hostname: entry.hostname, port, enabled: true };
    }
    const name = typeof entry.name === 'string' && entry.name.length > 0 ? entry.name : entry.hostname;
    return { index, name, hostname: entry.hostname, port, enabled: yes(entry.enable, true) };
  });
}

/**
 * A config file for the given nodes, in the vendor layout (what `configure -a` / the Azure
 * onboarding guide produce), so the emulated util can be started like the real one.
 */
export function renderMgmtUtilConfig(dialect: Dialect, nodes: readonly ClusterNode[]): string {
  if (dialect === 'azure') {
    const servers = nodes.map((node) =>
      node.port === HSM_PORT ? { hostname: node.address } : { hostname: node.address, port: node.port },
    );
    return `${JSON.stringify({ servers }, null, 4)}\n`;
  }
  const servers = nodes.map((node) => ({
    hostname: node.address,
    name: node.address,
    port: node.port,
    certificate: '/opt/cloudhsm/etc/client.crt',
    pkey: '/opt/cloudhsm/etc/client.key',
    CAfile: '',
    CApath: '/opt/cloudhsm/etc/certs',
    ssl_ciphers: '',
    server_ssl: 'yes',
    enable: 'yes',
    e2e_encryption: { enable: 'yes', owner_cert_path: '/opt/cloudhsm/etc/customerCA.crt' },
  }));
  const config = { scard: { enable: 'no', channel: 0, reader: 'Cavium Nitrox Card Reader 0' }, servers };
  return `${JSON.stringify(config, null, 4)}\n`;
}
