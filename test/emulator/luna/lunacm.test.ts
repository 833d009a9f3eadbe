/**
 * The emulated lunacm, spawned for real (`node src/emulator/luna/main.ts --state F -q …`)
 * through the product's runner (src/drivers/luna/lunacm.ts), its output read by the product's
 * parsers, its effects checked on the SoftHSM2 tokens with the product's PKCS#11 reader.
 */

import { spawnSync } from 'node:child_process';
import { afterAll, afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Secret } from '#core/secret.ts';
import { LunacmCommandError } from '#drivers/luna/errors.ts';
import type { LunacmInvocation } from '#drivers/luna/lunacm.ts';
import { listGroups, recoverGroup, runLunacm, slotList, synchronizeGroup } from '#drivers/luna/lunacm.ts';
import { listGroupsContract, parseListGroupsContract } from '#drivers/luna/parse/parse-listgroups.ts';
import { GrapheneInventoryReader } from '#drivers/luna/pkcs11/graphene-reader.ts';
import { setMemberFault } from '#emulator/luna/faults.ts';
import { lunacmCommand } from '#emulator/luna/main.ts';
import type { LunaFixture } from '../../support/luna/softhsm-fixture.ts';
import { buildLuna, PIN, pin } from '../../support/luna/softhsm-fixture.ts';

function invocation(fixture: LunaFixture): LunacmInvocation {
  return lunacmCommand(fixture.luna.statePath);
}

async function labelsOn(fixture: LunaFixture, member: string): Promise<string[]> {
  const reader = new GrapheneInventoryReader({ libraryPath: fixture.luna.libraryPath });
  const inv = await reader.readMember({ member: { label: member }, role: 'crypto-officer', pin: pin() });
  return inv.objects.map((o) => `${o.objectClass}:${o.label}:${o.fingerprint}`).sort();
}

describe('emulated lunacm: read-only commands', () => {
  let fixture: LunaFixture;
  beforeAll(() => {
    fixture = buildLuna();
  });
  afterAll(() => fixture?.remove());

  it('prints hagroup listgroups in the documented format: Needs sync yes, auto recovery off, HAOnly off', async () => {
    const reply = await listGroups(invocation(fixture), { password: pin() });

    expect(listGroupsContract(reply)).toEqual({
      command: 'hagroup listgroups',
      groups: [
        {
          label: 'myHAgroup',
          serial: '1154438865287',
          needsSync: true,
          autoRecovery: { maxRetry: 0, pollIntervalSeconds: 60 },
          members: [
            { serial: '154438865287', status: 'alive' },
            { serial: '1238700701509', status: 'alive' },
            { serial: '1238700701510', status: 'alive' },
          ],
        },
      ],
    });
    expect(reply.global).toMatchObject({ autoRecoveryEnabled: false, haOnly: false });
    expect(reply.groups[0]?.members.map((m) => [m.slotId, m.label])).toEqual([
      [0, 'par0'],
      [1, 'par1'],
      [2, 'par2'],
    ]);
    expect(reply.commandResult).toEqual({ ok: true, text: 'No Error' });
  });

  it('without the password prints no Needs sync line (unknown), as documented', async () => {
    const reply = await listGroups(invocation(fixture));

    expect(reply.prompts).toEqual([{ group: 'myHAgroup', passwordEntered: false }]);
    expect(reply.groups[0]?.needsSync).toBe('unknown');
  });

  it('never shows the password: the prompt echoes the documented mask', async () => {
    const { stdout } = await runLunacm(invocation(fixture), ['hagroup', 'listgroups'], { password: pin() });

    expect(stdout).toContain('        Enter the password: ********\n');
    expect(stdout).not.toContain(PIN);
  });

  it('a wrong password ends with a failure trailer: the contract reader throws LunacmCommandError', async () => {
    const { stdout, exitCode } = await runLunacm(invocation(fixture), ['hagroup', 'listgroups'], {
      password: new Secret('wrong-password-1'),
    });

    expect(exitCode).toBe(1);
    expect(() => parseListGroupsContract(stdout)).toThrow(LunacmCommandError);
    expect(() => parseListGroupsContract(stdout)).toThrow(/CKR_PIN_INCORRECT/);
  });

  it('prints slot list in the documented block format: member slots and the HA virtual slot', async () => {
    const reply = await slotList(invocation(fixture));

    expect(reply.slots.map((s) => [s.slotId, s.label, s.serialNumber, s.description])).toEqual([
      [0, 'par0', '154438865287', 'Net Token Slot'],
      [1, 'par1', '1238700701509', 'Net Token Slot'],
      [2, 'par2', '1238700701510', 'Net Token Slot'],
      [5, 'myHAgroup', '1154438865287', 'HA Virtual Card Slot'],
    ]);
    expect(reply.currentSlotId).toBe(0);
  });

  it('refuses a password on the command line and an unknown command', () => {
    const { command, args } = lunacmCommand(fixture.luna.statePath);
    const argvPassword = spawnSync(command, [...args, '-q', 'hagroup', 'listgroups', '-password', PIN], {
      encoding: 'utf8',
    });
    const unknown = spawnSync(command, [...args, '-q', 'partition', 'contents'], {
      encoding: 'utf8',
      input: '',
    });
    const usage = spawnSync(command, [...args, 'hagroup', 'listgroups'], { encoding: 'utf8' });

    expect(argvPassword.status).toBe(2);
    expect(argvPassword.stdout).toMatch(/refuses passwords on the command line/);
    expect(unknown.status).toBe(1);
    expect(unknown.stdout).toMatch(/Command Result : 0x00000001 \(UNKNOWN_COMMAND\)/);
    expect(usage.status).toBe(2);
    expect(usage.stderr).toMatch(/usage: main.ts --state <appliance.json> -q/);
  });
});

describe('emulated lunacm: synchronize, faults and recover', () => {
  let fixture: LunaFixture | null = null;
  afterEach(() => {
    fixture?.remove();
    fixture = null;
  });

  it('hagroup synchronize copies to par2 what it lacks, never overwrites the conflicting variants, never deletes', async () => {
    fixture = buildLuna();
    const before = await Promise.all(
      ['par0', 'par1', 'par2'].map((m) => labelsOn(fixture as LunaFixture, m)),
    );

    const { body } = await synchronizeGroup(invocation(fixture), 'myHAgroup', { password: pin() });

    const after = await Promise.all(['par0', 'par1', 'par2'].map((m) => labelsOn(fixture as LunaFixture, m)));
    expect(after[0]).toEqual(before[0]);
    expect(after[1]).toEqual(before[1]);
    expect(after[2]).toEqual(
      [
        ...(before[2] ?? []),
        ...(before[0] ?? []).filter((o) => /created-while-down|shared-config/.test(o)),
      ].sort(),
    );
    expect(body.join('\n')).toMatch(
      /Replicated secret key "created-while-down" \(id 03\) from 154438865287 to 1238700701510/,
    );
    expect(body.join('\n')).toMatch(
      /Warning: "shared-config" \(id 04\) differs between members 154438865287, 1238700701509/,
    );
    expect((await listGroups(invocation(fixture), { password: pin() })).groups[0]?.needsSync).toBe(false);
  });

  it('a member that goes down is printed down with a dashed label, stays down when back, and hagroup recover marks it alive', async () => {
    fixture = buildLuna();
    setMemberFault(fixture.luna.statePath, '1238700701509', 'down');

    const down = await listGroups(invocation(fixture), { password: pin() });
    setMemberFault(fixture.luna.statePath, '1238700701509', 'back');
    const back = await listGroups(invocation(fixture));
    const { body } = await recoverGroup(invocation(fixture), 'myHAgroup');
    const recovered = await listGroups(invocation(fixture));

    expect(down.groups[0]?.members[1]).toEqual({
      serial: '1238700701509',
      slotId: null,
      label: null,
      status: 'down',
      standby: false,
    });
    expect(down.groups[0]?.members.map((m) => m.slotId)).toEqual([0, null, 1]);
    expect(back.groups[0]?.members[1]?.status).toBe('down');
    expect(body).toEqual(['Member 1238700701509 of HA group myHAgroup recovered.']);
    expect(recovered.groups[0]?.members.map((m) => m.status)).toEqual(['alive', 'alive', 'alive']);
  });

  it('synchronize of an unknown group and without a password fail with a trailer (LunacmCommandError)', async () => {
    fixture = buildLuna();

    await expect(synchronizeGroup(invocation(fixture), 'nope', { password: pin() })).rejects.toThrow(
      LunacmCommandError,
    );
    await expect(synchronizeGroup(invocation(fixture), 'myHAgroup', {})).rejects.toThrow(
      /LUNA_RET_PASSWORD_REQUIRED/,
    );
    await expect(
      synchronizeGroup(invocation(fixture), 'myHAgroup', { password: new Secret('bad-bad-bad') }),
    ).rejects.toThrow(/CKR_PIN_INCORRECT/);
  });
});
