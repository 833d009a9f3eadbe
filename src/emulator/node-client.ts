/**
 * Client side of the emulator's wire protocol: one connection to one emulated HSM. Used by the
 * emulated mgmt-util and by tests. A refused request rejects with an EmulatedHsmError carrying
 * the node's return code; a lost connection rejects with code RET_SERVER_DISCONNECTED.
 */
import { connect, type Socket } from 'node:net';
import { TransportError } from '#core/errors.ts';
import { EmulatedHsmError, HSM_RETURN_CODES, isHsmReturnCode } from './hsm-error.ts';
import { lineSplitter, type WireOp, type WireOps, type WireResponse } from './protocol.ts';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: Error) => void;
}

export interface NodeClientConnectOptions {
  /** Give up connecting after this long (default 5000 ms). */
  timeoutMs?: number;
}

export class NodeClient {
  readonly host: string;
  readonly port: number;
  readonly #socket: Socket;
  readonly #pending = new Map<number, Pending>();
  #nextId = 1;
  #closed = false;

  private constructor(host: string, port: number, socket: Socket) {
    this.host = host;
    this.port = port;
    this.#socket = socket;
    socket.on(
      'data',
      lineSplitter((line) => this.#onLine(line)),
    );
    socket.on('error', () => socket.destroy());
    socket.on('close', () => this.#onClose());
  }

  /** Opens a connection; rejects with a TransportError when the node refuses or does not answer. */
  static connect(host: string, port: number, options: NodeClientConnectOptions = {}): Promise<NodeClient> {
    const timeoutMs = options.timeoutMs ?? 5000;
    return new Promise((resolve, reject) => {
      const socket = connect({ host, port });
      const fail = (cause: unknown) => {
        clearTimeout(timer);
        socket.destroy();
        reject(
          new TransportError(`cannot connect to emulated HSM ${host}:${port}`, {
            cause,
            context: { host, port },
          }),
        );
      };
      const timer = setTimeout(() => fail(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
      socket.once('error', fail);
      socket.once('connect', () => {
        clearTimeout(timer);
        socket.off('error', fail);
        socket.setNoDelay(true);
        resolve(new NodeClient(host, port, socket));
      });
    });
  }

  get connected(): boolean {
    return !this.#closed;
  }

  /** Sends one request and waits for its reply. */
  request<Op extends WireOp>(op: Op, args: WireOps[Op]['args']): Promise<WireOps[Op]['result']> {
    if (this.#closed) return Promise.reject(disconnected(this.host, this.port));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      this.#socket.write(`${JSON.stringify({ id, op, args })}\n`);
    });
  }

  close(): void {
    this.#socket.destroy();
    this.#onClose();
  }

  #onLine(line: string): void {
    let response: WireResponse;
    try {
      response = JSON.parse(line) as WireResponse;
    } catch {
      this.#socket.destroy();
      return;
    }
    const pending = this.#pending.get(response.id);
    if (pending === undefined) return;
    this.#pending.delete(response.id);
    if (response.ok) {
      pending.resolve(response.result);
    } else {
      const code = isHsmReturnCode(response.code) ? response.code : HSM_RETURN_CODES.invalidInput;
      pending.reject(new EmulatedHsmError(code, response.message));
    }
  }

  #onClose(): void {
    if (this.#closed) return;
    this.#closed = true;
    for (const pending of this.#pending.values()) pending.reject(disconnected(this.host, this.port));
    this.#pending.clear();
  }
}

function disconnected(host: string, port: number): EmulatedHsmError {
  return new EmulatedHsmError(HSM_RETURN_CODES.serverDisconnected, `connection to ${host}:${port} lost`);
}
