/**
 * What the util prints between its start and its first prompt. Recognised lines:
 * ```
 * Connecting to the server(s), it may take time
 * depending on the server(s) load, please wait...
 * Connecting to server '<name>': hostname '<host>', port <p>...
 * Connected to server '<name>': hostname '<host>', port <p>.
 * Server N(addr) is not connected                                   (Azure)
 * running in limited commands mode                                   (no owner certificate)
 * <any line naming server '<name>', then fail|failed|failure|error|unable|refused|timeout|timed out>
 *                                                   (our grammar for undocumented connect errors)
 * ```
 * plus blank and banner lines (`Liquidsec MGMT Util Version : …`). Anything else is a
 * ParseError. Server `<name>` is the config `name` (AWS: the address) or `server N` (Azure).
 * A configured server without a `Connected to server` line did not connect.
 */
import type { DialectProfile } from '../dialect.ts';
import type { ServerRef } from './lines.ts';
import { isIgnorable, matchNotConnected, toLines, unknownLine } from './lines.ts';

const COMMAND = 'startup';
// Applied to trimmed lines; each is anchored and linear (see lines.ts).
const PREAMBLE = [
  /^Connecting to the server\(s\), it may take time$/,
  /^depending on the server\(s\) load, please wait\.*$/,
];
const CONNECTING = /^Connecting to server '([^']*)'\s*:\s*hostname '([^']*)',\s*port (\d+)\s*\.*$/;
const CONNECTED = /^Connected to server '([^']*)'\s*:\s*hostname '([^']*)',\s*port (\d+)\s*\.*$/;
const LIMITED = /^(?:warning\s*(?::\s*)?)?running in limited commands mode\s*\.*$/i;
const SERVER_NAME = /\bserver '/i;
const FAILURE_WORD = /\b(?:fail|failed|failure|error|unable|refused|timeout|timed out)\b/i;

/**
 * A connect error naming a server: `… server '<name>' … <failure word> …`. The first
 * `server '` of the line opens the name, the next quote closes it, and a failure word must
 * follow (a later `server '` could only find a shorter rest). Linear: two literal searches.
 */
function connectFailure(trimmed: string): string | null {
  const at = SERVER_NAME.exec(trimmed);
  if (!at) return null;
  const open = at.index + at[0].length;
  const close = trimmed.indexOf("'", open);
  if (close < 0 || !FAILURE_WORD.test(trimmed.slice(close + 1))) return null;
  return trimmed.slice(open, close);
}

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
    const t = line.trimmed;
    if (isIgnorable(line, profile) || PREAMBLE.some((re) => re.test(t))) continue;
    const server = (m: RegExpExecArray): StartupServer => ({
      name: m[1] ?? '',
      hostname: m[2] ?? '',
      port: Number(m[3]),
    });
    const connecting = CONNECTING.exec(t);
    if (connecting) {
      report.attempted.push(server(connecting));
      continue;
    }
    const connected = CONNECTED.exec(t);
    if (connected) {
      report.connected.push(server(connected));
      continue;
    }
    const nc = matchNotConnected(t);
    if (nc) {
      report.notConnected.push({ server: nc.server, address: nc.address });
      continue;
    }
    if (LIMITED.test(t)) {
      report.limitedCommandsMode = true;
      continue;
    }
    const failed = connectFailure(t);
    if (failed !== null) {
      report.failed.push({ name: failed, line: t });
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
  const notConnected = new Set(report.notConnected.map((nc) => nc.server));
  for (const c of report.connected) {
    const i = indexOf(c.name, c.hostname, c.port);
    if (i >= 0 && !notConnected.has(i)) result[i] = { connected: true };
  }
  return result;
}
