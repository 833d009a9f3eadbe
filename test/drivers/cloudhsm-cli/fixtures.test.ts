/**
 * Every documented cloudhsm-cli output (test/fixtures/transcripts/cloudhsm-cli/README.md)
 * through the parsers, into the exact `parse` contract.
 */
import { describe, expect, it } from '@jest/globals';
import { readEnvelope } from '#drivers/cloudhsm-cli/parse/envelope.ts';
import { parseHsmInfo } from '#drivers/cloudhsm-cli/parse/parse-hsm-info.ts';
import { parseKeyList } from '#drivers/cloudhsm-cli/parse/parse-key-list.ts';
import { parseLogin } from '#drivers/cloudhsm-cli/parse/parse-login.ts';
import { parseUserCreate } from '#drivers/cloudhsm-cli/parse/parse-user-create.ts';
import { parseUserList } from '#drivers/cloudhsm-cli/parse/parse-user-list.ts';
import { DOCUMENTED_USER_LIST_CONTRACT } from '../../support/cloudhsm-cli/documented-contracts.ts';
import { commandErrorOf } from '../../support/cloudhsm-cli/replies.ts';
import { parseErrorOf } from '../../support/core/errors.ts';
import { transcript } from '../../support/fixtures.ts';

/** JSON as the CLI prints it (what `hsm-sentinel parse` would write). */
const asJson = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;

const cu1Aes = (keyReference: string, label: string, checkValue: string) => ({
  keyReference,
  label,
  checkValue,
  clusterCoverage: 'full',
  owners: [{ username: 'cu1', coverage: 'full' }],
  sharedUsers: [],
  class: 'secret-key',
  keyType: 'aes',
});

/** The documented elision of a page (`},.` and `...8 keys later...`) removed. */
function withoutElision(text: string): string {
  return text
    .replace(/\},\.\n\s*\.\.\.8 keys later\.\.\.\n/, '}\n')
    .replace(/\n\s*\.\.\.8 keys later\.\.\.\n/, '\n');
}

describe('documented cloudhsm-cli outputs', () => {
  it('login (admin1) and the MFA token-sign login read as {command, username, role}', () => {
    expect(asJson(parseLogin(transcript('cloudhsm-cli/login.txt')))).toEqual({
      command: 'login',
      username: 'admin1',
      role: 'admin',
    });
    expect(asJson(parseLogin(transcript('cloudhsm-cli/login-mfa-token-sign.txt')))).toEqual({
      command: 'login',
      username: 'test_user',
      role: 'admin',
    });
  });

  it('user create (alice, crypto-user) reads as {command, username, role}', () => {
    expect(asJson(parseUserCreate(transcript('cloudhsm-cli/user-create.txt')))).toEqual({
      command: 'user create',
      username: 'alice',
      role: 'crypto-user',
    });
  });

  it('user list reads into the exact contract, locked and cluster-coverage kept as strings', () => {
    expect(asJson(parseUserList(transcript('cloudhsm-cli/user-list.txt')))).toEqual(
      DOCUMENTED_USER_LIST_CONTRACT,
    );
  });

  it('the newer user list keeps quorum and the inconsistent coverage', () => {
    const users = parseUserList(transcript('cloudhsm-cli/user-list-quorum.txt')).users;
    expect(users.map((u) => [u.username, u.clusterCoverage, u.quorum])).toEqual([
      ['admin', 'full', []],
      ['example-inconsistent-user', 'inconsistent', []],
      ['app_user', 'full', []],
    ]);
  });

  it('the four inconsistent-value examples: three read, the unquoted `locked: inconsistent` typo is not JSON', () => {
    const rows = transcript('cloudhsm-cli/inconsistent-value-rows.txt').trim().split('\n');
    const read = (row: string) => parseUserList(`{"error_code": 0, "data": {"users": [${row}]}}`).users[0];

    expect(read(rows[0] as string)).toMatchObject({ role: 'inconsistent', clusterCoverage: 'full' });
    expect(read(rows[1] as string)).toMatchObject({ role: 'crypto-user', clusterCoverage: 'inconsistent' });
    expect(parseErrorOf(() => read(rows[2] as string)).message).toBe('user list: line 0: not valid JSON');
    expect(read(rows[3] as string)?.mfa).toEqual([{ strategy: 'token-sign', status: 'inconsistent' }]);
    expect(read(rows[2]?.replace(': inconsistent,', ': "inconsistent",') as string)?.locked).toBe(
      'inconsistent',
    );
  });

  it('the paginated verbose key list reads into the exact contract', () => {
    expect(
      asJson(
        parseKeyList(transcript('cloudhsm-cli/key-list-verbose-max-items-2.txt'), { expect: 'verbose' }),
      ),
    ).toEqual({
      command: 'key list',
      keys: [
        cu1Aes('0x0000000000000030', '98a6688d1d964ed7b45b9cec5c4b1909', '0xb28a46'),
        cu1Aes('0x0000000000000042', '4ad6cdcbc02044e09fa954143efde233', '0xc98104'),
      ],
      totalKeyCount: 1580,
      returnedKeyCount: 2,
      nextToken: '2',
    });
  });

  it('the default key list, elided in the doc, is a ParseError; 2 keys under returned_key_count 10 too', () => {
    const doc = transcript('cloudhsm-cli/key-list.txt');
    expect(parseErrorOf(() => parseKeyList(doc)).command).toBe('key list');

    const completed = withoutElision(doc);
    expect(parseErrorOf(() => parseKeyList(completed)).message).toBe(
      'key list: line 0: data.returned_key_count is 10 but the page holds 2 keys (cut short?)',
    );
    const twoKeys = completed.replace('"returned_key_count": 10', '"returned_key_count": 2');
    expect(asJson(parseKeyList(twoKeys, { expect: 'plain' }))).toEqual({
      command: 'key list',
      keys: [
        {
          keyReference: '0x00000000000003d5',
          label: 'test_label_1',
          checkValue: null,
          clusterCoverage: null,
          owners: [],
          sharedUsers: [],
          class: null,
          keyType: null,
        },
        {
          keyReference: '0x0000000000000626',
          label: 'test_label_2',
          checkValue: null,
          clusterCoverage: null,
          owners: [],
          sharedUsers: [],
          class: null,
          keyType: null,
        },
      ],
      totalKeyCount: 56,
      returnedKeyCount: 2,
      nextToken: '10',
    });
  });

  it('the verbose key list, elided in the doc, is a ParseError; completed, it keeps the EC pair', () => {
    const doc = transcript('cloudhsm-cli/key-list-verbose.txt');
    expect(parseErrorOf(() => parseKeyList(doc)).line).toBeGreaterThan(1);

    const completed = withoutElision(doc).replace('"returned_key_count": 10', '"returned_key_count": 2');
    const reply = parseKeyList(completed, { expect: 'verbose' });
    expect(
      asJson(reply.keys.map((k) => [k.keyReference, k.label, k.class, k.keyType, k.checkValue])),
    ).toEqual([
      ['0x000000000012000c', 'ec-test-private-key', 'private-key', 'ec', '0x2a737d'],
      ['0x000000000012000d', 'ec-test-public-key', 'public-key', 'ec', '0x2a737d'],
    ]);
    expect(reply.nextToken).toBeNull();
    expect(reply.totalKeyCount).toBe(1580);
  });

  it('cluster hsm-info: the doc example lacks commas (ParseError); with them, three HSMs', () => {
    const doc = transcript('cloudhsm-cli/cluster-hsm-info.txt');
    const error = parseErrorOf(() => parseHsmInfo(doc));
    expect(error.message).toBe('cluster hsm-info: line 16: not valid JSON at column 9');

    const fixed = doc.replace(/("firmware-id": "[^"]*")\n/g, '$1,\n');
    const reply = parseHsmInfo(fixed);
    expect(reply.hsms.map((h) => h.serialNumber)).toEqual([
      '5.3G1941-ICM000590',
      '5.3G1941-ICM000625',
      '5.3G1941-ICM000663',
    ]);
    expect(asJson(reply.hsms[0])).toEqual({
      vendor: 'Marvell Semiconductors, Inc.',
      model: 'NITROX-III CNN35XX-NFBE',
      serialNumber: '5.3G1941-ICM000590',
      hardwareVersionMajor: '5',
      hardwareVersionMinor: '3',
      firmwareVersionMajor: '2',
      firmwareVersionMinor: '6',
      firmwareBuildNumber: '16',
      firmwareId: 'CNN35XX-NFBE-FW-2.06-16',
      fipsState: '2 [FIPS mode with single factor authentication]',
    });
  });

  it('the documented error envelopes become errors naming the command and carrying the message', () => {
    const inconsistent = commandErrorOf(() =>
      readEnvelope('user replicate', transcript('cloudhsm-cli/user-replicate-inconsistent.txt')),
    );
    expect(inconsistent.message).toBe(
      'cloudhsm-cli user replicate failed (error_code 1): Specified user is inconsistent across the cluster',
    );
    const connections = commandErrorOf(() =>
      readEnvelope('user replicate', transcript('cloudhsm-cli/user-replicate-failed-connections.txt')),
    );
    expect([connections.command, connections.errorCode, connections.toolMessage]).toEqual([
      'user replicate',
      1,
      'User replicate failed on 1 of 3 connections',
    ]);
    const anchor = commandErrorOf(() =>
      readEnvelope(
        'cluster mtls register-trust-anchor',
        transcript('cloudhsm-cli/trust-anchor-already-installed.txt'),
      ),
    );
    expect(anchor.toolMessage).toBe(
      'Certificate error received from Hsm. Trust anchor is already installed in Hsm.',
    );
  });

  it('the other documented replies pass the shared envelope reader (multi-line echoes included)', () => {
    expect(readEnvelope('user change-password', transcript('cloudhsm-cli/user-change-password.txt'))).toEqual(
      {
        username: 'alice',
        role: 'crypto-user',
      },
    );
    expect(readEnvelope('user replicate', transcript('cloudhsm-cli/user-replicate.txt'))).toMatchObject({
      message: 'Successfully replicated user',
    });
    expect(readEnvelope('key replicate', transcript('cloudhsm-cli/key-replicate.txt'))).toMatchObject({
      message: 'Successfully replicated key',
    });
    expect(
      readEnvelope(
        'cluster mtls list-trust-anchors',
        transcript('cloudhsm-cli/cluster-mtls-list-trust-anchors.txt'),
      ),
    ).toEqual({
      trust_anchors: [
        {
          'certificate-reference': '0x01',
          certificate: '<PEM Encoded Certificate>',
          'cluster-coverage': 'full',
        },
      ],
    });
  });
});
