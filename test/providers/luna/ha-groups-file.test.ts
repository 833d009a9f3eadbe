/** The HA groups file: validated with one-line errors naming the field; one cluster per group. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '#core/errors.ts';
import { listedMembers, parseHaGroupsFile, readHaGroupsFile } from '#providers/luna/ha-groups-file.ts';

const GOOD = {
  client: { host: 'luna-client-1.example.internal' },
  groups: [
    {
      label: 'myHAgroup',
      serial: '1154438865287',
      members: [
        { serial: '154438865287', label: 'par0', host: '10.0.1.10' },
        { serial: '1238700701509', label: 'par1' },
      ],
    },
    { label: 'hapg1', members: [{ serial: '475256026' }, { serial: '511541022' }] },
  ],
};

describe('HA groups file', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'ha-groups-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads one cluster per group: its members by serial, with the appliance host when given', async () => {
    const path = join(dir, 'good.json');
    await writeFile(path, JSON.stringify(GOOD));

    const file = await readHaGroupsFile(path);

    expect(listedMembers(file, 'myHAgroup')).toEqual([
      { nodeId: '154438865287', address: '10.0.1.10' },
      { nodeId: '1238700701509' },
    ]);
    expect(listedMembers(file, 'hapg1')?.map((m) => m.nodeId)).toEqual(['475256026', '511541022']);
    expect(listedMembers(file, 'other')).toBeNull();
  });

  it.each([
    [{ ...GOOD, groups: [] }, 'groups: Too small'],
    [{ ...GOOD, client: {} }, 'client.host'],
    [
      { ...GOOD, groups: [{ label: 'g', members: [{ serial: 'abc' }] }] },
      'groups.0.members.0.serial: a serial number',
    ],
    [
      { ...GOOD, groups: [{ label: 'g\u202e', members: [{ serial: '1' }] }] },
      'groups.0.label: printable ASCII',
    ],
    [{ ...GOOD, groups: [GOOD.groups[1], GOOD.groups[1]] }, 'groups: group labels must be unique'],
    [{ ...GOOD, extra: 1 }, '(top level)'],
  ])('refuses a malformed file with one line naming the field (%#)', (raw, message) => {
    expect(() => parseHaGroupsFile(raw, 'f.json')).toThrow(InvalidInputError);
    expect(() => parseHaGroupsFile(raw, 'f.json')).toThrow(message);
  });

  it('a file that is not JSON is one line naming the file', async () => {
    const path = join(dir, 'bad.json');
    await writeFile(path, '{ nope');

    await expect(readHaGroupsFile(path)).rejects.toThrow(new RegExp(`^HA groups file ${path}: `));
  });
});
