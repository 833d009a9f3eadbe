/**
 * MemberInventoryReader over graphene-pk11 (pkcs11js underneath) and a PKCS#11 library:
 * production `libCryptoki2_64.so` of the Luna client, tests `/usr/lib/softhsm/libsofthsm2.so`.
 *
 * Per read: load the library, C_Initialize, find the member's physical slot by token serial or
 * label, read the token flags (PIN counters), open one read-only session, log in once, list the
 * token objects, and always logout, close the session, C_Finalize and unload, on every path.
 *
 * What is read per object: CKA_CLASS, CKA_KEY_TYPE (keys), CKA_LABEL, CKA_ID, Luna's CKA_OUID
 * (vendor 0x80000005) and CKA_CHECK_VALUE where the library has them, and only when neither
 * exists the public attributes hashed into a sha256 fingerprint (modulus and public exponent,
 * EC parameters/point, a certificate's or public key's value, a secret key's length). Every
 * attribute read goes through one function that refuses CKA_VALUE and the private RSA
 * components of a secret or private key: the reader never asks for secret key material.
 *
 * The PIN reaches C_Login only; no message, context or log carries it.
 */
import { createHash } from 'node:crypto';
import type { Module, Session, Slot } from 'graphene-pk11';
import {
  ConfigurationError,
  CredentialsRejectedError,
  HsmSentinelError,
  TransportError,
} from '#core/errors.ts';
import { LockoutGuardError, MemberUnreachableError } from '../errors.ts';
import {
  CKA,
  CKO,
  CKU,
  CREDENTIAL_REJECTIONS,
  codeName,
  KEY_TYPE_NAMES,
  OBJECT_CLASS_NAMES,
  SECRET_ATTRIBUTES,
  UNREACHABLE,
} from './constants.ts';
import type {
  FingerprintSource,
  LoginRole,
  MemberInventory,
  MemberInventoryReader,
  MemberProbe,
  MemberSelector,
  MemberSlotInfo,
  ReadMemberRequest,
  TokenObject,
} from './inventory.ts';
import { describeMember, lockoutRefusal, pinCounterFlags } from './inventory.ts';

/** Loads a PKCS#11 library as a graphene Module (not yet initialised). */
export type ModuleLoader = (libraryPath: string) => Promise<Module>;

export interface GrapheneReaderOptions {
  /** Path of the PKCS#11 library (Luna: /usr/safenet/lunaclient/lib/libCryptoki2_64.so). */
  libraryPath: string;
  /** PKCS#11 user type per role; defaults are Luna's (CO = CKU_USER, CU = 0x80000001). */
  userTypes?: Partial<Record<LoginRole, number>>;
  /** Replaces graphene's Module.load (tests wrap the real module to watch it). */
  load?: ModuleLoader;
}

type Lib = Module['lib'];

const SESSION_READ_ONLY = 4; // CKF_SERIAL_SESSION, no CKF_RW_SESSION: the reader never writes.

/** graphene's own loader, imported on first use so the parsers work without the native addon. */
export const grapheneLoader: ModuleLoader = async (libraryPath) => {
  let graphene: typeof import('graphene-pk11');
  try {
    graphene = (await import('graphene-pk11')).default;
  } catch (error) {
    throw new ConfigurationError(
      'the pkcs11js native addon is not built: run `npm ci` (its postinstall builds it) or `node tools/build-pkcs11js.mjs`',
      { cause: error },
    );
  }
  try {
    return graphene.Module.load(libraryPath, 'pkcs11');
  } catch (error) {
    throw new ConfigurationError(
      `cannot load the PKCS#11 library ${libraryPath}: ${(error as Error).message}`,
      {
        cause: error,
        context: { libraryPath },
      },
    );
  }
};

/** The CKR_… name of a pkcs11js error, or null for other errors. */
export function ckrName(error: unknown): string | null {
  const message = error instanceof Error ? error.message : '';
  return message.startsWith('CKR_') ? (message.split(/[:\s]/, 1)[0] ?? null) : null;
}

function ulong(value: Buffer | undefined): number | null {
  if (!value || value.length === 0) return null;
  if (value.length >= 8) return Number(value.readBigUInt64LE(0));
  if (value.length >= 4) return value.readUInt32LE(0);
  return null;
}

function handleText(handle: Buffer): string {
  return handle.length >= 8 ? handle.readBigUInt64LE(0).toString() : handle.toString('hex');
}

class AttributeReader {
  readonly #lib: Lib;
  readonly #session: Buffer;
  readonly #object: Buffer;
  #objectClass: number | null = null;
  constructor(lib: Lib, session: Buffer, object: Buffer) {
    this.#lib = lib;
    this.#session = session;
    this.#object = object;
  }

  set objectClass(value: number) {
    this.#objectClass = value;
  }

  /** One attribute; null when the object has none, or it is sensitive. */
  read(type: number): Buffer | null {
    const cls = this.#objectClass;
    if (SECRET_ATTRIBUTES.has(type) && (cls === null || cls === CKO.SECRET_KEY || cls === CKO.PRIVATE_KEY)) {
      throw new HsmSentinelError(`refusing to read secret attribute 0x${type.toString(16)} of a key`);
    }
    try {
      const [attribute] = this.#lib.C_GetAttributeValue(this.#session, this.#object, [{ type }]);
      return (attribute?.value as Buffer | undefined) ?? null;
    } catch (error) {
      const name = ckrName(error);
      if (name === 'CKR_ATTRIBUTE_TYPE_INVALID' || name === 'CKR_ATTRIBUTE_SENSITIVE') return null;
      throw error;
    }
  }
}

/** The public attributes hashed when an object has neither OUID nor check value. */
function publicAttributes(objectClass: number): number[] {
  const base = [CKA.CLASS, CKA.KEY_TYPE, CKA.LABEL, CKA.ID];
  switch (objectClass) {
    case CKO.SECRET_KEY:
      return [...base, CKA.VALUE_LEN];
    case CKO.PRIVATE_KEY:
      return [...base, CKA.MODULUS, CKA.PUBLIC_EXPONENT, CKA.EC_PARAMS];
    case CKO.PUBLIC_KEY:
      return [...base, CKA.MODULUS, CKA.PUBLIC_EXPONENT, CKA.EC_PARAMS, CKA.EC_POINT, CKA.VALUE];
    case CKO.CERTIFICATE:
      return [...base, CKA.CERTIFICATE_TYPE, CKA.SUBJECT, CKA.ISSUER, CKA.SERIAL_NUMBER, CKA.VALUE];
    default:
      return [CKA.CLASS, CKA.LABEL, CKA.APPLICATION, CKA.OBJECT_ID];
  }
}

function describeObject(attributes: AttributeReader, handle: Buffer): TokenObject {
  const cls = ulong(attributes.read(CKA.CLASS) ?? undefined);
  if (cls === null) throw new TransportError('an object without CKA_CLASS (token answered nonsense)');
  attributes.objectClass = cls;
  const isKey = cls === CKO.SECRET_KEY || cls === CKO.PRIVATE_KEY || cls === CKO.PUBLIC_KEY;
  const keyTypeCode = isKey ? ulong(attributes.read(CKA.KEY_TYPE) ?? undefined) : null;
  const labelBytes = attributes.read(CKA.LABEL) ?? Buffer.alloc(0);
  const idHex = (attributes.read(CKA.ID) ?? Buffer.alloc(0)).toString('hex');
  const ouidBytes = attributes.read(CKA.OUID);
  const checkBytes = attributes.read(CKA.CHECK_VALUE);
  const ouid = ouidBytes && ouidBytes.length > 0 ? ouidBytes.toString('hex') : null;
  const checkValue = checkBytes && checkBytes.length > 0 ? checkBytes.toString('hex') : null;
  let fingerprint: string;
  let fingerprintSource: FingerprintSource;
  if (ouid !== null) {
    fingerprint = `ouid:${ouid}`;
    fingerprintSource = 'ouid';
  } else if (checkValue !== null) {
    fingerprint = `kcv:${checkValue}`;
    fingerprintSource = 'check-value';
  } else {
    const digest = createHash('sha256');
    for (const type of publicAttributes(cls)) {
      const value = attributes.read(type);
      digest.update(`${type.toString(16)}=${value === null ? '-' : value.toString('hex')}\n`);
    }
    fingerprint = `sha256:${digest.digest('hex')}`;
    fingerprintSource = 'public-attributes';
  }
  const objectClass = codeName(OBJECT_CLASS_NAMES, cls);
  const keyType = keyTypeCode === null ? null : codeName(KEY_TYPE_NAMES, keyTypeCode);
  const labelHex = labelBytes.toString('hex');
  return {
    identityKey: `${objectClass}/${keyType ?? '-'}/${labelHex}/${idHex}`,
    objectClass,
    keyType,
    label: labelBytes.toString('utf8'),
    labelHex,
    idHex,
    fingerprint,
    fingerprintSource,
    ouid,
    checkValue,
    handle: handleText(handle),
  };
}

function findSlot(module: Module, member: MemberSelector): Slot {
  const slots = module.getSlots(true);
  const matches: Slot[] = [];
  for (let i = 0; i < slots.length; i += 1) {
    const slot = slots.items(i);
    const token = slot.getToken();
    const hit =
      'serial' in member ? token.serialNumber.trim() === member.serial : token.label.trim() === member.label;
    if (hit) matches.push(slot);
  }
  if (matches.length > 1) {
    throw new ConfigurationError(
      `${describeMember(member)} matches ${matches.length} slots: give the serial number`,
    );
  }
  const [slot] = matches;
  if (!slot) {
    throw new MemberUnreachableError(
      `${describeMember(member)}: no slot serves it (member down, not in this client's configuration, or hidden by HAOnly)`,
      { context: { ...member } },
    );
  }
  return slot;
}

function slotInfo(slot: Slot): MemberSlotInfo {
  const token = slot.getToken();
  const fw = token.firmwareVersion;
  return {
    slotId: Number(ulong(slot.handle) ?? -1),
    slotDescription: slot.slotDescription.trim(),
    tokenLabel: token.label.trim(),
    tokenSerial: token.serialNumber.trim(),
    model: token.model.trim(),
    manufacturer: token.manufacturerID.trim(),
    firmwareVersion: `${fw.major}.${fw.minor}`,
  };
}

const ROLE_NAMES: Record<LoginRole, string> = {
  'crypto-officer': 'Crypto Officer',
  'crypto-user': 'Crypto User',
};

function wrap(member: MemberSelector, step: string, error: unknown): Error {
  if (error instanceof HsmSentinelError) return error;
  const name = ckrName(error);
  const what = `${describeMember(member)}: ${step} failed: ${name ?? (error as Error).message}`;
  if (name !== null && UNREACHABLE.has(name))
    return new MemberUnreachableError(what, { cause: error, context: { ckr: name } });
  return new TransportError(what, { cause: error, context: { ckr: name } });
}

function login(session: Session, request: ReadMemberRequest, userType: number): void {
  try {
    request.onLoginSent?.();
    session.login(request.pin.reveal(), userType);
  } catch (error) {
    const name = ckrName(error);
    if (name !== null && CREDENTIAL_REJECTIONS.has(name)) {
      throw new CredentialsRejectedError(
        `${describeMember(request.member)}: login as ${ROLE_NAMES[request.role]} refused (${name}); not retried`,
        { context: { ckr: name, role: request.role } },
      );
    }
    throw wrap(request.member, 'C_Login', error);
  }
}

/** Runs a clean-up step; its own failure is thrown only when nothing failed before it. */
function cleanUp(step: () => void, alreadyFailed: boolean, member: MemberSelector, what: string): void {
  try {
    step();
  } catch (error) {
    if (!alreadyFailed) throw wrap(member, what, error);
  }
}

export class GrapheneInventoryReader implements MemberInventoryReader {
  readonly #libraryPath: string;
  readonly #userTypes: Record<LoginRole, number>;
  readonly #load: ModuleLoader;

  constructor(options: GrapheneReaderOptions) {
    this.#libraryPath = options.libraryPath;
    this.#userTypes = {
      'crypto-officer': options.userTypes?.['crypto-officer'] ?? CKU.USER,
      'crypto-user': options.userTypes?.['crypto-user'] ?? CKU.CRYPTO_USER,
    };
    this.#load = options.load ?? grapheneLoader;
  }

  async readMember(request: ReadMemberRequest): Promise<MemberInventory> {
    return this.#withModule(request.member, (module) => this.#readInitialised(module, request));
  }

  async probeMembers(members: readonly MemberSelector[]): Promise<MemberProbe[]> {
    const [first] = members;
    if (!first) return [];
    return this.#withModule(first, (module) =>
      members.map((member): MemberProbe => {
        try {
          const slot = findSlot(module, member);
          return {
            member,
            found: true,
            slot: slotInfo(slot),
            pinCounters: pinCounterFlags(slot.getToken().flags),
          };
        } catch (error) {
          const wrapped = wrap(member, 'finding the slot', error);
          if (wrapped instanceof TransportError) return { member, found: false, error: wrapped };
          throw wrapped;
        }
      }),
    );
  }

  /** Load, C_Initialize, `fn`, C_Finalize, unload: on every path, the first error kept. */
  async #withModule<T>(member: MemberSelector, fn: (module: Module) => T): Promise<T> {
    const module = await this.#load(this.#libraryPath);
    // Synchronous from here to the end: no other read can interleave with this one's
    // C_Initialize … C_Finalize in this process.
    let failed = false;
    try {
      try {
        module.initialize();
      } catch (error) {
        throw wrap(member, 'C_Initialize', error);
      }
      try {
        return fn(module);
      } catch (error) {
        failed = true;
        throw error;
      } finally {
        cleanUp(() => module.finalize(), failed, member, 'C_Finalize');
      }
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      cleanUp(() => module.close(), failed, member, 'unloading the library');
    }
  }

  #readInitialised(module: Module, request: ReadMemberRequest): MemberInventory {
    let slot: Slot;
    let info: MemberSlotInfo;
    let flags: number;
    try {
      slot = findSlot(module, request.member);
      info = slotInfo(slot);
      flags = slot.getToken().flags;
    } catch (error) {
      throw wrap(request.member, 'finding the slot', error);
    }
    const pinCounters = pinCounterFlags(flags);
    const refusal = lockoutRefusal(pinCounters, request.lockoutGuard);
    if (refusal.length > 0) {
      throw new LockoutGuardError(
        `${describeMember(request.member)}: not logging in, the token reports ${refusal.join(', ')} (an account near lock: a human must check it first)`,
        refusal,
      );
    }
    let session: Session;
    try {
      session = slot.open(SESSION_READ_ONLY);
    } catch (error) {
      throw wrap(request.member, 'C_OpenSession', error);
    }
    let loggedIn = false;
    let failed = false;
    try {
      login(session, request, this.#userTypes[request.role]);
      loggedIn = true;
      const objects = this.#list(module.lib, session, request.member);
      const seen = new Map<string, number>();
      for (const o of objects) seen.set(o.identityKey, (seen.get(o.identityKey) ?? 0) + 1);
      return {
        member: request.member,
        slot: info,
        pinCounters,
        objects,
        duplicateIdentities: [...seen].filter(([, n]) => n > 1).map(([k]) => k),
      };
    } catch (error) {
      failed = true;
      throw error;
    } finally {
      if (loggedIn) {
        try {
          session.logout();
        } catch {
          // Closing the session logs out as well; the close below still runs.
        }
      }
      cleanUp(() => session.close(), failed, request.member, 'C_CloseSession');
    }
  }

  #list(lib: Lib, session: Session, member: MemberSelector): TokenObject[] {
    try {
      const found = session.find({ token: true });
      const objects: TokenObject[] = [];
      for (let i = 0; i < found.length; i += 1) {
        const handle = found.items(i).handle;
        objects.push(describeObject(new AttributeReader(lib, session.handle, handle), handle));
      }
      return objects.sort((a, b) =>
        a.identityKey < b.identityKey
          ? -1
          : a.identityKey > b.identityKey
            ? 1
            : Number(a.handle) - Number(b.handle),
      );
    } catch (error) {
      throw wrap(member, 'listing objects', error);
    }
  }
}
