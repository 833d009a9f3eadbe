/**
 * The util's config file, written by us from the control plane's node list on every run.
 * The util only talks to the servers in its file, in file order (= server numbers); a file
 * the operator forgot to refresh is the AWS seed's root cause, so we never reuse one.
 *
 * AWS (`cloudhsm_mgmt_util.cfg`): the vendor layout as `configure -m` writes it, including
 * the `scard` block and the vendor's `"yes"`/`"no"` strings for the enable flags.
 * Azure (`azcloudhsm_resource.cfg`): `{"servers":[{"hostname"}]}`. Known difference: we add
 * `"port"` to an Azure entry only when the node's port is not 2225 (the documented file has
 * no port; the emulator needs it because tests use ephemeral loopback ports).
 */
import { InvalidInputError } from '#core/errors.ts';
import type { ClusterNode } from '#core/model.ts';
import type { DialectProfile } from './dialect.ts';

interface AwsServerEntry {
  name: string;
  hostname: string;
  port: number;
  enable: 'yes' | 'no';
  e2e_encryption: { enable: 'yes' | 'no'; owner_cert_path: string };
  certificate: string;
  pkey: string;
  CAfile: string;
  CApath: string;
  server_ssl: 'yes' | 'no';
  ssl_ciphers: string;
}

/** The config object for `nodes` (server N = nodes[N]). */
export function buildConfig(nodes: readonly ClusterNode[], profile: DialectProfile): object {
  const certs = profile.certificatePaths;
  if (certs === null) {
    return {
      servers: nodes.map((n) =>
        n.port === profile.defaultPort ? { hostname: n.address } : { hostname: n.address, port: n.port },
      ),
    };
  }
  const servers: AwsServerEntry[] = nodes.map((n) => ({
    name: n.address,
    hostname: n.address,
    port: n.port,
    enable: 'yes',
    e2e_encryption: { enable: 'yes', owner_cert_path: certs.ownerCertPath },
    certificate: certs.certificate,
    pkey: certs.pkey,
    CAfile: certs.CAfile,
    CApath: certs.CApath,
    server_ssl: 'yes',
    ssl_ciphers: '',
  }));
  return {
    scard: { certificate: 'cert-sc', enable: 'no', pkey: 'pkey-sc', port: profile.defaultPort },
    servers,
  };
}

/** The config file text for `nodes`, as the util reads it. */
export function renderConfig(nodes: readonly ClusterNode[], profile: DialectProfile): string {
  return `${JSON.stringify(buildConfig(nodes, profile), null, 4)}\n`;
}

/** A server listed in an operator-maintained config. */
export interface OperatorConfigServer {
  address: string;
  port: number;
  /** AWS `enable` flag (`"yes"`/`true`); Azure entries are always enabled. */
  enabled: boolean;
}

function isEnabled(value: unknown): boolean {
  if (value === undefined) return true;
  return value === true || (typeof value === 'string' && value.toLowerCase() === 'yes');
}

/** Parses an operator's config file into its servers. Throws InvalidInputError on a malformed file. */
export function readOperatorConfigServers(text: string, profile: DialectProfile): OperatorConfigServer[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError(`${profile.configFileName}: not valid JSON`, { cause });
  }
  const servers = (parsed as { servers?: unknown } | null)?.servers;
  if (!Array.isArray(servers)) {
    throw new InvalidInputError(`${profile.configFileName}: no "servers" array`);
  }
  return servers.map((entry: unknown, i) => {
    const e = entry as { hostname?: unknown; port?: unknown; enable?: unknown } | null;
    if (typeof e?.hostname !== 'string' || e.hostname === '') {
      throw new InvalidInputError(`${profile.configFileName}: servers[${i}] has no "hostname"`);
    }
    const port = e.port === undefined ? profile.defaultPort : Number(e.port);
    if (!Number.isInteger(port) || port <= 0) {
      throw new InvalidInputError(`${profile.configFileName}: servers[${i}] has a bad "port"`);
    }
    return { address: e.hostname, port, enabled: isEnabled(e.enable) };
  });
}

/** Addresses of the enabled servers in an operator's config, in file order (for drift). */
export function readOperatorConfig(text: string, profile: DialectProfile): string[] {
  return readOperatorConfigServers(text, profile)
    .filter((s) => s.enabled)
    .map((s) => s.address);
}
