import { describe, expect, it } from '@jest/globals';
import { AWS_PROFILE, AZURE_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import { parseFindAllKeys, parseFindAllKeysSections } from '#drivers/mgmt-util/parse/parse-find-all-keys.ts';
import { parseErrorOf } from '../../../support/core/errors.ts';
import { transcript } from '../../../support/fixtures.ts';
import { withoutEcho } from '../../../support/mgmt-util/parse-support.ts';

const DOC = withoutEcho(transcript('aws-findAllKeys.txt'));
const KEYS = [
  { handle: 8, shared: true },
  { handle: 9, shared: true },
  { handle: 17, shared: false },
  { handle: 262162, shared: true },
  { handle: 19, shared: false },
  { handle: 31, shared: false },
];

describe('parseFindAllKeys', () => {
  it('reads the documented example into the exact JSON contract', () => {
    const parsed = parseFindAllKeys(DOC, AWS_PROFILE);

    expect(JSON.stringify(parsed)).toBe(
      JSON.stringify({
        command: 'findAllKeys',
        servers: [
          { server: 0, address: '10.0.0.1', count: 6, keys: KEYS, keyHash: null },
          { server: 1, address: '10.0.0.2', count: 6, keys: KEYS, keyHash: null },
        ],
      }),
    );
  });

  it('marks (o) keys owned and keeps plain keys in the two-field contract', () => {
    const text = DOC.replace('8(s),9(s),17,262162(s),19,31', '8(s),9(s),17,262162(s),19(o),31(s)(o)');

    const keys = parseFindAllKeys(text, AWS_PROFILE).servers[0];

    expect(keys).toMatchObject({
      keys: [
        ...KEYS.slice(0, 4),
        { handle: 19, shared: false, owned: true },
        { handle: 31, shared: true, owned: true },
      ],
    });
    expect(JSON.stringify((keys as { keys: unknown[] }).keys[0])).toBe('{"handle":8,"shared":true}');
  });

  it('reads the hash=1 form (digest on its own line or after the colon) in lower case', () => {
    const ownLine = DOC.replace(
      '19,31\nfindAllKeys success on server 0',
      '19,31\nKey Hash:\nAB12cd\nfindAllKeys success on server 0',
    );
    const sameLine = DOC.replace(
      '19,31\nfindAllKeys success on server 1',
      '19,31\nKey Hash: ff00\nfindAllKeys success on server 1',
    );

    expect(parseFindAllKeys(ownLine, AWS_PROFILE).servers[0]).toMatchObject({ keyHash: 'ab12cd' });
    expect(parseFindAllKeys(sameLine, AWS_PROFILE).servers[1]).toMatchObject({ keyHash: 'ff00' });
  });

  it('reads zero keys with an empty list line or none', () => {
    const none =
      'Keys on server 0(10.0.0.1):\nNumber of keys found 0\nfindAllKeys success on server 0(10.0.0.1)\n';
    const empty =
      'Keys on server 0(10.0.0.1):\nNumber of keys found 0\nnumber of keys matched from start index 0::0\n\nfindAllKeys success on server 0(10.0.0.1)\n';

    const expected = [{ server: 0, address: '10.0.0.1', count: 0, keys: [], keyHash: null }];
    expect(parseFindAllKeys(none, AWS_PROFILE).servers).toEqual(expected);
    expect(parseFindAllKeys(empty, AWS_PROFILE).servers).toEqual(expected);
  });

  it('accepts spaces after commas, CRLF, blank lines and the Azure banner', () => {
    const text = `Liquidsec MGMT Util Version : 3.4.0\r\n\r\n${DOC.replace(/,/g, ', ').replace(/\n/g, '\r\n\r\n')}`;

    expect(parseFindAllKeys(text, AZURE_PROFILE)).toEqual(parseFindAllKeys(DOC, AWS_PROFILE));
  });

  it('reads a list split over pages', () => {
    const text = [
      'Keys on server 0(10.0.0.1):',
      'Number of keys found 4',
      'number of keys matched from start index 0::2',
      '8(s),9',
      'number of keys matched from start index 2::4',
      '10,11(s)',
      'findAllKeys success on server 0(10.0.0.1)',
      '',
    ].join('\n');

    expect(parseFindAllKeys(text, AWS_PROFILE).servers[0]).toMatchObject({
      count: 4,
      keys: [{ handle: 8 }, { handle: 9 }, { handle: 10 }, { handle: 11 }],
    });
  });

  it('throws when a key list is cut short', () => {
    const cut = DOC.replace(
      '8(s),9(s),17,262162(s),19,31\nfindAllKeys success on server 1',
      '8(s),9(s),17\nfindAllKeys success on server 1',
    );

    const error = parseErrorOf(() => parseFindAllKeys(cut, AWS_PROFILE));

    expect(error.command).toBe('findAllKeys');
    expect(error.line).toBe(10);
    expect(error.message).toMatch(/page announced 6 handles, list has 3/);
  });

  it('throws when the success trailer is missing (reply cut after the list)', () => {
    const cut = DOC.split('\n').slice(0, 10).join('\n').concat('\n');

    const error = parseErrorOf(() => parseFindAllKeys(cut, AWS_PROFILE));

    expect(error.line).toBe(11);
    expect(error.message).toMatch(/no 'findAllKeys success on server 1' line/);
    expect(parseFindAllKeysSections(cut, AWS_PROFILE).map((o) => o.kind)).toEqual(['ok', 'parse-error']);
  });

  it('throws on a count that disagrees with the list, unknown lines and bad handles', () => {
    const wrongCount = DOC.replace('Number of keys found 6', 'Number of keys found 7');
    const unknown = DOC.replace(
      'findAllKeys success on server 0',
      'some warning\nfindAllKeys success on server 0',
    );
    const badHandle = DOC.replace('17,262162', '17,26x2162');
    const trailerOfOther = DOC.replace(
      'findAllKeys success on server 0(10.0.0.1)',
      'findAllKeys success on server 1(10.0.0.2)',
    );

    expect(parseErrorOf(() => parseFindAllKeys(wrongCount, AWS_PROFILE)).message).toMatch(
      /'Number of keys found 7' but 6/,
    );
    expect(parseErrorOf(() => parseFindAllKeys(unknown, AWS_PROFILE)).line).toBe(5);
    expect(parseErrorOf(() => parseFindAllKeys(badHandle, AWS_PROFILE)).line).toBe(4);
    expect(parseErrorOf(() => parseFindAllKeys(trailerOfOther, AWS_PROFILE)).message).toMatch(
      /names server 1/,
    );
  });

  it('returns a per-server failure line as an error result', () => {
    const text = `${DOC}\nfindAllKeys failed: RET_USER_NOT_LOGGED_IN on server 2(10.0.0.3)\n`;

    expect(parseFindAllKeys(text, AWS_PROFILE).servers[2]).toEqual({
      server: 2,
      address: '10.0.0.3',
      error: 'findAllKeys failed: RET_USER_NOT_LOGGED_IN on server 2(10.0.0.3)',
    });
  });
});
