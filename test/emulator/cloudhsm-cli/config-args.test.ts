import { describe, expect, it } from '@jest/globals';
import { ConfigurationError } from '#core/errors.ts';
import type { ClusterNode } from '#core/model.ts';
import { parseCloudHsmCliConfig, renderCloudHsmCliConfig } from '#drivers/cloudhsm-cli/config.ts';
import { CliUsageError, parseCliArgs } from '#emulator/cloudhsm-cli/args.ts';

const nodes: ClusterNode[] = [
  { nodeId: 'hsm-a', address: '10.0.1.12', port: 2223, state: 'ACTIVE' },
  { nodeId: 'hsm-b', address: '10.0.2.9', port: 40123, state: 'ACTIVE' },
];

describe('cloudhsm-cli.cfg', () => {
  it('renders the vendor layout and reads it back (enabled servers only, options kept)', () => {
    const text = renderCloudHsmCliConfig(nodes, { disabled: [0], disableKeyAvailabilityCheck: true });
    expect(JSON.parse(text)).toEqual({
      clusters: [
        {
          type: 'hsm2m',
          cluster: {
            hsm_ca_file: '/opt/cloudhsm/etc/customerCA.crt',
            servers: [
              { hostname: '10.0.1.12', port: 2223, enable: false },
              { hostname: '10.0.2.9', port: 40123, enable: true },
            ],
            options: { disable_key_availability_check: true },
          },
        },
      ],
      logging: {
        log_type: 'file',
        log_file: '/opt/cloudhsm/run/cloudhsm-cli.log',
        log_level: 'info',
        log_interval: 'daily',
      },
    });
    expect(parseCloudHsmCliConfig(text).clusters).toEqual([
      {
        type: 'hsm2m',
        clusterId: null,
        hsmCaFile: '/opt/cloudhsm/etc/customerCA.crt',
        servers: [{ index: 1, hostname: '10.0.2.9', port: 40123 }],
        disableKeyAvailabilityCheck: true,
      },
    ]);
  });

  it('reads the third-party example (port 2223, type hsm1) and refuses malformed files', () => {
    const example = `{"clusters":[{"type":"hsm1","cluster":{"hsm_ca_file":"/opt/cloudhsm/etc/customerCA.crt","servers":[{"hostname":"10.0.0.5","port":2223,"enable":true}]}}],"logging":{"log_type":"file"}}`;
    expect(parseCloudHsmCliConfig(example).clusters[0]?.servers).toEqual([
      { index: 0, hostname: '10.0.0.5', port: 2223 },
    ]);
    expect(
      parseCloudHsmCliConfig('{"clusters":[{"cluster":{"servers":[{"hostname":"h"}]}}]}').clusters[0],
    ).toMatchObject({
      type: 'hsm2m',
      servers: [{ hostname: 'h', port: 2223 }],
    });
    for (const bad of [
      'nope',
      '{"clusters":[{}]}',
      '{"clusters":[{"cluster":{"servers":[{}]}}]}',
      '{"clusters":[{"cluster":{"servers":[{"hostname":"h","port":70000}]}}]}',
      '{"clusters":[{"cluster":{"servers":[{"hostname":"h","enable":"yes"}]}}]}',
    ]) {
      expect(() => parseCloudHsmCliConfig(bad, 'x.cfg')).toThrow(ConfigurationError);
    }
  });
});

describe('parseCliArgs', () => {
  it('takes global options anywhere, words, then options; --filter takes a list', () => {
    const args = parseCliArgs([
      'key',
      'list',
      '--config',
      '/tmp/c.cfg',
      '--filter',
      'attr.label=a',
      'attr.class=secret-key',
      '-v',
      '--max-items=5',
      '--cluster-id=cluster-1',
    ]);
    expect(args).toMatchObject({
      configPath: '/tmp/c.cfg',
      clusterId: 'cluster-1',
      words: ['key', 'list'],
      command: 'key list',
    });
    expect([...args.options]).toEqual([
      ['filter', ['attr.label=a', 'attr.class=secret-key']],
      ['verbose', true],
      ['max-items', '5'],
    ]);
  });

  it('keeps unknown command words for the "not implemented" reply and refuses bad options', () => {
    expect(parseCliArgs(['user', 'delete', '--username', 'x'])).toMatchObject({
      command: null,
      words: ['user', 'delete'],
    });
    expect(() => parseCliArgs(['--config'])).toThrow(CliUsageError);
    expect(() => parseCliArgs(['user', 'list', 'extra', '--x'])).not.toThrow();
    expect(() => parseCliArgs(['user', 'list', '--cluster-id', 'c', 'x'])).not.toThrow();
    expect(() => parseCliArgs(['login', '--username', 'a', 'stray'])).toThrow(
      "'login' takes no further words",
    );
  });
});
