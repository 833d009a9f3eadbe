/**
 * The emulated Luna's own PKCS#11 work on the member tokens: what the HA library and the
 * cloning protocol do on a real appliance (create an application's objects, copy an object
 * from one member to another). Unlike the product's reader (src/drivers/luna/pkcs11), this
 * code reads key values: the emulator's keys are made extractable and not sensitive so that a
 * copy between SoftHSM tokens is a plain attribute copy. It is the stand-in for Luna's cloning
 * protocol, never the product's path.
 */
import { createHash } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Module, Session } from 'graphene-pk11';
import type { SoftHsmHome } from './softhsm.ts';
import { withSoftHsmConf } from './softhsm.ts';

const require = createRequire(import.meta.url);

const A = {
  CLASS: 0x0,
  TOKEN: 0x1,
  PRIVATE: 0x2,
  LABEL: 0x3,
  VALUE: 0x11,
  KEY_TYPE: 0x100,
  ID: 0x102,
  SENSITIVE: 0x103,
  ENCRYPT: 0x104,
  DECRYPT: 0x105,
  WRAP: 0x106,
  UNWRAP: 0x107,
  SIGN: 0x108,
  VERIFY: 0x10a,
  MODULUS: 0x120,
  MODULUS_BITS: 0x121,
  PUBLIC_EXPONENT: 0x122,
  PRIVATE_EXPONENT: 0x123,
  PRIME_1: 0x124,
  PRIME_2: 0x125,
  EXPONENT_1: 0x126,
  EXPONENT_2: 0x127,
  COEFFICIENT: 0x128,
  EXTRACTABLE: 0x162,
} as const;
const CKO_PUBLIC = 2;
const CKO_PRIVATE = 3;
const CKO_SECRET = 4;
const CKK_RSA = 0;
const CKK_AES = 0x1f;
const CKU_USER = 1;
const RW_SESSION = 2 | 4;

/** What the emulator creates: an AES key whose value is sha256(seed), or an RSA key pair. */
export type ObjectSpec =
  | { kind: 'aes'; label: string; idHex: string; seed: string }
  | { kind: 'rsa'; label: string; idHex: string };

/** One token object as the emulator sees it. */
export interface EmulatorObject {
  /** class/keyType/label/id: what HA replication matches on. */
  identity: string;
  objectClass: number;
  label: string;
  idHex: string;
  /** sha256 of the key material (secret value, or modulus): differs in a fingerprint conflict. */
  content: string;
  handle: Buffer;
}

function graphene(): typeof import('graphene-pk11') {
  return require('graphene-pk11') as typeof import('graphene-pk11');
}

function ulong(b: Buffer | undefined): number {
  if (!b || b.length === 0) return -1;
  return b.length >= 8 ? Number(b.readBigUInt64LE(0)) : b.readUInt32LE(0);
}

function ulongBuffer(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

/**
 * Runs `fn` with a read-write session logged in as the token's user (the partition's Crypto
 * Officer), on the token with `tokenLabel`; always logs out, closes, finalises and unloads.
 * Throws the library's error (`CKR_PIN_INCORRECT`, …) unchanged.
 */
export function withToken<T>(
  home: SoftHsmHome,
  tokenLabel: string,
  pin: string,
  fn: (session: Session, module: Module) => T,
): T {
  return withSoftHsmConf(home.conf, () => {
    const module = graphene().Module.load(home.library, 'softhsm');
    try {
      module.initialize();
      try {
        const slots = module.getSlots(true);
        let session: Session | null = null;
        for (let i = 0; i < slots.length && session === null; i += 1) {
          const slot = slots.items(i);
          if (slot.getToken().label.trim() === tokenLabel) session = slot.open(RW_SESSION);
        }
        if (session === null) throw new Error(`token ${tokenLabel} is not served`);
        try {
          session.login(pin, CKU_USER);
          try {
            return fn(session, module);
          } finally {
            session.logout();
          }
        } finally {
          session.close();
        }
      } finally {
        module.finalize();
      }
    } finally {
      module.close();
    }
  });
}

function get(module: Module, session: Session, handle: Buffer, type: number): Buffer | undefined {
  try {
    const [a] = module.lib.C_GetAttributeValue(session.handle, handle, [{ type }]);
    return a?.value as Buffer | undefined;
  } catch {
    return undefined;
  }
}

/** Every token object with its identity and a digest of its key material. */
export function listObjects(session: Session, module: Module): EmulatorObject[] {
  const found = session.find({ token: true });
  const out: EmulatorObject[] = [];
  for (let i = 0; i < found.length; i += 1) {
    const handle = found.items(i).handle;
    const objectClass = ulong(get(module, session, handle, A.CLASS));
    const keyType = ulong(get(module, session, handle, A.KEY_TYPE));
    const label = (get(module, session, handle, A.LABEL) ?? Buffer.alloc(0)).toString('utf8');
    const idHex = (get(module, session, handle, A.ID) ?? Buffer.alloc(0)).toString('hex');
    const material =
      objectClass === CKO_SECRET
        ? get(module, session, handle, A.VALUE)
        : get(module, session, handle, A.MODULUS);
    out.push({
      identity: `${objectClass}/${keyType}/${Buffer.from(label).toString('hex')}/${idHex}`,
      objectClass,
      label,
      idHex,
      content: createHash('sha256')
        .update(material ?? Buffer.alloc(0))
        .digest('hex'),
      handle,
    });
  }
  return out;
}

/** Creates an application object (as an application writing through this member would). */
export function createObject(session: Session, spec: ObjectSpec): void {
  const g = graphene();
  const id = Buffer.from(spec.idHex, 'hex');
  if (spec.kind === 'aes') {
    session.create({
      class: g.ObjectClass.SECRET_KEY,
      keyType: g.KeyType.AES,
      token: true,
      private: true,
      label: spec.label,
      id,
      value: createHash('sha256').update(spec.seed).digest(),
      sensitive: false,
      extractable: true,
      encrypt: true,
      decrypt: true,
    });
    return;
  }
  session.generateKeyPair(
    g.KeyGenMechanism.RSA,
    {
      token: true,
      label: spec.label,
      id,
      modulusBits: 1024,
      publicExponent: Buffer.from([1, 0, 1]),
      verify: true,
      encrypt: true,
    },
    {
      token: true,
      private: true,
      label: spec.label,
      id,
      sign: true,
      decrypt: true,
      sensitive: false,
      extractable: true,
    },
  );
}

const COPIED: Record<number, number[]> = {
  [CKO_SECRET]: [
    A.CLASS,
    A.KEY_TYPE,
    A.TOKEN,
    A.PRIVATE,
    A.LABEL,
    A.ID,
    A.VALUE,
    A.SENSITIVE,
    A.EXTRACTABLE,
    A.ENCRYPT,
    A.DECRYPT,
  ],
  [CKO_PUBLIC]: [
    A.CLASS,
    A.KEY_TYPE,
    A.TOKEN,
    A.LABEL,
    A.ID,
    A.MODULUS,
    A.PUBLIC_EXPONENT,
    A.VERIFY,
    A.ENCRYPT,
  ],
  [CKO_PRIVATE]: [
    A.CLASS,
    A.KEY_TYPE,
    A.TOKEN,
    A.PRIVATE,
    A.LABEL,
    A.ID,
    A.MODULUS,
    A.PUBLIC_EXPONENT,
    A.PRIVATE_EXPONENT,
    A.PRIME_1,
    A.PRIME_2,
    A.EXPONENT_1,
    A.EXPONENT_2,
    A.COEFFICIENT,
    A.SENSITIVE,
    A.EXTRACTABLE,
    A.SIGN,
    A.DECRYPT,
  ],
};

/** The attribute template that recreates `handle` elsewhere (the emulator's "cloning"). */
export function exportObject(
  session: Session,
  module: Module,
  handle: Buffer,
): Array<{ type: number; value: Buffer }> {
  const objectClass = ulong(get(module, session, handle, A.CLASS));
  const keyType = ulong(get(module, session, handle, A.KEY_TYPE));
  const types = COPIED[objectClass];
  if (
    !types ||
    (objectClass === CKO_SECRET && keyType !== CKK_AES) ||
    (objectClass !== CKO_SECRET && keyType !== CKK_RSA)
  ) {
    throw new Error(`the emulator cannot replicate object class ${objectClass} key type ${keyType}`);
  }
  const template: Array<{ type: number; value: Buffer }> = [];
  for (const type of types) {
    const value = get(module, session, handle, type);
    if (value === undefined)
      throw new Error(`object lacks attribute 0x${type.toString(16)} (not extractable?)`);
    template.push({ type, value });
  }
  return template;
}

export function importObject(
  session: Session,
  module: Module,
  template: Array<{ type: number; value: Buffer }>,
): void {
  module.lib.C_CreateObject(session.handle, template);
}

export { ulongBuffer };
