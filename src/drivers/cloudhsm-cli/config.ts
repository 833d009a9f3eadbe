/**
 * The SDK 5 CLI's config file, `cloudhsm-cli.cfg`, written and read as the vendor lays it out
 * (reference §1.11, third-party examples; AWS does not document the file). The driver writes
 * one from the resolved node list on every run (a config that lacks an HSM makes changes
 * "not effective on all HSMs"); the emulated CLI reads it; the drift check reads the
 * operator's own:
 * ```json
 * { "clusters": [ { "type": "hsm2m",
 *                   "cluster": { "hsm_ca_file": "/opt/cloudhsm/etc/customerCA.crt",
 *                                "servers": [ { "hostname": "10.0.1.12", "port": 2223, "enable": true } ],
 *                                "options": { "disable_key_availability_check": true } } } ],
 *   "logging": { "log_type": "file", "log_file": "…", "log_level": "info", "log_interval": "daily" } }
 * ```
 * Assumptions (UNCONFIRMED): `port` defaults to 2223 (the examples' value); `enable: false`
 * leaves a server out; `disable_key_availability_check` (the setting AWS names for
 * single-HSM clusters) lives in `cluster.options`; a `cluster_id` field (the emulator's own)
 * names a cluster for `--cluster-id` when the file lists more than one.
 */
import { ConfigurationError, InvalidInputError } from '#core/errors.ts';
import type { ClusterNode } from '#core/model.ts';

/** Where the SDK 5 client keeps the cluster's issuing certificate (the documented default). */
export const DEFAULT_CA_FILE = '/opt/cloudhsm/etc/customerCA.crt';

/** Where the real CLI reads its config (`--config` default in the 2023 `login` help). */
export const CLOUDHSM_CLI_DEFAULT_CONFIG = '/opt/cloudhsm/etc/cloudhsm-cli.cfg';
/** The port in every third-party SDK 5 config example. */
export const SDK5_HSM_PORT = 2223;

export interface CliServer {
  /** Position in the file. */
  index: number;
  hostname: string;
  port: number;
}

export interface CliCluster {
  type: string;
  /** The emulator's own `cluster_id` field, or null. */
  clusterId: string | null;
  hsmCaFile: string | null;
  /** Enabled servers only, in file order. */
  servers: CliServer[];
  disableKeyAvailabilityCheck: boolean;
}

export interface CliConfig {
  clusters: CliCluster[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readServer(entry: unknown, index: number, where: string): CliServer | null {
  if (!isRecord(entry) || typeof entry.hostname !== 'string' || entry.hostname.length === 0) {
    throw new ConfigurationError(`${where}.servers[${index}] has no hostname`);
  }
  const port = entry.port ?? SDK5_HSM_PORT;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new ConfigurationError(`${where}.servers[${index}].port is not a TCP port`);
  }
  if (entry.enable !== undefined && typeof entry.enable !== 'boolean') {
    throw new ConfigurationError(`${where}.servers[${index}].enable is not true or false`);
  }
  return entry.enable === false ? null : { index, hostname: entry.hostname, port };
}

/** Reads a `cloudhsm-cli.cfg`; `source` names it in errors. */
export function parseCloudHsmCliConfig(text: string, source = 'cloudhsm-cli.cfg'): CliConfig {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (cause) {
    throw new ConfigurationError(`${source}: not valid JSON`, { cause });
  }
  if (!isRecord(parsed) || !Array.isArray(parsed.clusters) || parsed.clusters.length === 0) {
    throw new ConfigurationError(`${source}: expected an object with a non-empty "clusters" array`);
  }
  const clusters = parsed.clusters.map((entry: unknown, c: number): CliCluster => {
    const where = `${source}: clusters[${c}].cluster`;
    if (!isRecord(entry) || !isRecord(entry.cluster) || !Array.isArray(entry.cluster.servers)) {
      throw new ConfigurationError(`${where} has no "servers" array`);
    }
    const cluster = entry.cluster;
    const options = isRecord(cluster.options) ? cluster.options : {};
    return {
      type: typeof entry.type === 'string' ? entry.type : 'hsm2m',
      clusterId: typeof cluster.cluster_id === 'string' ? cluster.cluster_id : null,
      hsmCaFile: typeof cluster.hsm_ca_file === 'string' ? cluster.hsm_ca_file : null,
      servers: (cluster.servers as unknown[])
        .map((server, i) => readServer(server, i, where))
        .filter((s): s is CliServer => s !== null),
      disableKeyAvailabilityCheck: options.disable_key_availability_check === true,
    };
  });
  return { clusters };
}

/** The enabled servers' host names of an operator's config, in file order (the drift check). */
export function readOperatorConfigAddresses(text: string): string[] {
  try {
    return parseCloudHsmCliConfig(text).clusters.flatMap((c) => c.servers.map((s) => s.hostname));
  } catch (error) {
    if (error instanceof ConfigurationError) throw new InvalidInputError(error.message, { cause: error });
    throw error;
  }
}

export interface RenderCliConfigOptions {
  type?: 'hsm1' | 'hsm2m';
  /** The cluster's CA certificate the CLI checks the HSMs against (default: the vendor path). */
  hsmCaFile?: string;
  /** Writes `options.disable_key_availability_check: true` (needed to list keys held by one HSM). */
  disableKeyAvailabilityCheck?: boolean;
  /** Node indexes written with `"enable": false`. */
  disabled?: readonly number[];
  logFile?: string;
}

/**
 * A `cloudhsm-cli.cfg` for the given nodes (one cluster, every node enabled unless
 * `disabled` names it), in the vendor layout: what the driver writes for every run, and what
 * the emulator's tests start the CLI on.
 */
export function renderCloudHsmCliConfig(
  nodes: readonly ClusterNode[],
  options: RenderCliConfigOptions = {},
): string {
  const cluster: Record<string, unknown> = {
    hsm_ca_file: options.hsmCaFile ?? DEFAULT_CA_FILE,
    servers: nodes.map((node, i) => ({
      hostname: node.address,
      port: node.port,
      enable: !(options.disabled ?? []).includes(i),
    })),
  };
  if (options.disableKeyAvailabilityCheck === true) {
    cluster.options = { disable_key_availability_check: true };
  }
  const config = {
    clusters: [{ type: options.type ?? 'hsm2m', cluster }],
    logging: {
      log_type: 'file',
      log_file: options.logFile ?? '/opt/cloudhsm/run/cloudhsm-cli.log',
      log_level: 'info',
      log_interval: 'daily',
    },
  };
  return `${JSON.stringify(config, null, 4)}\n`;
}
