/**
 * What the util prints between its start and its first prompt. Recognised lines:
 * ```
 * Connecting to the server(s), it may take time
 * depending on the server(s) load, please wait...
 * Connecting to server '<name>': hostname '<host>', port <p>...
 * Connected to server '<name>': hostname '<host>', port <p>.
 * Server N(addr) is not connected                                   (Azure)
 * running in limited commands mode                                   (no owner certificate)
 * <any line naming server '<name>' with fail|failed|failure|error|unable|refused|timeout|timed out>
 *                                                   (our grammar for undocumented connect errors)
 * ```
 * plus blank and banner lines (`Liquidsec MGMT Util Version : …`). Anything else is a
 * ParseError. Server `<name>` is the config `name` (AWS: the address) or `server N` (Azure).
 * A configured server without a `Connected to server` line did not connect.
 */
import type { DialectProfile } from '../dialect.ts';
import type { ServerRef } from './lines.ts';
import { isIgnorable, NOT_CONNECTED, serverRef, toLines, unknownLine } from './lines.ts';

const COMMAND = 'startup';
const PREAMBLE = [
  /^\s*Connecting to the server\(s\), it may take time\s*$/,
  /^\s*depending on the server\(s\) load, please wait\.*\s*$/,
];
const CONNECTING = /^\s*Connecting to server '([^']*)'\s*:\s*hostname '([^']*)',\s*port (\d+)\s*\.*\s*$/;
const CONNECTED = /^\s*Connected to server '([^']*)'\s*:\s*hostname '([^']*)',\s*port (\d+)\s*\.*\s*$/;
const LIMITED = /^\s*(?:warning\s*:?\s*)?running in limited commands mode\s*\.*\s*$/i;
const CONNECT_FAILED =
  /\bserver '([^']*)'.*\b(?:fail|failed|failure|error|unable|refused|timeout|timed out)\b/i;

export interface StartupServer {
  name: string;
  hostname: string;
  port: number;
}

export interface StartupReport {
  /** `Connecting to server …` lines. */
  attempted: StartupServer[];
  /** `Connected to server …` lines. */
  connected: StartupServer[];
  /** `Server N(addr) is not connected` lines. */
  notConnected: ServerRef[];
  /** Connect errors naming a server: name and the line. */
  failed: { name: string; line: string }[];
  limitedCommandsMode: boolean;
}

/** Parses the start-up output (everything before the first prompt). */
export function parseStartup(text: string, profile: DialectProfile): StartupReport {
  const report: StartupReport = {
    attempted: [],
    connected: [],
    notConnected: [],
    failed: [],
    limitedCommandsMode: false,
  };
  for (const line of toLines(COMMAND, text)) {
    if (isIgnorable(line, profile) || PREAMBLE.some((re) => re.test(line.text))) continue;
    const server = (m: RegExpExecArray): StartupServer => ({
      name: m[1] ?? '',
      hostname: m[2] ?? '',
      port: Number(m[3]),
    });
    const connecting = CONNECTING.exec(line.text);
    if (connecting) {
      report.attempted.push(server(connecting));
      continue;
    }
    const connected = CONNECTED.exec(line.text);
    if (connected) {
      report.connected.push(server(connected));
      continue;
    }
    const nc = NOT_CONNECTED.exec(line.text);
    if (nc) {
      report.notConnected.push(serverRef(nc[1], nc[2]));
      continue;
    }
    if (LIMITED.test(line.text)) {
      report.limitedCommandsMode = true;
      continue;
    }
    const failed = CONNECT_FAILED.exec(line.text);
    if (failed) {
      report.failed.push({ name: failed[1] ?? '', line: line.text.trim() });
      continue;
    }
    throw unknownLine(COMMAND, line, 'a connection line');
  }
  return report;
}

/** A configured server: what start-up lines may call it. */
export interface ExpectedServer {
  label: string;
  hostname: string;
  port: number;
}

export type ServerConnection = { connected: true } | { connected: false; detail: string };

/**
 * Which configured servers connected, in config order. A `Connected` line belongs to server
 * i when it names i's label, or else when its hostname and port are those of exactly one
 * configured server (the emulator may put several nodes on one loopback address).
 */
export function connectionsOf(
  report: StartupReport,
  expected: readonly ExpectedServer[],
): ServerConnection[] {
  const indexOf = (name: string, hostname?: string, port?: number): number => {
    const byName = expected.findIndex((e) => e.label === name);
    if (byName >= 0 || hostname === undefined) return byName;
    const byHost = expected.flatMap((e, i) => (e.hostname === hostname && e.port === port ? [i] : []));
    return byHost.length === 1 ? (byHost[0] as number) : -1;
  };
  const result: ServerConnection[] = expected.map(() => ({
    connected: false,
    detail: "no 'Connected to server' line at start-up",
  }));
  for (const f of report.failed) {
    const i = indexOf(f.name);
    if (i >= 0) result[i] = { connected: false, detail: f.line };
  }
  for (const nc of report.notConnected) {
    if (nc.server < expected.length) {
      result[nc.server] = {
        connected: false,
        detail: `server ${nc.server}${nc.address ? `(${nc.address})` : ''} is not connected`,
      };
    }
  }
  for (const c of report.connected) {
    const i = indexOf(c.name, c.hostname, c.port);
    const notConnected = report.notConnected.some((nc) => nc.server === i);
    if (i >= 0 && !notConnected) result[i] = { connected: true };
  }
  return result;
}
