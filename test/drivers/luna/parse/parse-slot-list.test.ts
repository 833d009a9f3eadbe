import { describe, expect, it } from '@jest/globals';
import { parseCommandResult } from '#drivers/luna/parse/command-result.ts';
import { parseSlotList } from '#drivers/luna/parse/parse-slot-list.ts';
import { parseErrorOf } from '../../../support/core/errors.ts';
import { transcript } from '../../../support/fixtures.ts';
import { renderSlotList } from '../../../support/luna/render-lunacm.ts';

const STARTUP = transcript('luna/slot-list-7.3-startup.txt');

const PAR0 = {
  slotId: 0,
  label: 'par0',
  serialNumber: '154438865287',
  model: 'LunaSA 7.3.0',
  firmwareVersion: '7.3.0',
  configuration: 'Luna User Partition With SO (PW) Key Export With Cloning Mode',
  description: 'Net Token Slot',
};

describe('parseSlotList', () => {
  it('reads the documented LunaCM 7.3.0 start-up listing', () => {
    expect(parseSlotList(STARTUP)).toEqual({
      command: 'slot list',
      clientVersion: '7.3.0',
      slots: [PAR0],
      currentSlotId: null,
      commandResult: null,
    });
  });

  it('reads several slots, the Current Slot Id line and the trailer of `lunacm -q slot list`', () => {
    const par1 = { ...PAR0, slotId: 1, label: 'par1', serialNumber: '1238700701509' };
    const text = renderSlotList([PAR0, par1], false, 'Current Slot Id: 0\nCommand Result : No Error');

    expect(parseSlotList(text)).toEqual({
      command: 'slot list',
      clientVersion: null,
      slots: [PAR0, par1],
      currentSlotId: 0,
      commandResult: { ok: true, text: 'No Error' },
    });
  });

  it('refuses a block cut before its Slot Description, and a reply with no slot', () => {
    const cut = STARTUP.split('\n').slice(0, -2).join('\n');

    expect(parseErrorOf(() => parseSlotList(`${cut}\n`)).message).toMatch(
      /slot list: line \d+: slot block ends before 'Slot Description ->'/,
    );
    expect(parseErrorOf(() => parseSlotList('        Available HSMs:\n')).message).toMatch(
      /no slot in the reply/,
    );
  });

  it('refuses fields out of order, a duplicate slot and text after the trailer', () => {
    const swapped = STARTUP.replace('Label ->', 'Model ->');
    expect(parseErrorOf(() => parseSlotList(swapped)).message).toMatch(/expected 'Label ->'/);
    expect(parseErrorOf(() => parseSlotList(renderSlotList([PAR0, PAR0], false, null))).message).toMatch(
      /slot 0 listed twice/,
    );
    expect(
      parseErrorOf(() =>
        parseSlotList(renderSlotList([PAR0], false, 'Command Result : No Error\nSlot Id -> 1')),
      ).message,
    ).toMatch(/nothing after the command result/);
    expect(
      parseErrorOf(() => parseSlotList(STARTUP.replace('->              0', '->              zero'))).message,
    ).toMatch(/Slot Id "zero" is not a number/);
  });

  it('keeps a failure trailer as data', () => {
    expect(parseSlotList('Command Result : 0x300000 (LUNA_RET_DEVICE_ERROR)\n').commandResult).toMatchObject({
      ok: false,
      name: 'LUNA_RET_DEVICE_ERROR',
    });
  });
});

describe('parseCommandResult', () => {
  const line = (text: string) => ({ no: 7, text });

  it('reads the documented success forms and the assumed failure forms', () => {
    expect(parseCommandResult('x', line('Command Result : No Error'))).toEqual({
      ok: true,
      text: 'No Error',
    });
    expect(parseCommandResult('x', line('Command Result : 0 (Success)'))).toEqual({
      ok: true,
      text: '0 (Success)',
    });
    expect(parseCommandResult('x', line('Command Result : 0xa0 (CKR_PIN_INCORRECT)'))).toEqual({
      ok: false,
      code: '0xa0',
      name: 'CKR_PIN_INCORRECT',
      text: '0xa0 (CKR_PIN_INCORRECT)',
    });
    expect(parseCommandResult('x', line('Command Result : 160'))).toMatchObject({
      ok: false,
      code: '160',
      name: null,
    });
  });

  it('refuses anything else', () => {
    expect(() => parseCommandResult('x', line('Command Result : Maybe'))).toThrow(
      /x: line 7: unrecognised command result/,
    );
    expect(() => parseCommandResult('x', line('Command Result : 0xZZ (CKR)'))).toThrow(/unrecognised/);
    expect(() => parseCommandResult('x', line('Command Result : 0xa0 (ckr_lower)'))).toThrow(/unrecognised/);
    expect(() => parseCommandResult('x', line('Result : No Error'))).toThrow(/expected 'Command Result/);
  });
});
