/**
 * The emulator's own wire protocol between an emulated HSM (node-server.ts) and the emulated
 * mgmt-util: newline-delimited JSON over one TCP connection, one reply per request, in order.
 * Internal to the emulator (the vendor protocol is proprietary and runs over TLS).
 */
import type { ObjectKind } from '#core/model.ts';
import type { HsmUser, UserType } from '#drivers/mgmt-util/listing.ts';
import type { HsmReturnCode } from './hsm-error.ts';
import type {
  FindAllKeysResult,
  HsmInfo,
  InsertedObject,
  KeyInfo,
  Sdk5KeyFilter,
  Sdk5KeyView,
  Sdk5UserView,
} from './node-state.ts';

/** Requests and the result each one answers with. */
export interface WireOps {
  info: { args: Record<string, never>; result: NodeInfo };
  login: { args: { userType: UserType; username: string; password: string }; result: LoginResult };
  logout: { args: Record<string, never>; result: Record<string, never> };
  listUsers: { args: Record<string, never>; result: HsmUser[] };
  findAllKeys: { args: { userId: number; hash: boolean }; result: FindAllKeysResult };
  getKeyInfo: { args: { handle: number }; result: KeyInfo };
  createUser: {
    args: { userType: UserType; username: string; password: string; userId?: number };
    result: { userId: number };
  };
  extractMasked: { args: { kind: ObjectKind; id: number }; result: { blob: string } };
  insertMasked: { args: { blob: string }; result: InsertedObject };
  /** SDK 5 (cloudhsm-cli): users with role, lock state and MFA; no login needed. */
  sdk5ListUsers: { args: Record<string, never>; result: Sdk5UserView[] };
  /** SDK 5: handles of the keys the session may list, ascending (any logged-in user). */
  sdk5KeyRefs: { args: { filter: Sdk5KeyFilter }; result: { handles: number[] } };
  /** SDK 5: the listed attributes of those of `handles` the session may list. */
  sdk5KeyDetails: { args: { handles: number[] }; result: Sdk5KeyView[] };
  /** SDK 5: what `cluster hsm-info` prints for this HSM; no login needed. */
  hsmInfo: { args: Record<string, never>; result: HsmInfo };
}

export type WireOp = keyof WireOps;

export const WIRE_OPS: readonly WireOp[] = [
  'info',
  'login',
  'logout',
  'listUsers',
  'findAllKeys',
  'getKeyInfo',
  'createUser',
  'extractMasked',
  'insertMasked',
  'sdk5ListUsers',
  'sdk5KeyRefs',
  'sdk5KeyDetails',
  'hsmInfo',
];

export interface NodeInfo {
  nodeId: string;
  partition: string;
  /** `admin(CO)` style, or null when the connection is not logged in. */
  loggedInAs: string | null;
}

export interface LoginResult {
  userId: number;
  userType: UserType;
  username: string;
}

export interface WireRequest {
  id: number;
  op: string;
  args: Record<string, unknown>;
}

export type WireResponse =
  | { id: number; ok: true; result: unknown }
  | { id: number; ok: false; code: HsmReturnCode; message: string };

/**
 * Splits a byte stream into lines. Feed it chunks; it calls `onLine` for each complete line.
 */
export function lineSplitter(onLine: (line: string) => void): (chunk: Buffer | string) => void {
  let pending = '';
  return (chunk) => {
    pending += typeof chunk === 'string' ? chunk : chunk.toString('utf8');
    let newline = pending.indexOf('\n');
    while (newline >= 0) {
      const line = pending.slice(0, newline);
      pending = pending.slice(newline + 1);
      if (line.trim().length > 0) onLine(line);
      newline = pending.indexOf('\n');
    }
  };
}
