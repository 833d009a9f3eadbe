import { describe, expect, it } from '@jest/globals';
import { AWS_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import { parseGetKeyInfo } from '#drivers/mgmt-util/parse/parse-get-key-info.ts';
import { parseErrorOf } from '../../../support/core/errors.ts';
import { transcript } from '../../../support/fixtures.ts';

const DOC = transcript('aws-getKeyInfo.txt');

describe('parseGetKeyInfo', () => {
  it('reads the documented example into {owner, sharedWith}', () => {
    expect(JSON.stringify(parseGetKeyInfo(DOC, AWS_PROFILE))).toBe(
      '{"command":"getKeyInfo","servers":[{"server":0,"address":"10.0.0.1","owner":3,"sharedWith":[4,6]}]}',
    );
  });

  it('accepts 0 shared users, no sharing line, a success trailer, and sorts the ids', () => {
    const zero =
      'Key Info on server 0(10.0.0.1):\n  Token/Flash Key,\n  Owned by user 3\n  also, shared to following 0 user(s):\n';
    const noLine = 'Key Info on server 1(10.0.0.2):\n  Owned by user 3\n';
    const trailer = `${DOC.replace('                 4\n                 6', '                 6\n                 4')}getKeyInfo success on server 0(10.0.0.1)\n`;

    expect(parseGetKeyInfo(`${zero}${noLine}`, AWS_PROFILE).servers).toEqual([
      { server: 0, address: '10.0.0.1', owner: 3, sharedWith: [] },
      { server: 1, address: '10.0.0.2', owner: 3, sharedWith: [] },
    ]);
    expect(parseGetKeyInfo(trailer, AWS_PROFILE)).toEqual(parseGetKeyInfo(DOC, AWS_PROFILE));
  });

  it('throws when the shared ids are cut short, or the last id is cut mid-line', () => {
    const short = DOC.replace('                 6\n', '');
    const midLine = DOC.replace(/\n$/, '').replace(/6$/, '');

    const error = parseErrorOf(() => parseGetKeyInfo(short, AWS_PROFILE));
    expect([error.command, error.line]).toEqual(['getKeyInfo', 6]);
    expect(error.message).toMatch(/1 of 2 shared user ids/);
    expect(
      parseErrorOf(() => parseGetKeyInfo(`${DOC.replace(/\n$/, '')}`.replace(/6$/, '62'), AWS_PROFILE))
        .message,
    ).toMatch(/not terminated/);
    expect(parseErrorOf(() => parseGetKeyInfo(midLine, AWS_PROFILE)).command).toBe('getKeyInfo');
  });

  it('throws on an unknown line and a missing owner', () => {
    expect(
      parseErrorOf(() => parseGetKeyInfo(DOC.replace('Owned by user 3', 'Owner: 3'), AWS_PROFILE)).line,
    ).toBe(3);
    expect(parseErrorOf(() => parseGetKeyInfo(`${DOC}                 7\n`, AWS_PROFILE)).line).toBe(7);
  });

  it('returns a server without the key as a per-server failure', () => {
    const text = `${DOC}\ngetKeyInfo failed: RET_KEY_NOT_FOUND on server 1(10.0.0.2)\n`;

    expect(parseGetKeyInfo(text, AWS_PROFILE).servers[1]).toEqual({
      server: 1,
      address: '10.0.0.2',
      error: 'getKeyInfo failed: RET_KEY_NOT_FOUND on server 1(10.0.0.2)',
    });
  });
});
