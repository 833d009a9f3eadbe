import { describe, expect, it } from '@jest/globals';
import { LunacmCommandError } from '#drivers/luna/errors.ts';
import {
  listGroupsContract,
  parseListGroups,
  parseListGroupsContract,
} from '#drivers/luna/parse/parse-listgroups.ts';
import { parseErrorOf } from '../../../support/core/errors.ts';
import { transcript } from '../../../support/fixtures.ts';
import type { RenderedGroups } from '../../../support/luna/render-lunacm.ts';
import { renderListGroups } from '../../../support/luna/render-lunacm.ts';

const PCI = transcript('luna/listgroups-7.3-pci.txt');
const NETWORK = transcript('luna/listgroups-7-network.txt');

const MEMBERS = [
  { serial: '154438865287', slotId: null, label: 'par0', status: 'alive', standby: false },
  { serial: '1238700701509', slotId: null, label: null, status: 'down', standby: false },
];

const THREE: RenderedGroups = {
  prompts: [
    { group: 'payments', entered: true },
    { group: 'signing', entered: false },
  ],
  global: {
    autoRecoveryEnabled: false,
    recoveryMode: 'activeBasic',
    maxRetry: 0,
    pollIntervalSeconds: 60,
    logging: false,
    haOnly: false,
  },
  groups: [
    {
      label: 'payments',
      serial: '1500000000001',
      slotId: 6,
      synchronization: 'enabled',
      memberSerials: ['500000000001', '500000000002', '500000000003'],
      needsSync: true,
      standbyMembers: [],
      members: [
        { serial: '500000000001', slotId: 0, label: 'pay0', status: 'alive', standby: false },
        { serial: '500000000002', slotId: 1, label: 'pay1', status: 'alive', standby: false },
        { serial: '500000000003', slotId: null, label: null, status: 'down', standby: false },
      ],
    },
    {
      label: 'signing',
      serial: '1600000000001',
      slotId: 7,
      synchronization: 'disabled',
      memberSerials: ['600000000001', '600000000002'],
      needsSync: 'unknown',
      standbyMembers: ['600000000002'],
      members: [
        { serial: '600000000001', slotId: 3, label: 'sig0', status: 'alive', standby: false },
        { serial: '600000000002', slotId: 4, label: 'sig1', status: 'alive', standby: true },
      ],
    },
  ],
  trailer: 'Command Result : No Error',
};

describe('parseListGroupsContract', () => {
  it('reads the documented 7.3 PCI example into the exact CLI contract', () => {
    expect(JSON.stringify(parseListGroupsContract(PCI))).toBe(
      '{"command":"hagroup listgroups","groups":[{"label":"myHAgroup","serial":"1154438865287","needsSync":false,' +
        '"autoRecovery":{"maxRetry":500,"pollIntervalSeconds":60},"members":[{"serial":"154438865287","status":"alive"},' +
        '{"serial":"1238700701509","status":"down"}]}]}',
    );
  });

  it('reports a failure trailer as a LunacmCommandError naming the code', () => {
    const text = `${NETWORK}\nCommand Result : 0x000000a0 (CKR_PIN_INCORRECT)\n`;

    expect(() => parseListGroupsContract(text)).toThrow(LunacmCommandError);
    expect(() => parseListGroupsContract(text)).toThrow(/0x000000a0 \(CKR_PIN_INCORRECT\)/);
  });
});

describe('parseListGroups', () => {
  it('keeps everything the documented example prints', () => {
    const reply = parseListGroups(PCI);

    expect(reply).toEqual({
      command: 'hagroup listgroups',
      prompts: [{ group: 'myHAgroup', passwordEntered: true }],
      global: {
        autoRecoveryEnabled: true,
        recoveryMode: 'activeEnhanced',
        maxRetry: 500,
        pollIntervalSeconds: 60,
        logging: false,
        haOnly: true,
      },
      groups: [
        {
          label: 'myHAgroup',
          serial: '1154438865287',
          slotId: 5,
          synchronization: 'enabled',
          memberSerials: ['154438865287', '1238700701509'],
          needsSync: false,
          standbyMembers: [],
          members: MEMBERS,
        },
      ],
      commandResult: null,
    });
  });

  it('reads the 7/network variant (group block only): no prompt, no global settings', () => {
    const reply = parseListGroups(NETWORK);

    expect(reply.prompts).toEqual([]);
    expect(reply.global).toBeNull();
    expect(reply.groups[0]?.members).toEqual(MEMBERS);
    expect(listGroupsContract(reply).groups[0]?.autoRecovery).toBeNull();
  });

  it('reads several groups, Needs sync yes and absent (unknown), standby members, slot numbers and the trailer', () => {
    const reply = parseListGroups(renderListGroups(THREE));

    expect(reply.groups).toEqual(THREE.groups);
    expect(reply.prompts).toEqual([
      { group: 'payments', passwordEntered: true },
      { group: 'signing', passwordEntered: false },
    ]);
    expect(reply.commandResult).toEqual({ ok: true, text: 'No Error' });
    expect(listGroupsContract(reply).groups.map((g) => g.needsSync)).toEqual([true, 'unknown']);
  });

  it('accepts CRLF line ends and the reply without its echo line', () => {
    const crlf = PCI.split('\n').slice(1).join('\r\n');

    expect(parseListGroups(crlf).groups[0]?.members).toEqual(MEMBERS);
  });

  it('refuses a member table cut after its first row: never a shorter member list', () => {
    const cut = PCI.split('\n').slice(0, -2).join('\n');

    const error = parseErrorOf(() => parseListGroups(`${cut}\n`));

    expect(error.message).toMatch(
      /hagroup listgroups: line \d+: member table of myHAgroup ends after 1 of 2 members/,
    );
  });

  it('refuses a reply cut inside the last line, the group block or the global block', () => {
    const lines = PCI.split('\n');
    expect(parseErrorOf(() => parseListGroups(PCI.slice(0, -4))).message).toMatch(/not terminated/);
    expect(parseErrorOf(() => parseListGroups(`${lines.slice(0, 22).join('\n')}\n`)).message).toMatch(
      /line 23: HA group block lacks 'Group Members', 'Standby Members' \(reply cut short\?\)/,
    );
    expect(parseErrorOf(() => parseListGroups(`${lines.slice(0, 14).join('\n')}\n`)).message).toMatch(
      /global settings block lacks/,
    );
    expect(parseErrorOf(() => parseListGroups(`${lines.slice(0, 9).join('\n')}\n`)).message).toMatch(
      /prompted for group myHAgroup|no HA group/,
    );
  });

  it('refuses a second group that is cut off after its header', () => {
    const text = renderListGroups(THREE).split('\n');
    const at = text.findIndex((l) => l.includes('HA Group Label:  signing'));

    const error = parseErrorOf(() => parseListGroups(`${text.slice(0, at + 7).join('\n')}\n`));

    expect(error.message).toMatch(/reply ends before the member table of group signing/);
  });

  it('refuses unknown status words, unknown lines, duplicate rows and out-of-order fields', () => {
    expect(parseErrorOf(() => parseListGroups(PCI.replace('alive\n', 'syncing\n'))).message).toMatch(
      /member status "syncing" is not alive\|down/,
    );
    expect(parseErrorOf(() => parseListGroups(PCI.replace('HA logging:', 'HA log file:'))).message).toMatch(
      /line 15: global settings block lacks 'HA logging'/,
    );
    expect(parseErrorOf(() => parseListGroups(`${PCI}------  154438865287  par0  alive\n`)).message).toMatch(
      /appears twice/,
    );
    const swapped = PCI.replace('       HA Group Slot ID:  5\n', '').replace(
      '          Group Members:',
      '       HA Group Slot ID:  5\n          Group Members:',
    );
    expect(parseErrorOf(() => parseListGroups(swapped)).message).toMatch(/'HA Group Slot ID' out of order/);
    expect(parseErrorOf(() => parseListGroups(`${PCI}Everything is fine\n`)).message).toMatch(
      /unrecognised line "Everything is fine"/,
    );
  });

  it('refuses a member row for a serial the group does not list, and bad numbers', () => {
    expect(
      parseErrorOf(() => parseListGroups(PCI.replace('------  1238700701509', '------  1238700701508')))
        .message,
    ).toMatch(/member 1238700701508 is not listed/);
    expect(
      parseErrorOf(() => parseListGroups(PCI.replace('HA Group Slot ID:  5', 'HA Group Slot ID:  five')))
        .message,
    ).toMatch(/Slot ID "five"/);
    expect(parseErrorOf(() => parseListGroups(PCI.replace('retry:  500', 'retry:  lots'))).message).toMatch(
      /retry count/,
    );
    expect(parseErrorOf(() => parseListGroups(PCI.replace('60 seconds', '60 minutes'))).message).toMatch(
      /poll interval/,
    );
  });

  it('reads an infinite retry count (-1) and refuses more than 32 members', () => {
    expect(parseListGroups(PCI.replace('retry:  500', 'retry:  -1')).global?.maxRetry).toBe(-1);
    const many = Array.from({ length: 33 }, (_, i) => String(100000000000 + i)).join(', ');

    expect(
      parseErrorOf(() => parseListGroups(NETWORK.replace('154438865287, 1238700701509', many))).message,
    ).toMatch(/more than 32 members/);
  });

  it('refuses an empty reply and a reply with no group unless lunacm reported an error', () => {
    expect(parseErrorOf(() => parseListGroups('')).message).toMatch(/no HA group/);
    expect(parseListGroups('Command Result : 0x300021 (LUNA_RET_HA_NOT_SUPPORTED)\n').commandResult).toEqual({
      ok: false,
      code: '0x300021',
      name: 'LUNA_RET_HA_NOT_SUPPORTED',
      text: '0x300021 (LUNA_RET_HA_NOT_SUPPORTED)',
    });
    expect(
      parseErrorOf(() => parseListGroups(`${NETWORK}Command Result : No Error\nmore\n`)).message,
    ).toMatch(/nothing after the command result/);
  });

  it('refuses a password line that shows anything but a mask', () => {
    expect(parseErrorOf(() => parseListGroups(PCI.replace('********', 'hunter22'))).message).toMatch(
      /mask of asterisks/,
    );
  });
});
