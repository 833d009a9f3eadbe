import { describe, expect, it } from '@jest/globals';
import { CLOUDHSM_CLI_CONTRACT_PARSERS } from '#drivers/cloudhsm-cli/contract.ts';
import { type ClusterHsm, parseHsmInfo } from '#drivers/cloudhsm-cli/parse/parse-hsm-info.ts';
import { parseLogin } from '#drivers/cloudhsm-cli/parse/parse-login.ts';
import { parseUserCreate } from '#drivers/cloudhsm-cli/parse/parse-user-create.ts';
import { commandErrorOf, envelope, renderHsmInfo } from '../../support/cloudhsm-cli/replies.ts';
import { parseErrorOf } from '../../support/core/errors.ts';

const hsm = (serialNumber: string): ClusterHsm => ({
  vendor: 'Marvell Semiconductors, Inc.',
  model: 'NITROX-III CNN35XX-NFBE',
  serialNumber,
  hardwareVersionMajor: '5',
  hardwareVersionMinor: '3',
  firmwareVersionMajor: '2',
  firmwareVersionMinor: '6',
  firmwareBuildNumber: '16',
  firmwareId: 'CNN35XX-NFBE-FW-2.06-16',
  fipsState: '0 [non-FIPS mode with single factor authentication]',
});

describe('parseHsmInfo', () => {
  it('reads every documented field of every HSM', () => {
    const hsms = [hsm('A1'), hsm('A2')];
    expect(parseHsmInfo(renderHsmInfo(hsms))).toEqual({ command: 'cluster hsm-info', hsms });
  });

  it('refuses a missing field, a non-string, the same serial twice and more HSMs than the quota', () => {
    const missing = envelope({ hsms: [{ vendor: 'x' }] });
    expect(parseErrorOf(() => parseHsmInfo(missing)).message).toBe(
      'cluster hsm-info: line 0: data.hsms[0].model: missing',
    );
    const numeric = renderHsmInfo([hsm('A1')]).replace('"5"', '5');
    expect(parseErrorOf(() => parseHsmInfo(numeric)).message).toBe(
      'cluster hsm-info: line 0: data.hsms[0].hardware-version-major: expected a string, got number 5',
    );
    expect(parseErrorOf(() => parseHsmInfo(renderHsmInfo([hsm('A1'), hsm('A1')]))).message).toBe(
      'cluster hsm-info: line 0: data.hsms[1].serial-number: "A1" is listed twice',
    );
    const many = Array.from({ length: 29 }, (_, i) => hsm(`S${i}`));
    expect(parseErrorOf(() => parseHsmInfo(renderHsmInfo(many))).message).toBe(
      'cluster hsm-info: line 0: data.hsms: 29 entries, more than the 28 allowed',
    );
  });
});

describe('parseLogin and parseUserCreate', () => {
  it('read the documented {username, role} data', () => {
    const data = envelope({ username: 'crypto-user-1', role: 'crypto-user' });
    expect(parseLogin(data)).toEqual({ command: 'login', username: 'crypto-user-1', role: 'crypto-user' });
    expect(parseUserCreate(data)).toEqual({
      command: 'user create',
      username: 'crypto-user-1',
      role: 'crypto-user',
    });
  });

  it('refuse a role that is not admin or crypto-user, and an echo of another command', () => {
    expect(parseErrorOf(() => parseLogin(envelope({ username: 'a', role: 'CO' }))).message).toBe(
      'login: line 0: data.role: expected "admin" or "crypto-user", got the string "CO"',
    );
    const echoed = `aws-cloudhsm > user create --username a --role admin\n${envelope({ username: 'a', role: 'admin' })}`;
    expect(parseErrorOf(() => parseLogin(echoed)).line).toBe(1);
    expect(parseUserCreate(echoed).username).toBe('a');
  });

  it('turn a failed login or create into an error naming the command', () => {
    const failed = '{"error_code": 1, "data": "User create failed on 1 of 3 connections"}';
    expect(commandErrorOf(() => parseUserCreate(failed)).message).toBe(
      'cloudhsm-cli user create failed (error_code 1): User create failed on 1 of 3 connections',
    );
    expect(commandErrorOf(() => parseLogin('{"error_code": 1, "data": "denied"}')).command).toBe('login');
  });
});

describe('CLOUDHSM_CLI_CONTRACT_PARSERS (what `parse --tool cloudhsm-cli` calls)', () => {
  it('has one parser per parsed command, each naming its command in its error', () => {
    const commands = Object.keys(CLOUDHSM_CLI_CONTRACT_PARSERS);
    expect(commands).toEqual(['user-list', 'key-list', 'cluster-hsm-info', 'login', 'user-create']);
    for (const command of commands) {
      const parse = CLOUDHSM_CLI_CONTRACT_PARSERS[command];
      expect(parseErrorOf(() => parse?.('')).command).toBe(command.replace('-', ' '));
    }
  });
});
