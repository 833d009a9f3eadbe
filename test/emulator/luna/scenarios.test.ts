import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from '@jest/globals';
import { GrapheneInventoryReader } from '#drivers/luna/pkcs11/graphene-reader.ts';
import type { LunaScenario } from '#emulator/luna/scenarios.ts';
import { LUNA_SCENARIOS, setupLunaScenario } from '#emulator/luna/scenarios.ts';
import { requireSoftHsm, SOFTHSM_MISSING } from '#emulator/luna/softhsm.ts';
import { readApplianceState } from '#emulator/luna/state.ts';
import type { LunaFixture } from '../../support/luna/softhsm-fixture.ts';
import { buildLuna, pin } from '../../support/luna/softhsm-fixture.ts';

/** Per object label: the member serials holding it and the distinct fingerprints, read by the product's reader. */
async function presence(fixture: LunaFixture, scenario: LunaScenario) {
  const reader = new GrapheneInventoryReader({ libraryPath: fixture.luna.libraryPath });
  const holders = new Map<string, { members: string[]; fingerprints: Set<string> }>();
  const serials: string[] = [];
  for (const group of scenario.groups) {
    for (const m of group.members) {
      serials.push(m.serial);
      const inv = await reader.readMember({
        member: { label: m.tokenLabel },
        role: 'crypto-officer',
        pin: pin(),
      });
      for (const o of inv.objects.filter((x) => x.objectClass === 'secretKey')) {
        const h = holders.get(o.label) ?? { members: [], fingerprints: new Set<string>() };
        h.members.push(m.serial);
        h.fingerprints.add(o.fingerprint);
        holders.set(o.label, h);
      }
    }
  }
  return { holders, serials };
}

describe('Luna seed scenarios', () => {
  let fixture: LunaFixture | null = null;
  afterEach(() => {
    fixture?.remove();
    fixture = null;
  });

  it.each(Object.values(LUNA_SCENARIOS))(
    '$name builds real tokens that show exactly its expected gaps and conflicts',
    async (scenario) => {
      fixture = buildLuna(scenario);
      const { holders } = await presence(fixture, scenario);
      const groupOf = (label: string) =>
        scenario.groups.find((g) => g.members.some((m) => holders.get(label)?.members.includes(m.serial)));

      for (const { label, members } of scenario.expected.missing) {
        const group = groupOf(label);
        const all = group?.members.map((m) => m.serial) ?? [];
        expect(all.filter((s) => !holders.get(label)?.members.includes(s))).toEqual(members);
      }
      for (const { label, member } of scenario.expected.singleMember)
        expect(holders.get(label)?.members).toEqual([member]);
      for (const { label, members } of scenario.expected.conflicts) {
        expect(holders.get(label)?.members).toEqual(members);
        expect(holders.get(label)?.fingerprints.size).toBe(members.length);
      }
      const state = readApplianceState(fixture.luna.statePath);
      expect(state.global).toEqual(scenario.global);
      expect(state.groups.flatMap((g) => g.members.map((m) => m.status))).toEqual(
        state.groups.flatMap((g) => g.members.map(() => 'alive')),
      );
    },
  );

  it('keeps the defaults the seeds warn about in the demo: auto recovery off, HAOnly off', () => {
    expect(LUNA_SCENARIOS.demo.global).toMatchObject({ maxRetry: 0, haOnly: false });
    expect(LUNA_SCENARIOS['cloudhsm-hapg'].groups[0]?.members.map((m) => m.serial)).toEqual([
      '475256026',
      '511541022',
    ]);
  });
});

describe('SoftHSM2 presence check', () => {
  it('fails with one line naming tools/setup-system.sh when the library is missing (never a silent skip)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'hsm-luna-missing-'));
    try {
      expect(() => requireSoftHsm('/nonexistent/libsofthsm2.so')).toThrow(SOFTHSM_MISSING);
      expect(() =>
        setupLunaScenario(LUNA_SCENARIOS['luna-ha'], {
          dir,
          pin: 'x-pin-1234',
          library: '/nonexistent/libsofthsm2.so',
        }),
      ).toThrow(/^SoftHSM2 is not installed .*: run 'bash tools\/setup-system.sh' as root/);
      expect(SOFTHSM_MISSING).not.toContain('\n');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
