import { describe, expect, it } from '@jest/globals';
import { ParseError } from '#core/errors.ts';
import { AWS_PROFILE, AZURE_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import { PARSEABLE_COMMANDS, parseTranscript } from '#drivers/mgmt-util/transcript.ts';
import { firstRawCharacter } from '../../support/core/raw-characters.ts';
import { transcript } from '../../support/fixtures.ts';

describe('parseTranscript', () => {
  it('parses the documented transcripts, echoed command line included', () => {
    const users = parseTranscript('listUsers', transcript('aws-listUsers.txt'), AWS_PROFILE);
    const keys = parseTranscript('findAllKeys', transcript('aws-findAllKeys.txt'), AWS_PROFILE);

    expect(JSON.stringify(users)).toMatch(
      /^\{"command":"listUsers","servers":\[\{"server":0,"address":"10\.0\.0\.1","count":6,"users":\[\{"userId":1,"userType":"PCO","username":"admin","mofnPubKey":true,"loginFailureCount":0,"twoFactor":false\}/,
    );
    expect(JSON.stringify(keys)).toMatch(
      /^\{"command":"findAllKeys","servers":\[\{"server":0,"address":"10\.0\.0\.1","count":6,"keys":\[\{"handle":8,"shared":true\}/,
    );
    expect(PARSEABLE_COMMANDS).toEqual(['listUsers', 'findAllKeys', 'loginHSM', 'getKeyInfo']);
  });

  it('drops an echoed login line (with its password placeholder) and a trailing bare prompt', () => {
    const text =
      'cloudmgmt>loginHSM CO admin <adminPassword>\nloginHSM success on server 0\nloginHSM success on server 1\ncloudmgmt>';

    expect(parseTranscript('loginHSM', text, AZURE_PROFILE)).toEqual({
      command: 'loginHSM',
      servers: [
        { server: 0, address: null, ok: true },
        { server: 1, address: null, ok: true },
      ],
    });
    expect(
      parseTranscript(
        'getKeyInfo',
        `aws-cloudhsm> getKeyInfo -k 8\n${transcript('aws-getKeyInfo.txt')}`,
        AWS_PROFILE,
      ),
    ).toEqual({
      command: 'getKeyInfo',
      servers: [{ server: 0, address: '10.0.0.1', owner: 3, sharedWith: [4, 6] }],
    });
  });

  it('throws a ParseError naming the command and the line of the input (echo line counted)', () => {
    const cut = transcript('aws-listUsers.txt').split('\n').slice(0, 18).join('\n').concat('\n');

    const error = (() => {
      try {
        parseTranscript('listUsers', cut, AWS_PROFILE);
      } catch (e) {
        return e;
      }
      return null;
    })();

    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toBe(
      'listUsers: line 19: section of server 1 ends after 3 of 5 user rows (reply cut short?)',
    );
  });

  it('does not take another command’s echo or another dialect’s prompt', () => {
    expect(() => parseTranscript('listUsers', transcript('aws-findAllKeys.txt'), AWS_PROFILE)).toThrow(
      ParseError,
    );
    expect(() => parseTranscript('listUsers', transcript('aws-listUsers.txt'), AZURE_PROFILE)).toThrow(
      /line 1: unrecognised line/,
    );
  });
});

describe('parseTranscript: input that is not a reply', () => {
  it.each([
    ['empty', ''],
    ['whitespace only', ' \n\t\r\n  \n'],
    ['only the echoed command and a bare prompt', 'aws-cloudhsm> listUsers\naws-cloudhsm>\n'],
  ])('refuses %s input with one ParseError naming the command ("no reply to parse")', (_, text) => {
    for (const command of PARSEABLE_COMMANDS) {
      const error = (() => {
        try {
          parseTranscript(command, text.replace('listUsers', command), AWS_PROFILE);
        } catch (e) {
          return e;
        }
        return null;
      })();

      expect(error).toBeInstanceOf(ParseError);
      expect((error as ParseError).message).toBe(
        `${command}: line 0: no reply to parse (the input is empty)`,
      );
    }
  });

  it('reads CRLF transcripts like LF ones', () => {
    const lf = transcript('aws-listUsers.txt');

    expect(parseTranscript('listUsers', lf.replace(/\n/g, '\r\n'), AWS_PROFILE)).toEqual(
      parseTranscript('listUsers', lf, AWS_PROFILE),
    );
  });

  it.each([
    ['cut mid-section', (t: string) => t.slice(0, t.indexOf('crypto_user2'))],
    [
      'a prompt in the middle',
      (t: string) => t.replace('Users on server 1', 'aws-cloudhsm>\nUsers on server 1'),
    ],
    [
      'a prompt and a command in the middle',
      (t: string) => t.replace('Users on server 1', 'aws-cloudhsm> syncUser 3 1\nUsers on server 1'),
    ],
    [
      'invalid UTF-8 (decoded to U+FFFD) in a name',
      (t: string) => t.replace('officer2', 'offic\ufffd\ufffdr2'),
    ],
    ['a NUL byte in a name', (t: string) => t.replace('officer2', 'officer\u00002')],
    ['a NUL byte in a count', (t: string) => t.replace('found:6', 'found:\u00006')],
  ])('refuses a transcript with %s: one ParseError line', (_, mangle) => {
    const text = mangle(transcript('aws-listUsers.txt'));

    const error = (() => {
      try {
        parseTranscript('listUsers', text, AWS_PROFILE);
      } catch (e) {
        return e;
      }
      return null;
    })();

    expect(error).toBeInstanceOf(ParseError);
    expect((error as ParseError).message).toMatch(/^listUsers: line \d+: /);
    expect(firstRawCharacter((error as ParseError).message)).toBeNull();
  });
});
