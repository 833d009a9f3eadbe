import { describe, expect, it } from '@jest/globals';
import { ConfigurationError, InvalidInputError } from '#core/errors.ts';
import {
  parseCloudHsmCliConfig,
  readOperatorConfigAddresses,
  renderCloudHsmCliConfig,
} from '#drivers/cloudhsm-cli/config.ts';
import { CLOUDHSM_CLI_MODULE } from '#drivers/cloudhsm-cli/index.ts';
import { readCloudHsmCliSettings } from '#drivers/cloudhsm-cli/settings.ts';
import { sdk5Cluster } from '../../support/cloudhsm-cli/listing-builders.ts';
import { errorOf } from '../../support/core/errors.ts';

describe('cloudhsm-cli.cfg', () => {
  it('is written from the resolved node list: every HSM enabled on its port, the CA, a writable log, the key availability check off', () => {
    const nodes = sdk5Cluster(3).nodes.map((n, i) => (i === 2 ? { ...n, port: 40123 } : n));

    const text = renderCloudHsmCliConfig(nodes, {
      hsmCaFile: '/opt/cloudhsm/etc/customerCA.crt',
      disableKeyAvailabilityCheck: true,
      logFile: '/tmp/hsm-sentinel/cloudhsm-cli-x/cloudhsm-cli.log',
    });

    expect(JSON.parse(text)).toEqual({
      clusters: [
        {
          type: 'hsm2m',
          cluster: {
            hsm_ca_file: '/opt/cloudhsm/etc/customerCA.crt',
            servers: [
              { hostname: '10.0.1.10', port: 2223, enable: true },
              { hostname: '10.0.1.11', port: 2223, enable: true },
              { hostname: '10.0.1.12', port: 40123, enable: true },
            ],
            options: { disable_key_availability_check: true },
          },
        },
      ],
      logging: {
        log_type: 'file',
        log_file: '/tmp/hsm-sentinel/cloudhsm-cli-x/cloudhsm-cli.log',
        log_level: 'info',
        log_interval: 'daily',
      },
    });
    expect(parseCloudHsmCliConfig(text).clusters[0]?.servers.map((s) => s.port)).toEqual([2223, 2223, 40123]);
  });

  it("reads the enabled servers of an operator's own config for the drift check, and refuses a malformed one by name", () => {
    const nodes = sdk5Cluster(3).nodes;
    const stale = renderCloudHsmCliConfig(nodes, { disabled: [1] });

    expect(readOperatorConfigAddresses(stale)).toEqual(['10.0.1.10', '10.0.1.12']);
    expect(CLOUDHSM_CLI_MODULE.operatorConfigAddresses(stale)).toEqual(['10.0.1.10', '10.0.1.12']);
    expect(() => readOperatorConfigAddresses('{"clusters": []}')).toThrow(InvalidInputError);
    expect(() => readOperatorConfigAddresses('not json')).toThrow(/not valid JSON/);
  });
});

describe('cloudhsm-cli settings', () => {
  it('has defaults: the vendor binary, no crypto user, 1000 keys a page', () => {
    expect(readCloudHsmCliSettings({})).toEqual({
      binary: '/opt/cloudhsm/bin/cloudhsm-cli',
      cryptoUsers: [],
      userSecrets: new Map(),
      maxItems: 1000,
      caFile: '/opt/cloudhsm/etc/customerCA.crt',
      configCopy: null,
    });
  });

  it('reads the crypto users (lowercased) and where their secrets are', () => {
    const settings = readCloudHsmCliSettings({
      CLOUDHSM_CLI_PATH: '/usr/local/bin/cloudhsm-cli',
      CLOUDHSM_CLI_CRYPTO_USERS: ' App_CU , bob',
      CLOUDHSM_CLI_USER_SECRETS: JSON.stringify({
        app_cu: 'arn:aws:secretsmanager:eu-west-1:1:secret:a',
        BOB: 'env:BOB_PW',
      }),
      CLOUDHSM_CLI_MAX_ITEMS: '250',
    });

    expect(settings.binary).toBe('/usr/local/bin/cloudhsm-cli');
    expect(settings.cryptoUsers).toEqual(['app_cu', 'bob']);
    expect([...settings.userSecrets]).toEqual([
      ['app_cu', 'arn:aws:secretsmanager:eu-west-1:1:secret:a'],
      ['bob', 'env:BOB_PW'],
    ]);
    expect(settings.maxItems).toBe(250);
  });

  it.each([
    [{ CLOUDHSM_CLI_CRYPTO_USERS: 'alice' }, /crypto user alice has no secret in CLOUDHSM_CLI_USER_SECRETS/],
    [
      { CLOUDHSM_CLI_USER_SECRETS: '{"alice": "pass word"}' },
      /expected a secret reference .* never a password/,
    ],
    [{ CLOUDHSM_CLI_USER_SECRETS: '{"alice": ' }, /CLOUDHSM_CLI_USER_SECRETS: not valid JSON/],
    [{ CLOUDHSM_CLI_USER_SECRETS: '["alice"]' }, /expected a JSON object/],
    [{ CLOUDHSM_CLI_USER_SECRETS: '{"al ice": "env:X"}' }, /is not a username/],
    [{ CLOUDHSM_CLI_MAX_ITEMS: '0' }, /CLOUDHSM_CLI_MAX_ITEMS: expected a whole number from 1 to 16666/],
    [{ CLOUDHSM_CLI_MAX_ITEMS: '10e3' }, /CLOUDHSM_CLI_MAX_ITEMS/],
    [
      { CLOUDHSM_CLI_CONFIG_COPY: 'relative/cloudhsm-cli.cfg' },
      /CLOUDHSM_CLI_CONFIG_COPY: expected an absolute path/,
    ],
  ])('refuses %j with a message naming the setting', (settings, message) => {
    expect(() => readCloudHsmCliSettings(settings)).toThrow(ConfigurationError);
    expect(() => CLOUDHSM_CLI_MODULE.checkSettings(settings)).toThrow(message);
  });

  it('never repeats a secret-looking value in its error', () => {
    const error = errorOf(ConfigurationError, () =>
      readCloudHsmCliSettings({ CLOUDHSM_CLI_USER_SECRETS: '{"alice": "Sup3r secret"}' }),
    );
    expect(error.message).toMatch(/CLOUDHSM_CLI_USER_SECRETS/);
    expect(error.message).not.toContain('Sup3r');
  });
});
