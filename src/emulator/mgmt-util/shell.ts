/**
 * The emulated mgmt-util's interpreter: connects to every server of its config in file order,
 * then reads commands line by line and prints the documented output. It never echoes input
 * (it runs on pipes) and never prints an argument it was given as text, so a password typed
 * on stdin cannot reach stdout/stderr.
 */
import type { Dialect } from '#drivers/mgmt-util/dialect.ts';
import type { UserType } from '#drivers/mgmt-util/listing.ts';
import {
  ALREADY_PRESENT_MESSAGES,
  EmulatedHsmError,
  HSM_RETURN_CODES,
  type HsmReturnCode,
} from '../hsm-error.ts';
import { NodeClient } from '../node-client.ts';
import type { WireOp, WireOps } from '../protocol.ts';
import type { MgmtUtilServer } from './config.ts';
import {
  CONFIRM_QUESTION,
  connectedLine,
  connectingLine,
  createUserCaution,
  DIALECT_TEXT,
  type DialectText,
  HELP_LINES,
  infoServerTable,
  keyInfoBlock,
  keysBlock,
  notConnectedLine,
  STARTUP_PREAMBLE,
  serverLabel,
  serverPrompt,
  USAGE,
  usersBlock,
} from './format.ts';

export interface ShellIo {
  write(text: string): void;
  /** The next input line (without its newline), or null at end of input. */
  readLine(): Promise<string | null>;
}

export interface ShellOptions {
  connectTimeoutMs?: number;
}

interface Slot {
  server: MgmtUtilServer;
  /** null: never connected (skipped in cluster mode). */
  client: NodeClient | null;
}

type CallResult<T> = { ok: true; value: T } | { ok: false; code: HsmReturnCode; detail: string };

const LOGIN_TYPES: readonly UserType[] = ['PRECO', 'PCO', 'CO', 'CU', 'AU'];
const CREATE_TYPES: readonly UserType[] = ['CO', 'CU', 'AU'];
const UNSIGNED = /^\d{1,10}$/;

function parseUnsigned(text: string | undefined): number | null {
  return text !== undefined && UNSIGNED.test(text) ? Number(text) : null;
}

function asUserType(text: string | undefined, allowed: readonly UserType[]): UserType | null {
  const upper = text?.toUpperCase();
  return allowed.find((t) => t === upper) ?? null;
}

export class MgmtUtilShell {
  readonly #dialect: Dialect;
  readonly #text: DialectText;
  readonly #servers: readonly MgmtUtilServer[];
  readonly #io: ShellIo;
  readonly #connectTimeoutMs: number;
  #slots: Slot[] = [];
  /** Server mode: the current server's index; null in cluster mode. */
  #mode: number | null = null;

  constructor(dialect: Dialect, servers: readonly MgmtUtilServer[], io: ShellIo, options: ShellOptions = {}) {
    this.#dialect = dialect;
    this.#text = DIALECT_TEXT[dialect];
    this.#servers = servers;
    this.#io = io;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 5000;
  }

  /** Connects, then serves commands until `quit` or end of input. Returns the exit code. */
  async run(): Promise<number> {
    await this.#connectAll();
    try {
      for (;;) {
        this.#io.write(this.#mode === null ? this.#text.prompt : serverPrompt(this.#mode));
        const line = await this.#io.readLine();
        if (line === null || !(await this.#dispatch(line))) break;
      }
      this.#out('', 'disconnecting from servers, please wait...');
      return 0;
    } finally {
      for (const slot of this.#slots) slot.client?.close();
    }
  }

  #out(...lines: string[]): void {
    if (lines.length > 0) this.#io.write(lines.map((l) => `${l}\n`).join(''));
  }

  async #connectAll(): Promise<void> {
    this.#out(...this.#text.banner, ...STARTUP_PREAMBLE);
    for (const server of this.#servers) {
      const name = this.#dialect === 'azure' ? `server ${server.index}` : server.name;
      if (!server.enabled) {
        this.#out('', notConnectedLine(server.index, server.hostname));
        this.#slots.push({ server, client: null });
        continue;
      }
      this.#out('', connectingLine(name, server.hostname, server.port));
      try {
        const client = await NodeClient.connect(server.hostname, server.port, {
          timeoutMs: this.#connectTimeoutMs,
        });
        this.#out(connectedLine(name, server.hostname, server.port));
        this.#slots.push({ server, client });
      } catch {
        this.#out(notConnectedLine(server.index, server.hostname));
        this.#slots.push({ server, client: null });
      }
    }
  }

  /** Returns false when the session ends. */
  async #dispatch(line: string): Promise<boolean> {
    const words = line
      .trim()
      .split(/\s+/)
      .filter((w) => w.length > 0);
    const [command, ...args] = words;
    if (command === undefined) return true;
    switch (command.toLowerCase()) {
      case 'quit':
        return false;
      case 'help':
        this.#out(...HELP_LINES);
        return true;
      case 'enable_e2e':
        this.#enableE2e();
        return true;
      case 'loginhsm':
        await this.#login(args);
        return true;
      case 'logouthsm':
        await this.#logout();
        return true;
      case 'listusers':
        await this.#listUsers();
        return true;
      case 'findallkeys':
        await this.#findAllKeys(args);
        return true;
      case 'getkeyinfo':
        await this.#getKeyInfo(args);
        return true;
      case 'createuser':
        return this.#createUser(args);
      case 'info':
        await this.#infoServer(args);
        return true;
      case 'server':
        this.#enterServer(args);
        return true;
      case 'exit':
        if (this.#mode === null) this.#out("Not in server mode: use 'quit' to leave");
        this.#mode = null;
        return true;
      case 'syncuser':
        await this.#sync('syncUser', args);
        return true;
      case 'synckey':
        await this.#sync('syncKey', args);
        return true;
      default:
        this.#out("Invalid command. Type 'help' for the list of commands.");
        return true;
    }
  }

  /** The servers a command runs on: the current one in server mode, else every server that connected. */
  #targets(): Slot[] {
    if (this.#mode !== null) {
      const slot = this.#slots[this.#mode];
      return slot === undefined ? [] : [slot];
    }
    return this.#slots.filter((s) => s.client !== null);
  }

  #label(slot: Slot): string {
    return serverLabel(slot.server.index, slot.server.hostname);
  }

  async #call<Op extends WireOp>(
    slot: Slot,
    op: Op,
    args: WireOps[Op]['args'],
  ): Promise<CallResult<WireOps[Op]['result']>> {
    const client = slot.client;
    if (client === null || !client.connected) {
      return { ok: false, code: HSM_RETURN_CODES.serverDisconnected, detail: 'not connected' };
    }
    try {
      return { ok: true, value: await client.request(op, args) };
    } catch (error) {
      if (error instanceof EmulatedHsmError) return { ok: false, code: error.code, detail: error.detail };
      return { ok: false, code: HSM_RETURN_CODES.serverDisconnected, detail: 'request failed' };
    }
  }

  /** Runs one request on every target in parallel; results in server order. */
  #onTargets<Op extends WireOp>(op: Op, args: WireOps[Op]['args']) {
    return Promise.all(
      this.#targets().map(async (slot) => ({ slot, result: await this.#call(slot, op, args) })),
    );
  }

  /** `<command> success on server N(addr)`; in server mode plain `<command> success`. */
  #status(command: string, slot: Slot, result: CallResult<unknown>): string {
    const where = this.#mode === null ? ` on ${this.#label(slot)}` : '';
    return result.ok ? `${command} success${where}` : `${command} failed: ${result.code}${where}`;
  }

  #failedOn(command: string, slot: Slot, code: HsmReturnCode): string {
    return `${command} failed: ${code} on ${this.#label(slot)}`;
  }

  #enableE2e(): void {
    for (const slot of this.#targets()) {
      this.#out(
        slot.client?.connected === true
          ? `E2E enabled on ${this.#label(slot)}`
          : this.#failedOn('enable_e2e', slot, HSM_RETURN_CODES.serverDisconnected),
      );
    }
  }

  async #login(args: string[]): Promise<void> {
    const [typeText, username, password] = args;
    const userType = asUserType(typeText, LOGIN_TYPES);
    if (args.length !== 3 || userType === null || username === undefined || password === undefined) {
      this.#out(USAGE.loginHSM);
      return;
    }
    for (const { slot, result } of await this.#onTargets('login', { userType, username, password })) {
      this.#out(this.#status('loginHSM', slot, result));
    }
  }

  async #logout(): Promise<void> {
    for (const { slot, result } of await this.#onTargets('logout', {})) {
      this.#out(this.#status('logoutHSM', slot, result));
    }
  }

  async #listUsers(): Promise<void> {
    for (const { slot, result } of await this.#onTargets('listUsers', {})) {
      this.#out(
        ...(result.ok
          ? usersBlock(this.#label(slot), result.value)
          : [this.#failedOn('listUsers', slot, result.code)]),
      );
    }
  }

  async #findAllKeys(args: string[]): Promise<void> {
    const userId = parseUnsigned(args[0]);
    const hash = args[1];
    if (args.length !== 2 || userId === null || (hash !== '0' && hash !== '1')) {
      this.#out(USAGE.findAllKeys);
      return;
    }
    const sections = (await this.#onTargets('findAllKeys', { userId, hash: hash === '1' })).map(
      ({ slot, result }) =>
        result.ok
          ? keysBlock(this.#label(slot), result.value)
          : [this.#failedOn('findAllKeys', slot, result.code)],
    );
    this.#out(...sections.flatMap((lines, i) => (i === 0 ? lines : ['', ...lines])));
  }

  async #getKeyInfo(args: string[]): Promise<void> {
    const handle = parseUnsigned(args[1]);
    if (args.length !== 2 || args[0] !== '-k' || handle === null) {
      this.#out(USAGE.getKeyInfo);
      return;
    }
    const sections = (await this.#onTargets('getKeyInfo', { handle })).map(({ slot, result }) =>
      result.ok
        ? keyInfoBlock(this.#label(slot), result.value)
        : [this.#failedOn('getKeyInfo', slot, result.code)],
    );
    this.#out(...sections.flatMap((lines, i) => (i === 0 ? lines : ['', ...lines])));
  }

  /** Returns false when input ended at the confirmation question. */
  async #createUser(args: string[]): Promise<boolean> {
    const [typeText, username, password] = args;
    const userType = asUserType(typeText, CREATE_TYPES);
    if (args.length !== 3 || userType === null || username === undefined || password === undefined) {
      this.#out(USAGE.createUser);
      return true;
    }
    this.#out(...createUserCaution(this.#text.vendor));
    this.#io.write(CONFIRM_QUESTION);
    const answer = await this.#io.readLine();
    if (answer === null) return false;
    if (answer.trim().toLowerCase() !== 'y') return true;
    // One id for the user on every node: one above the highest id any connected node uses.
    const listed = await Promise.all(
      this.#slots.filter((s) => s.client !== null).map((slot) => this.#call(slot, 'listUsers', {})),
    );
    const userId = Math.max(0, ...listed.flatMap((r) => (r.ok ? r.value.map((u) => u.userId) : []))) + 1;
    const targets = this.#targets();
    this.#out(`Creating User ${username}(${userType}) on ${targets.length} nodes`);
    const results = await Promise.all(
      targets.map(async (slot) => ({
        slot,
        result: await this.#call(slot, 'createUser', { userType, username, password, userId }),
      })),
    );
    for (const { slot, result } of results) this.#out(this.#status('createUser', slot, result));
    return true;
  }

  async #infoServer(args: string[]): Promise<void> {
    const index = parseUnsigned(args[1]);
    if (args.length !== 2 || args[0] !== 'server' || index === null) {
      this.#out(USAGE.infoServer);
      return;
    }
    const slot = this.#slots[index];
    if (slot === undefined) {
      this.#out(`Invalid server number ${index}`);
      return;
    }
    const info = await this.#call(slot, 'info', {});
    this.#out(
      ...infoServerTable({
        index,
        name: this.#dialect === 'azure' ? `server ${index}` : slot.server.name,
        hostname: slot.server.hostname,
        port: slot.server.port,
        connected: info.ok,
        partition: info.ok ? info.value.partition : '-',
        loggedInAs: info.ok ? info.value.loggedInAs : null,
      }),
    );
  }

  #enterServer(args: string[]): void {
    const index = parseUnsigned(args[0]);
    if (args.length !== 1 || index === null) {
      this.#out(USAGE.server);
      return;
    }
    const slot = this.#slots[index];
    if (slot === undefined) {
      this.#out(`Invalid server number ${index}`);
    } else if (slot.client?.connected !== true) {
      this.#out(notConnectedLine(index, slot.server.hostname));
    } else {
      this.#out("Server is in 'E2' mode...");
      this.#mode = index;
    }
  }

  async #sync(command: 'syncUser' | 'syncKey', args: string[]): Promise<void> {
    const id = parseUnsigned(args[0]);
    const destIndex = parseUnsigned(args[1]);
    if (args.length !== 2 || id === null || destIndex === null) {
      this.#out(command === 'syncUser' ? USAGE.syncUser : USAGE.syncKey);
      return;
    }
    const source = this.#mode === null ? undefined : this.#slots[this.#mode];
    if (source === undefined) {
      this.#out(`${command} failed: not in server mode; enter 'server <N>' on the source server first`);
      return;
    }
    const dest = this.#slots[destIndex];
    if (dest === undefined) {
      this.#out(`${command} failed: invalid destination server ${destIndex}`);
      return;
    }
    if (dest.client?.connected !== true) {
      this.#out(`${command} failed: ${HSM_RETURN_CODES.serverDisconnected}`);
      return;
    }
    const kind = command === 'syncUser' ? 'user' : 'key';
    const extracted = await this.#call(source, 'extractMasked', { kind, id });
    if (!extracted.ok) {
      this.#out(`${command} failed: ${extracted.code}`);
      return;
    }
    this.#out('ExtractMaskedObject: 0x0 !');
    const inserted = await this.#call(dest, 'insertMasked', { blob: extracted.value.blob });
    if (inserted.ok) {
      this.#out('InsertMaskedObject: 0x0 !', `${command} success`);
    } else if (inserted.code === HSM_RETURN_CODES.objectAlreadyExists) {
      this.#out(ALREADY_PRESENT_MESSAGES[kind]);
    } else {
      this.#out(`${command} failed: ${inserted.code}`);
    }
  }
}
