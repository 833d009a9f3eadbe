/**
 * PKCS#11 numbers the inventory reader needs (PKCS#11 v2.40 pkcs11t.h), plus Luna's vendor
 * values as Thales' own pycryptoki defines them (ThalesGroup/pycryptoki, pycryptoki/defines.py):
 * CKA_OUID = CKA_VENDOR_DEFINED | 0x0005, CKU_CRYPTO_USER = CKU_LIMITED_USER = 0x80000001
 * (the Crypto Officer logs in as plain CKU_USER).
 */

export const CKA = {
  CLASS: 0x0000,
  LABEL: 0x0003,
  APPLICATION: 0x0010,
  VALUE: 0x0011,
  OBJECT_ID: 0x0012,
  CERTIFICATE_TYPE: 0x0080,
  ISSUER: 0x0081,
  SERIAL_NUMBER: 0x0082,
  CHECK_VALUE: 0x0090,
  KEY_TYPE: 0x0100,
  SUBJECT: 0x0101,
  ID: 0x0102,
  MODULUS: 0x0120,
  PUBLIC_EXPONENT: 0x0122,
  PRIVATE_EXPONENT: 0x0123,
  PRIME_1: 0x0124,
  PRIME_2: 0x0125,
  EXPONENT_1: 0x0126,
  EXPONENT_2: 0x0127,
  COEFFICIENT: 0x0128,
  VALUE_LEN: 0x0161,
  EC_PARAMS: 0x0180,
  EC_POINT: 0x0181,
  /** Luna: the object's unique id, kept when HA replicates the object (vendor attribute). */
  OUID: 0x80000005,
} as const;

export const CKO = {
  DATA: 0,
  CERTIFICATE: 1,
  PUBLIC_KEY: 2,
  PRIVATE_KEY: 3,
  SECRET_KEY: 4,
  HW_FEATURE: 5,
  DOMAIN_PARAMETERS: 6,
  MECHANISM: 7,
  OTP_KEY: 8,
} as const;

export const OBJECT_CLASS_NAMES: Readonly<Record<number, string>> = {
  [CKO.DATA]: 'data',
  [CKO.CERTIFICATE]: 'certificate',
  [CKO.PUBLIC_KEY]: 'publicKey',
  [CKO.PRIVATE_KEY]: 'privateKey',
  [CKO.SECRET_KEY]: 'secretKey',
  [CKO.HW_FEATURE]: 'hwFeature',
  [CKO.DOMAIN_PARAMETERS]: 'domainParameters',
  [CKO.MECHANISM]: 'mechanism',
  [CKO.OTP_KEY]: 'otpKey',
};

export const KEY_TYPE_NAMES: Readonly<Record<number, string>> = {
  0: 'RSA',
  1: 'DSA',
  2: 'DH',
  3: 'EC',
  4: 'X9_42_DH',
  16: 'GENERIC_SECRET',
  19: 'DES',
  20: 'DES2',
  21: 'DES3',
  31: 'AES',
  38: 'ARIA',
  43: 'SHA256_HMAC',
  2147483664: 'KCDSA',
  2147483665: 'SEED',
  2147483666: 'EC_EDWARDS',
  2147483667: 'EC_MONTGOMERY',
  2147483668: 'BIP32',
};

/** Name of a class or key type code, or its hex when unknown (vendor values). */
export function codeName(names: Readonly<Record<number, string>>, code: number): string {
  return names[code] ?? `0x${code.toString(16).padStart(8, '0')}`;
}

/** Attributes whose value is secret on a secret or private key: never requested by the reader. */
export const SECRET_ATTRIBUTES: ReadonlySet<number> = new Set([
  CKA.VALUE,
  CKA.PRIVATE_EXPONENT,
  CKA.PRIME_1,
  CKA.PRIME_2,
  CKA.EXPONENT_1,
  CKA.EXPONENT_2,
  CKA.COEFFICIENT,
]);

export const CKU = {
  SO: 0,
  USER: 1,
  /** Luna Crypto User (CKU_LIMITED_USER). */
  CRYPTO_USER: 0x80000001,
} as const;

/** CK_TOKEN_INFO flags about PIN counters. */
export const CKF = {
  TOKEN_INITIALIZED: 0x00000400,
  USER_PIN_COUNT_LOW: 0x00010000,
  USER_PIN_FINAL_TRY: 0x00020000,
  USER_PIN_LOCKED: 0x00040000,
  USER_PIN_TO_BE_CHANGED: 0x00080000,
  SO_PIN_COUNT_LOW: 0x00100000,
  SO_PIN_FINAL_TRY: 0x00200000,
  SO_PIN_LOCKED: 0x00400000,
  SO_PIN_TO_BE_CHANGED: 0x00800000,
} as const;

/** Return codes that mean "the credentials were refused": never retried. */
export const CREDENTIAL_REJECTIONS: ReadonlySet<string> = new Set([
  'CKR_PIN_INCORRECT',
  'CKR_PIN_LOCKED',
  'CKR_PIN_EXPIRED',
  'CKR_PIN_LEN_RANGE',
  'CKR_PIN_INVALID',
  'CKR_USER_PIN_NOT_INITIALIZED',
]);

/** Return codes that mean the member is not reachable right now: retryable. */
export const UNREACHABLE: ReadonlySet<string> = new Set([
  'CKR_DEVICE_ERROR',
  'CKR_DEVICE_REMOVED',
  'CKR_TOKEN_NOT_PRESENT',
  'CKR_TOKEN_NOT_RECOGNIZED',
  'CKR_SESSION_CLOSED',
  'CKR_SLOT_ID_INVALID',
]);
