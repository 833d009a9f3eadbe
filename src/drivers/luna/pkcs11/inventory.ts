/**
 * The per-member inventory port: what one HA member partition holds, read through PKCS#11 on
 * the member's physical slot. The graphene implementation is `graphene-reader.ts`; the lead's
 * workflow (and its tests) depend on this interface only.
 *
 * Identity across members is what HA replicates: class + key type + label + id. The slot-local
 * object handle differs between members and is informational only.
 */
import { CredentialsRejectedError, TransportError } from '#core/errors.ts';
import type { Secret } from '#core/secret.ts';
import { LockoutGuardError } from '../errors.ts';
import { CKF } from './constants.ts';

/** Which member: by token serial number (production: the partition serial) or token label. */
export type MemberSelector = { serial: string } | { label: string };

/** Crypto Officer logs in as CKU_USER; Crypto User as Luna's CKU_CRYPTO_USER (0x80000001). */
export type LoginRole = 'crypto-officer' | 'crypto-user';

/**
 * What the lockout guard refuses: `near-lock` (default) refuses when the token says the PIN
 * count is low, this is the final try, or the PIN is locked; `locked-only` refuses only a locked PIN.
 */
export type LockoutGuard = 'near-lock' | 'locked-only';

export interface ReadMemberRequest {
  member: MemberSelector;
  role: LoginRole;
  /** The partition's password / PIN. Reaches C_Login and nothing else. */
  pin: Secret;
  lockoutGuard?: LockoutGuard;
  /** Called just before C_Login is sent (so a caller knows whether a login may have reached the member). */
  onLoginSent?: () => void;
}

/** What a member's token tells without a login: its slot and PIN counters, or why it cannot be opened. */
export type MemberProbe =
  | { member: MemberSelector; found: true; slot: MemberSlotInfo; pinCounters: PinCounterFlags }
  | { member: MemberSelector; found: false; error: TransportError };

/** The token's PIN-counter flags, read before logging in (CK_TOKEN_INFO.flags). */
export interface PinCounterFlags {
  userPinCountLow: boolean;
  userPinFinalTry: boolean;
  userPinLocked: boolean;
  userPinToBeChanged: boolean;
  soPinCountLow: boolean;
  soPinFinalTry: boolean;
  soPinLocked: boolean;
  soPinToBeChanged: boolean;
  /** The whole flags word, for the report. */
  raw: number;
}

/** Where the fingerprint came from, strongest first. */
export type FingerprintSource = 'ouid' | 'check-value' | 'public-attributes';

export interface TokenObject {
  /** `class/keyType/labelHex/idHex`: equal on every member that holds the same replicated object. */
  identityKey: string;
  objectClass: string;
  /** null for objects that are not keys (data, certificates). */
  keyType: string | null;
  /** CKA_LABEL decoded as UTF-8 (the identity uses its exact bytes, `labelHex`). */
  label: string;
  labelHex: string;
  /** CKA_ID in lower-case hex ('' when empty or absent). */
  idHex: string;
  /** `ouid:<hex>`, `kcv:<hex>` or `sha256:<hex>`: the same identity with another fingerprint is a conflict. */
  fingerprint: string;
  fingerprintSource: FingerprintSource;
  /** Luna's CKA_OUID where the library exposes it, else null. */
  ouid: string | null;
  /** CKA_CHECK_VALUE where the token has one, else null. */
  checkValue: string | null;
  /** Slot-local object handle: differs between members, informational only. */
  handle: string;
}

export interface MemberSlotInfo {
  /** PKCS#11 slot id on this client (slot numbers change when members fail unless HAOnly is set). */
  slotId: number;
  slotDescription: string;
  tokenLabel: string;
  tokenSerial: string;
  model: string;
  manufacturer: string;
  firmwareVersion: string;
}

export interface MemberInventory {
  member: MemberSelector;
  slot: MemberSlotInfo;
  pinCounters: PinCounterFlags;
  /** Token objects, sorted by identityKey then handle. */
  objects: TokenObject[];
  /** Identity keys held by more than one object on this member (ambiguous: report, never repair). */
  duplicateIdentities: string[];
}

/** The port. */
export interface MemberInventoryReader {
  /**
   * Opens the member's slot, reports its PIN counters, logs in once (unless the lockout guard
   * refuses), lists the token objects and closes everything. Throws CredentialsRejectedError
   * (LockoutGuardError for a guard refusal) for refused credentials, never retried;
   * MemberUnreachableError / TransportError when the member cannot be read.
   */
  readMember(request: ReadMemberRequest): Promise<MemberInventory>;
  /**
   * Reads the slot and token flags of each member WITHOUT logging in (C_GetTokenInfo): what the
   * lockout guard looks at before a login that another program (lunacm) will send.
   */
  probeMembers(members: readonly MemberSelector[]): Promise<MemberProbe[]>;
}

export function pinCounterFlags(flags: number): PinCounterFlags {
  const has = (bit: number) => (flags & bit) !== 0;
  return {
    userPinCountLow: has(CKF.USER_PIN_COUNT_LOW),
    userPinFinalTry: has(CKF.USER_PIN_FINAL_TRY),
    userPinLocked: has(CKF.USER_PIN_LOCKED),
    userPinToBeChanged: has(CKF.USER_PIN_TO_BE_CHANGED),
    soPinCountLow: has(CKF.SO_PIN_COUNT_LOW),
    soPinFinalTry: has(CKF.SO_PIN_FINAL_TRY),
    soPinLocked: has(CKF.SO_PIN_LOCKED),
    soPinToBeChanged: has(CKF.SO_PIN_TO_BE_CHANGED),
    raw: flags >>> 0,
  };
}

/**
 * The flag names that make the guard refuse a login for `role`, or [] to go ahead. Both Luna
 * roles log in with the user PIN counters (CKU_USER / CKU_CRYPTO_USER); whether Luna reflects a
 * Crypto User's counter in these token flags is UNCONFIRMED, so the guard applies them to both.
 */
export function lockoutRefusal(flags: PinCounterFlags, guard: LockoutGuard = 'near-lock'): string[] {
  const reasons: string[] = [];
  if (flags.userPinLocked) reasons.push('CKF_USER_PIN_LOCKED');
  if (guard === 'near-lock') {
    if (flags.userPinFinalTry) reasons.push('CKF_USER_PIN_FINAL_TRY');
    if (flags.userPinCountLow) reasons.push('CKF_USER_PIN_COUNT_LOW');
  }
  return reasons;
}

export function describeMember(member: MemberSelector): string {
  return 'serial' in member
    ? `member serial ${member.serial}`
    : `member label ${JSON.stringify(member.label)}`;
}

export type MemberOutcome =
  | { member: MemberSelector; outcome: 'read'; inventory: MemberInventory }
  | { member: MemberSelector; outcome: 'unreadable'; error: TransportError; loginAttempted: boolean }
  | {
      member: MemberSelector;
      outcome: 'credentials-rejected';
      error: CredentialsRejectedError;
      loginAttempted: boolean;
    }
  /** The lockout guard kept the login back (the token's PIN counters): nothing was sent. */
  | { member: MemberSelector; outcome: 'guard-refused'; error: LockoutGuardError }
  | { member: MemberSelector; outcome: 'not-attempted'; reason: string };

export interface ReadMembersOptions {
  lockoutGuard?: LockoutGuard;
  /**
   * Where the same credential was refused earlier (another call in this run, for instance):
   * then no member is tried at all. Null or absent: none known.
   */
  refusedOn?: string | null;
}

/**
 * Reads members one after the other with the same PIN. After the first refused login no other
 * member is tried: the same PIN would only count failures up on every partition (all members
 * of a group share the Crypto Officer password). A member the lockout guard keeps off (its own
 * PIN counters) and an unreadable member are reported, and the others are still read (each
 * with its own guard); other errors propagate. Every outcome says whether a login was sent.
 */
export async function readMembers(
  reader: MemberInventoryReader,
  members: readonly MemberSelector[],
  role: LoginRole,
  pin: Secret,
  options: LockoutGuard | ReadMembersOptions = {},
): Promise<MemberOutcome[]> {
  const { lockoutGuard = 'near-lock', refusedOn = null } =
    typeof options === 'string' ? { lockoutGuard: options } : options;
  const outcomes: MemberOutcome[] = [];
  let rejected: string | null = refusedOn;
  for (const member of members) {
    if (rejected !== null) {
      outcomes.push({
        member,
        outcome: 'not-attempted',
        reason: `login refused on ${rejected}; not retried`,
      });
      continue;
    }
    let loginAttempted = false;
    try {
      outcomes.push({
        member,
        outcome: 'read',
        inventory: await reader.readMember({
          member,
          role,
          pin,
          lockoutGuard,
          onLoginSent: () => {
            loginAttempted = true;
          },
        }),
      });
    } catch (error) {
      if (error instanceof LockoutGuardError) {
        outcomes.push({ member, outcome: 'guard-refused', error });
      } else if (error instanceof CredentialsRejectedError) {
        rejected = describeMember(member);
        outcomes.push({ member, outcome: 'credentials-rejected', error, loginAttempted });
      } else if (error instanceof TransportError) {
        outcomes.push({ member, outcome: 'unreadable', error, loginAttempted });
      } else {
        throw error;
      }
    }
  }
  return outcomes;
}
