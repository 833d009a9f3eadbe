/**
 * One emulated HSM: a TCP server on a loopback address speaking the emulator's wire protocol
 * (protocol.ts). Login state belongs to the connection, as on the real HSM; writes need a
 * CO/PCO session. Faults (faults.ts) can be changed while it runs.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { TransportError } from '#core/errors.ts';
import type { ObjectKind } from '#core/model.ts';
import type { UserType } from '#drivers/mgmt-util/listing.ts';
import { USER_TYPES } from '#drivers/mgmt-util/listing.ts';
import { type ActiveFaults, applyFault, NO_FAULTS, type NodeFault } from './faults.ts';
import { EmulatedHsmError, HSM_RETURN_CODES } from './hsm-error.ts';
import { unmaskObject } from './masking.ts';
import type {
  CreateUserInput,
  NewKey,
  NodeSnapshot,
  NodeState,
  NodeStateData,
  Sdk5KeyFilter,
  SessionUser,
} from './node-state.ts';
import { lineSplitter, type NodeInfo, type WireRequest, type WireResponse } from './protocol.ts';

export interface NodeServerOptions {
  host: string;
  /** 0 = an ephemeral port. */
  port: number;
  state: NodeState;
  faults?: NodeFault;
}

interface Connection {
  socket: Socket;
  user: SessionUser | null;
  queue: Promise<void>;
  /** A `hang` trip fired on this connection: nothing more is answered on it. */
  hung: boolean;
}

/** The login requests one node received, for tests that count what reached the HSM. */
export interface LoginStats {
  /** Every `login` request that arrived (answered or not: a late login still counts). */
  received: number;
  /** Logins the node refused (wrong password, forced rejection, locked or unknown user). */
  refused: number;
}

interface PendingDelay {
  timer: NodeJS.Timeout;
  resolve: () => void;
}

const OFFICERS: readonly UserType[] = ['CO', 'PCO'];
const KEY_LISTERS: readonly UserType[] = ['CO', 'PCO', 'AU'];

function listen(server: Server, host: string, port: number): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen({ host, port, exclusive: true }, () => {
      server.off('error', onError);
      const address = server.address();
      resolve(typeof address === 'object' && address !== null ? address.port : port);
    });
  });
}

function argNumber(args: Record<string, unknown>, name: string): number {
  const value = args[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) {
    throw new EmulatedHsmError(HSM_RETURN_CODES.invalidInput, `${name} must be a non-negative integer`);
  }
  return value;
}

function argString(args: Record<string, unknown>, name: string): string {
  const value = args[name];
  if (typeof value !== 'string')
    throw new EmulatedHsmError(HSM_RETURN_CODES.invalidInput, `${name} must be a string`);
  return value;
}

function argUserType(args: Record<string, unknown>, name: string): UserType {
  const value = args[name];
  if (typeof value !== 'string' || !(USER_TYPES as readonly string[]).includes(value)) {
    throw new EmulatedHsmError(
      HSM_RETURN_CODES.invalidInput,
      `${name} must be one of ${USER_TYPES.join(', ')}`,
    );
  }
  return value as UserType;
}

function argKind(args: Record<string, unknown>, name: string): ObjectKind {
  const value = args[name];
  if (value !== 'user' && value !== 'key') {
    throw new EmulatedHsmError(HSM_RETURN_CODES.invalidInput, `${name} must be user or key`);
  }
  return value;
}

function argFilter(args: Record<string, unknown>): Sdk5KeyFilter {
  const raw = args.filter;
  if (raw === undefined) return {};
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new EmulatedHsmError(HSM_RETURN_CODES.invalidInput, 'filter must be an object');
  }
  const given = raw as Record<string, unknown>;
  const filter: Sdk5KeyFilter = {};
  if (given.keyReference !== undefined) filter.keyReference = argNumber(given, 'keyReference');
  for (const name of ['label', 'keyClass', 'keyType'] as const) {
    if (given[name] !== undefined) filter[name] = argString(given, name);
  }
  return filter;
}

function argHandles(args: Record<string, unknown>): number[] {
  const raw = args.handles;
  if (!Array.isArray(raw) || raw.some((h) => typeof h !== 'number' || !Number.isInteger(h) || h < 0)) {
    throw new EmulatedHsmError(
      HSM_RETURN_CODES.invalidInput,
      'handles must be an array of non-negative integers',
    );
  }
  return raw as number[];
}

function requireUser(connection: Connection, allowed: readonly UserType[] | null): SessionUser {
  const user = connection.user;
  if (user === null) throw new EmulatedHsmError(HSM_RETURN_CODES.notLoggedIn, 'log in first');
  if (allowed !== null && !allowed.includes(user.userType)) {
    throw new EmulatedHsmError(
      HSM_RETURN_CODES.notAuthorized,
      `a ${user.userType} may not run this operation`,
    );
  }
  return user;
}

export class EmulatedNodeServer {
  readonly host: string;
  #port: number;
  #state: NodeState;
  #faults: ActiveFaults = { ...NO_FAULTS };
  #server: Server | null = null;
  readonly #connections = new Set<Connection>();
  readonly #delays = new Set<PendingDelay>();
  #stopped = false;
  #logins: LoginStats = { received: 0, refused: 0 };

  private constructor(host: string, port: number, state: NodeState) {
    this.host = host;
    this.#port = port;
    this.#state = state;
  }

  /** Starts listening (then applies the initial faults, so `down` still gets a port). */
  static async start(options: NodeServerOptions): Promise<EmulatedNodeServer> {
    const node = new EmulatedNodeServer(options.host, options.port, options.state);
    await node.#listen();
    if (options.faults !== undefined) await node.setFault(options.faults);
    return node;
  }

  get port(): number {
    return this.#port;
  }

  get nodeId(): string {
    return this.#state.nodeId;
  }

  get faults(): ActiveFaults {
    return { ...this.#faults };
  }

  /** The login requests this node received since it started (or since {@link resetLoginStats}). */
  get loginStats(): LoginStats {
    return { ...this.#logins };
  }

  resetLoginStats(): void {
    this.#logins = { received: 0, refused: 0 };
  }

  snapshot(): NodeSnapshot {
    return this.#state.snapshot();
  }

  /** Changes the faults in force (only the fields given). */
  async setFault(change: NodeFault): Promise<void> {
    const next = applyFault(this.#faults, change);
    const wasDown = this.#faults.down;
    this.#faults = next;
    if (next.down && !wasDown) await this.#close();
    if (!next.down && wasDown && !this.#stopped) await this.#listen();
  }

  async clearFaults(): Promise<void> {
    await this.setFault({ ...NO_FAULTS });
  }

  /** Writes a key straight into this node (the cluster harness; no session, no faults). */
  createKey(key: NewKey): void {
    this.#state.createKey(key);
  }

  /** Creates a user straight on this node (the cluster harness; no session, no faults). */
  createUser(user: CreateUserInput): void {
    this.#state.createUser(user);
  }

  /** Removes an object from this node (the cluster harness: a node that came back without it). */
  forget(kind: ObjectKind, id: number): boolean {
    return this.#state.forget(kind, id);
  }

  /**
   * Service-side key synchronization (SDK 5 "server-side key synchronization"): the masked
   * blob of one key, for another node of the cluster to insert. Not a wire operation: the
   * service reaches the HSMs with the appliance user's credentials, not a client session.
   */
  extractKeyForSync(handle: number): string {
    return this.#state.extractMasked('key', handle);
  }

  /** Inserts a key blob from {@link extractKeyForSync} of another node. */
  insertKeyFromSync(blob: string): void {
    this.#state.insertMasked(blob);
  }

  /** Loads new contents (setState / seed): every open connection is dropped first. */
  replaceState(data: NodeStateData): void {
    this.#dropConnections();
    this.#state.replace(data);
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#close();
  }

  async #listen(): Promise<void> {
    const server = createServer((socket) => this.#accept(socket));
    this.#port = await listen(server, this.host, this.#port).catch((cause: unknown) => {
      throw new TransportError(`emulated node ${this.nodeId}: cannot listen on ${this.host}:${this.#port}`, {
        cause,
        context: { host: this.host, port: this.#port },
      });
    });
    this.#server = server;
  }

  async #close(): Promise<void> {
    const server = this.#server;
    this.#server = null;
    this.#dropConnections();
    for (const delay of this.#delays) {
      clearTimeout(delay.timer);
      delay.resolve();
    }
    this.#delays.clear();
    if (server !== null) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  #dropConnections(): void {
    for (const connection of this.#connections) connection.socket.destroy();
    this.#connections.clear();
  }

  #accept(socket: Socket): void {
    if (this.#faults.down || this.#stopped) {
      socket.destroy();
      return;
    }
    const connection: Connection = { socket, user: null, queue: Promise.resolve(), hung: false };
    this.#connections.add(connection);
    socket.setNoDelay(true);
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#connections.delete(connection));
    socket.on(
      'data',
      lineSplitter((line) => {
        connection.queue = connection.queue.then(() => this.#serve(connection, line));
      }),
    );
  }

  async #serve(connection: Connection, line: string): Promise<void> {
    if (connection.hung) return;
    let id = 0;
    let response: WireResponse;
    let op = '';
    try {
      const request = JSON.parse(line) as WireRequest;
      id = typeof request.id === 'number' ? request.id : 0;
      op = String(request.op);
      if (op === 'login') this.#logins.received += 1;
      const trip = await this.#trip(connection, op);
      if (trip === 'dropped') return;
      if (this.#faults.slowMs > 0) await this.#delay(this.#faults.slowMs);
      if (connection.socket.destroyed) return;
      const args = typeof request.args === 'object' && request.args !== null ? request.args : {};
      response = { id, ok: true, result: this.#execute(connection, op, args) };
    } catch (error) {
      if (op === 'login') this.#logins.refused += 1;
      response =
        error instanceof EmulatedHsmError
          ? { id, ok: false, code: error.code, message: error.detail }
          : { id, ok: false, code: HSM_RETURN_CODES.invalidInput, message: 'malformed request' };
    }
    if (connection.hung) return;
    if (!connection.socket.destroyed) connection.socket.write(`${JSON.stringify(response)}\n`);
  }

  /**
   * Fires a `tripOn` fault set for this operation (faults.ts): 'dropped' when the request is
   * not carried out (crash, disconnect); a hang lets it run and withholds every answer after.
   */
  async #trip(connection: Connection, op: string): Promise<'dropped' | 'carry-on'> {
    const trip = this.#faults.tripOn;
    if (trip === null || trip.op !== op) return 'carry-on';
    if (trip.skip > 0) {
      this.#faults.tripOn = { ...trip, skip: trip.skip - 1 };
      return 'carry-on';
    }
    this.#faults.tripOn = null;
    if (trip.action === 'hang') {
      connection.hung = true;
      return 'carry-on';
    }
    if (trip.action === 'crash') await this.setFault({ down: true });
    else this.#dropConnections();
    return 'dropped';
  }

  #execute(connection: Connection, op: string, args: Record<string, unknown>): unknown {
    const state = this.#state;
    switch (op) {
      case 'info': {
        const user = connection.user;
        const info: NodeInfo = {
          nodeId: state.nodeId,
          partition: state.partition,
          loggedInAs: user === null ? null : `${user.username}(${user.loginType})`,
        };
        return info;
      }
      case 'login': {
        connection.user = null;
        const user = state.login(
          argUserType(args, 'userType'),
          argString(args, 'username'),
          argString(args, 'password'),
          {
            forceFailure: this.#faults.rejectLogin,
          },
        );
        connection.user = user;
        return { userId: user.userId, userType: user.userType, username: user.username };
      }
      case 'logout':
        requireUser(connection, null);
        connection.user = null;
        return {};
      case 'listUsers':
        return state.listUsers();
      case 'findAllKeys':
        requireUser(connection, KEY_LISTERS);
        return state.findAllKeys(argNumber(args, 'userId'), args.hash === true);
      case 'getKeyInfo':
        requireUser(connection, null);
        return state.getKeyInfo(argNumber(args, 'handle'));
      case 'createUser': {
        requireUser(connection, OFFICERS);
        if (this.#faults.failCreateUser) {
          throw new EmulatedHsmError(HSM_RETURN_CODES.faultInjected, 'createUser refused by fault injection');
        }
        const userId = args.userId === undefined ? undefined : argNumber(args, 'userId');
        return state.createUser({
          userType: argUserType(args, 'userType'),
          username: argString(args, 'username'),
          password: argString(args, 'password'),
          ...(userId === undefined ? {} : { userId }),
        });
      }
      case 'extractMasked':
        requireUser(connection, OFFICERS);
        return { blob: state.extractMasked(argKind(args, 'kind'), argNumber(args, 'id')) };
      case 'insertMasked': {
        requireUser(connection, OFFICERS);
        if (this.#faults.lieOnInsert) return this.#describeMasked(argString(args, 'blob'));
        const failInsert = this.#faults.failInsert;
        if (failInsert === 'all' || failInsert > 0) {
          if (failInsert !== 'all') this.#faults.failInsert = failInsert - 1;
          throw new EmulatedHsmError(
            HSM_RETURN_CODES.faultInjected,
            'insertMasked refused by fault injection',
          );
        }
        return state.insertMasked(argString(args, 'blob'));
      }
      case 'sdk5ListUsers':
        return state.sdk5Users();
      case 'sdk5KeyRefs':
        return { handles: state.sdk5KeyRefs(requireUser(connection, null), argFilter(args)) };
      case 'sdk5KeyDetails':
        return state.sdk5KeyDetails(requireUser(connection, null), argHandles(args));
      case 'hsmInfo':
        return state.hsmInfo();
      default:
        throw new EmulatedHsmError(HSM_RETURN_CODES.invalidInput, 'unknown operation');
    }
  }

  /** What a masked blob would insert, without inserting it (the `lieOnInsert` fault). */
  #describeMasked(blob: string): { kind: ObjectKind; id: number } {
    const { kind, payload } = unmaskObject(this.#state.maskingKey, blob);
    const record = payload as { userId?: unknown; handle?: unknown };
    return { kind, id: Number(kind === 'user' ? record.userId : record.handle) };
  }

  #delay(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const delay: PendingDelay = {
        timer: setTimeout(() => {
          this.#delays.delete(delay);
          resolve();
        }, ms),
        resolve,
      };
      this.#delays.add(delay);
    });
  }
}
