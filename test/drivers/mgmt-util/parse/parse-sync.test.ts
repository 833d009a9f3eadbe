import { describe, expect, it } from '@jest/globals';
import { AWS_PROFILE, AZURE_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import { parseServerModeReply, parseSyncReply } from '#drivers/mgmt-util/parse/parse-sync.ts';
import { parseErrorOf } from '../../../support/core/errors.ts';
import { transcript } from '../../../support/fixtures.ts';

const DOC = transcript('aws-sync.txt');

describe('parseSyncReply', () => {
  it('reads the documented syncUser and syncKey replies as synced', () => {
    const user = DOC.split('\n').slice(2, 5).join('\n').concat('\n');
    const key = 'syncKey success\n';

    expect(parseSyncReply('syncUser', user, AWS_PROFILE)).toEqual({
      outcome: 'synced',
      detail: 'ExtractMaskedObject: 0x0 ! | InsertMaskedObject: 0x0 ! | syncUser success',
    });
    expect(parseSyncReply('syncKey', key, AWS_PROFILE).outcome).toBe('synced');
  });

  it("reads Azure's documented reply for a user already on the destination as already-present", () => {
    const alone = 'ExtractMaskedObject: 0x0 !\nuser already created, unable to insert object\n';
    const asFailure = 'syncUser failed: user already created, unable to insert object\n';
    const key = 'syncKey failed: RET_OBJECT_ALREADY_EXISTS\n';

    expect(parseSyncReply('syncUser', alone, AZURE_PROFILE).outcome).toBe('already-present');
    expect(parseSyncReply('syncUser', asFailure, AZURE_PROFILE).outcome).toBe('already-present');
    expect(parseSyncReply('syncKey', key, AWS_PROFILE).outcome).toBe('already-present');
  });

  it('does not count "already present" as done when another part of the reply failed', () => {
    const otherFailure =
      'ExtractMaskedObject: 0x0 !\nuser already created, unable to insert object\nsyncUser failed: RET_SERVER_DISCONNECTED\n';
    const extractFailed = 'ExtractMaskedObject: 0x1d !\nkey already exists, unable to insert object\n';
    const insertRefused =
      'ExtractMaskedObject: 0x0 !\nInsertMaskedObject: 0x1d !\nkey already exists, unable to insert object\n';

    expect(parseSyncReply('syncUser', otherFailure, AZURE_PROFILE).outcome).toBe('failed');
    expect(parseSyncReply('syncKey', extractFailed, AZURE_PROFILE).outcome).toBe('failed');
    expect(parseSyncReply('syncKey', insertRefused, AZURE_PROFILE).outcome).toBe('already-present');
  });

  it('reads failures: a failed line, or a nonzero masked-object code even next to success', () => {
    const failed =
      'ExtractMaskedObject: 0x0 !\nInsertMaskedObject: 0x1d !\nsyncKey failed: RET_INVALID_MASKED_OBJECT\n';
    const nonzero = 'ExtractMaskedObject: 0xa3 !\nsyncUser success\n';

    expect(parseSyncReply('syncKey', failed, AWS_PROFILE)).toEqual({
      outcome: 'failed',
      detail:
        'ExtractMaskedObject: 0x0 ! | InsertMaskedObject: 0x1d ! | syncKey failed: RET_INVALID_MASKED_OBJECT',
    });
    expect(parseSyncReply('syncUser', nonzero, AWS_PROFILE).outcome).toBe('failed');
  });

  it('throws on a reply without an outcome line (cut short) and on unknown lines', () => {
    const cut = 'ExtractMaskedObject: 0x0 !\n';

    expect(parseErrorOf(() => parseSyncReply('syncUser', cut, AWS_PROFILE)).message).toMatch(/cut short/);
    expect(parseErrorOf(() => parseSyncReply('syncUser', 'syncKey success\n', AWS_PROFILE)).line).toBe(1);
  });
});

describe('parseServerModeReply', () => {
  it('accepts the mode line and rejects anything else', () => {
    expect(() => parseServerModeReply("Server is in 'E2' mode...\n", AWS_PROFILE)).not.toThrow();
    expect(
      parseErrorOf(() => parseServerModeReply('Server 1(10.0.0.2) is not connected\n', AWS_PROFILE)).command,
    ).toBe('server');
  });
});
