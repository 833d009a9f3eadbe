/**
 * The product's PKCS#11 inventory reader against real SoftHSM2 tokens (one per HA member of the
 * emulated `luna-ha` scenario), through graphene-pk11 and pkcs11js: the code production runs
 * with the Luna client's libCryptoki2_64.so.
 */
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ConfigurationError, CredentialsRejectedError, TransportError } from '#core/errors.ts';
import { Secret } from '#core/secret.ts';
import { LockoutGuardError, MemberUnreachableError } from '#drivers/luna/errors.ts';
import { CKA } from '#drivers/luna/pkcs11/constants.ts';
import type { ModuleLoader } from '#drivers/luna/pkcs11/graphene-reader.ts';
import { GrapheneInventoryReader, grapheneLoader } from '#drivers/luna/pkcs11/graphene-reader.ts';
import type { MemberInventory } from '#drivers/luna/pkcs11/inventory.ts';
import { readMembers } from '#drivers/luna/pkcs11/inventory.ts';
import { setMemberFault } from '#emulator/luna/faults.ts';
import { nativeEnv } from '#emulator/luna/softhsm.ts';
import type { LunaFixture } from '../../../support/luna/softhsm-fixture.ts';
import { buildLuna, PIN, pin } from '../../../support/luna/softhsm-fixture.ts';

const SECRET_TYPES = new Set<number>([
  CKA.VALUE,
  CKA.PRIVATE_EXPONENT,
  CKA.PRIME_1,
  CKA.PRIME_2,
  CKA.EXPONENT_1,
  CKA.EXPONENT_2,
  CKA.COEFFICIENT,
]);

interface Watch {
  loader: ModuleLoader;
  calls: { initialize: number; finalize: number; close: number; openSession: number; closeSession: number };
  /** Every attribute type requested, per object handle, and each object's class. */
  requested: Map<string, number[]>;
  classes: Map<string, number>;
}

/** The real graphene loader, with the module and its pkcs11js calls watched. */
function watched(): Watch {
  const calls = { initialize: 0, finalize: 0, close: 0, openSession: 0, closeSession: 0 };
  const requested = new Map<string, number[]>();
  const classes = new Map<string, number>();
  const loader: ModuleLoader = async (path) => {
    const module = await grapheneLoader(path);
    const lib = module.lib;
    const count = <K extends keyof typeof calls>(key: K, target: object, name: string) => {
      const original = (target as Record<string, (...a: unknown[]) => unknown>)[name] as (
        ...a: unknown[]
      ) => unknown;
      (target as Record<string, unknown>)[name] = (...args: unknown[]) => {
        calls[key] += 1;
        return original.apply(target, args);
      };
    };
    count('initialize', module, 'initialize');
    count('finalize', module, 'finalize');
    count('close', module, 'close');
    count('openSession', lib, 'C_OpenSession');
    count('closeSession', lib, 'C_CloseSession');
    const getAttributes = lib.C_GetAttributeValue.bind(lib);
    lib.C_GetAttributeValue = ((session: Buffer, object: Buffer, template: Array<{ type: number }>) => {
      const key = object.toString('hex');
      requested.set(key, [...(requested.get(key) ?? []), ...template.map((t) => t.type)]);
      const result = getAttributes(session, object, template);
      const cls = result.find((a) => a.type === CKA.CLASS)?.value as Buffer | undefined;
      if (cls) classes.set(key, Number(cls.readBigUInt64LE(0)));
      return result;
    }) as typeof lib.C_GetAttributeValue;
    return module;
  };
  return { loader, calls, requested, classes };
}

const PAR0 = { label: 'par0' };
const PAR1 = { label: 'par1' };
const PAR2 = { label: 'par2' };

function byLabel(inventory: MemberInventory) {
  return new Map(inventory.objects.map((o) => [`${o.objectClass}:${o.label}`, o]));
}

describe('GrapheneInventoryReader on SoftHSM2 tokens', () => {
  let fixture: LunaFixture;
  let reader: GrapheneInventoryReader;

  beforeAll(() => {
    fixture = buildLuna();
    reader = new GrapheneInventoryReader({ libraryPath: fixture.luna.libraryPath });
  });
  afterAll(() => fixture?.remove());

  it('lists every member: same identity across members, the key created while par2 was down missing there', async () => {
    const [p0, p1, p2] = await Promise.all(
      [PAR0, PAR1, PAR2].map((member) => reader.readMember({ member, role: 'crypto-officer', pin: pin() })),
    );
    const a = byLabel(p0 as MemberInventory);
    const c = byLabel(p2 as MemberInventory);

    expect([...a.keys()].sort()).toEqual([
      'privateKey:app-rsa',
      'publicKey:app-rsa',
      'secretKey:app-aes',
      'secretKey:created-while-down',
      'secretKey:shared-config',
    ]);
    expect([...c.keys()].sort()).toEqual(['privateKey:app-rsa', 'publicKey:app-rsa', 'secretKey:app-aes']);
    const aes = a.get('secretKey:app-aes');
    expect(aes).toMatchObject({ keyType: 'AES', idHex: '01', fingerprintSource: 'check-value', ouid: null });
    expect(aes?.identityKey).toBe(`secretKey/AES/${Buffer.from('app-aes').toString('hex')}/01`);
    for (const inv of [p1, p2] as MemberInventory[]) {
      const other = byLabel(inv);
      for (const key of ['secretKey:app-aes', 'publicKey:app-rsa', 'privateKey:app-rsa']) {
        expect(other.get(key)?.identityKey).toBe(a.get(key)?.identityKey);
        expect(other.get(key)?.fingerprint).toBe(a.get(key)?.fingerprint);
      }
    }
    expect(a.get('privateKey:app-rsa')).toMatchObject({
      keyType: 'RSA',
      fingerprintSource: 'public-attributes',
    });
    expect(a.get('privateKey:app-rsa')?.fingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect((p0 as MemberInventory).duplicateIdentities).toEqual([]);
  });

  it('sees the fingerprint conflict: same identity through two members, different fingerprints', async () => {
    const p0 = await reader.readMember({ member: PAR0, role: 'crypto-officer', pin: pin() });
    const p1 = await reader.readMember({ member: PAR1, role: 'crypto-officer', pin: pin() });
    const x = byLabel(p0).get('secretKey:shared-config');
    const y = byLabel(p1).get('secretKey:shared-config');

    expect(x?.identityKey).toBe(y?.identityKey);
    expect(x?.fingerprint).not.toBe(y?.fingerprint);
    expect(x?.fingerprint).toMatch(/^kcv:[0-9a-f]{6}$/);
  });

  it('finds a member by token serial as well as by label, and reports the slot and the PIN counters', async () => {
    const byName = await reader.readMember({ member: PAR1, role: 'crypto-officer', pin: pin() });
    const bySerial = await reader.readMember({
      member: { serial: byName.slot.tokenSerial },
      role: 'crypto-officer',
      pin: pin(),
    });

    // Handles are session-local (they differ even between two reads of one token): never identity.
    const withoutHandle = (inv: MemberInventory) => inv.objects.map(({ handle: _handle, ...rest }) => rest);
    expect(withoutHandle(bySerial)).toEqual(withoutHandle(byName));
    expect(bySerial.slot).toMatchObject({
      tokenLabel: 'par1',
      model: 'SoftHSM v2',
      manufacturer: 'SoftHSM project',
    });
    expect(bySerial.pinCounters).toMatchObject({
      userPinCountLow: false,
      userPinFinalTry: false,
      userPinLocked: false,
      soPinLocked: false,
    });
  });

  it('never requests a secret value, and closes the session, finalizes and unloads the library', async () => {
    const watch = watched();
    const spied = new GrapheneInventoryReader({ libraryPath: fixture.luna.libraryPath, load: watch.loader });

    const inventory = await spied.readMember({ member: PAR0, role: 'crypto-officer', pin: pin() });

    expect(inventory.objects).toHaveLength(5);
    const secretHolders = [...watch.classes].filter(([, cls]) => cls === 3 || cls === 4).map(([h]) => h);
    expect(secretHolders).toHaveLength(4);
    for (const handle of secretHolders) {
      const asked = watch.requested.get(handle) ?? [];
      expect(asked).toContain(CKA.CLASS);
      expect(asked.filter((t) => SECRET_TYPES.has(t))).toEqual([]);
    }
    expect(watch.calls).toEqual({ initialize: 1, finalize: 1, close: 1, openSession: 1, closeSession: 1 });
  });

  it('fails on a member that is down (its token not served) as a retryable MemberUnreachableError, cleaning up', async () => {
    const down = buildLuna();
    try {
      setMemberFault(down.luna.statePath, '1238700701510', 'down');
      const watch = watched();
      const r = new GrapheneInventoryReader({ libraryPath: down.luna.libraryPath, load: watch.loader });

      const error = await r
        .readMember({ member: PAR2, role: 'crypto-officer', pin: pin() })
        .catch((e: unknown) => e);

      expect(error).toBeInstanceOf(MemberUnreachableError);
      expect(error).toBeInstanceOf(TransportError);
      expect((error as Error).message).toMatch(/member label "par2": no slot serves it/);
      expect(watch.calls).toMatchObject({ initialize: 1, finalize: 1, close: 1, openSession: 0 });
    } finally {
      down.remove();
      nativeEnv().SOFTHSM2_CONF = fixture.luna.env.SOFTHSM2_CONF;
    }
  });

  it('reports a wrong PIN as CredentialsRejectedError without the PIN, then the lockout guard refuses to try again', async () => {
    const wrong = new Secret('not-the-pin-77');
    const watch = watched();
    const r = new GrapheneInventoryReader({ libraryPath: fixture.luna.libraryPath, load: watch.loader });

    const rejected = await r
      .readMember({ member: PAR2, role: 'crypto-officer', pin: wrong })
      .catch((e: unknown) => e);
    const guarded = await r
      .readMember({ member: PAR2, role: 'crypto-officer', pin: pin() })
      .catch((e: unknown) => e);
    const forced = await r.readMember({
      member: PAR2,
      role: 'crypto-officer',
      pin: pin(),
      lockoutGuard: 'locked-only',
    });
    const after = await r.readMember({ member: PAR2, role: 'crypto-officer', pin: pin() });

    expect(rejected).toBeInstanceOf(CredentialsRejectedError);
    expect(rejected).not.toBeInstanceOf(LockoutGuardError);
    expect((rejected as Error).message).toBe(
      'member label "par2": login as Crypto Officer refused (CKR_PIN_INCORRECT); not retried',
    );
    for (const text of [
      (rejected as Error).message,
      JSON.stringify((rejected as CredentialsRejectedError).context),
      String((rejected as Error).stack),
    ]) {
      expect(text).not.toContain('not-the-pin-77');
      expect(text).not.toContain(PIN);
    }
    expect(guarded).toBeInstanceOf(LockoutGuardError);
    // Kept back, not refused: never remembered as a refused credential.
    expect(guarded).not.toBeInstanceOf(CredentialsRejectedError);
    expect((guarded as Error).name).toBe('LockoutGuardError');
    expect((guarded as LockoutGuardError).flags).toEqual(['CKF_USER_PIN_COUNT_LOW']);
    expect(forced.pinCounters.userPinCountLow).toBe(true);
    expect(after.pinCounters.userPinCountLow).toBe(false);
    expect(watch.calls.initialize).toBe(watch.calls.finalize);
    expect(watch.calls.openSession).toBe(watch.calls.closeSession);
    expect(watch.calls.openSession).toBe(3);
  });

  it('readMembers stops at the first refused login: the same PIN is not tried on the other members', async () => {
    const outcomes = await readMembers(
      reader,
      [PAR0, PAR1, PAR2],
      'crypto-officer',
      new Secret('wrong-pin-xyz'),
    );

    expect(outcomes.map((o) => o.outcome)).toEqual([
      'credentials-rejected',
      'not-attempted',
      'not-attempted',
    ]);
    const p1 = await reader.readMember({ member: PAR1, role: 'crypto-officer', pin: pin() });
    expect(p1.pinCounters.userPinCountLow).toBe(false);
    const p0 = await reader.readMember({
      member: PAR0,
      role: 'crypto-officer',
      pin: pin(),
      lockoutGuard: 'locked-only',
    });
    expect(p0.pinCounters.userPinCountLow).toBe(true);
  });

  it('probeMembers reads slots and PIN counters without a login, and says which member has no slot', async () => {
    const watch = watched();
    const probing = new GrapheneInventoryReader({
      libraryPath: fixture.luna.libraryPath,
      load: watch.loader,
    });

    const probes = await probing.probeMembers([PAR0, { label: 'no-such-member' }, PAR2]);

    expect(probes.map((p) => (p.found ? p.slot.tokenLabel : p.error.constructor.name))).toEqual([
      'par0',
      'MemberUnreachableError',
      'par2',
    ]);
    expect(watch.calls.openSession).toBe(0);
    expect(watch.calls.initialize).toBe(1);
    expect(watch.calls.finalize).toBe(1);
  });

  it('readMembers says whether a login was sent: after a refusal none is, before an unknown slot none was', async () => {
    const outcomes = await readMembers(reader, [{ label: 'no-such-member' }, PAR1], 'crypto-officer', pin(), {
      lockoutGuard: 'locked-only',
      refusedOn: null,
    });
    const known = await readMembers(reader, [PAR1], 'crypto-officer', pin(), { refusedOn: 'member x' });

    expect(outcomes[0]).toMatchObject({ outcome: 'unreadable', loginAttempted: false });
    expect(outcomes[1]?.outcome).toBe('read');
    expect(known).toEqual([
      { member: PAR1, outcome: 'not-attempted', reason: 'login refused on member x; not retried' },
    ]);
  });

  it('readMembers reports an unreadable member and still reads the others', async () => {
    const outcomes = await readMembers(
      reader,
      [PAR0, { label: 'no-such-member' }, PAR1],
      'crypto-officer',
      pin(),
      'locked-only',
    );

    expect(outcomes.map((o) => o.outcome)).toEqual(['read', 'unreadable', 'read']);
  });

  it('a Luna Crypto User login type the token does not know is a TransportError, not a credentials rejection', async () => {
    const error = await reader
      .readMember({ member: PAR1, role: 'crypto-user', pin: pin() })
      .catch((e: unknown) => e);

    expect(error).toBeInstanceOf(TransportError);
    expect((error as Error).message).toMatch(/C_Login failed: CKR_USER_TYPE_INVALID/);
  });

  it('refuses a library that cannot be loaded with a ConfigurationError naming it', async () => {
    const r = new GrapheneInventoryReader({ libraryPath: '/nonexistent/libCryptoki2_64.so' });

    await expect(r.readMember({ member: PAR0, role: 'crypto-officer', pin: pin() })).rejects.toThrow(
      ConfigurationError,
    );
    await expect(r.readMember({ member: PAR0, role: 'crypto-officer', pin: pin() })).rejects.toThrow(
      /cannot load the PKCS#11 library \/nonexistent\/libCryptoki2_64.so/,
    );
  });
});
