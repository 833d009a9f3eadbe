import { describe, expect, it } from '@jest/globals';
import { configDrift } from '#core/drift.ts';
import { InvalidInputError } from '#core/errors.ts';
import type { ClusterNode } from '#core/model.ts';
import {
  buildConfig,
  readOperatorConfig,
  readOperatorConfigServers,
  renderConfig,
} from '#drivers/mgmt-util/config.ts';
import { AWS_PROFILE, AZURE_PROFILE } from '#drivers/mgmt-util/dialect.ts';

const NODES: ClusterNode[] = [
  { nodeId: 'hsm-abc', address: '10.0.2.9', port: 2225, state: 'ACTIVE' },
  { nodeId: 'hsm-def', address: '10.0.3.11', port: 2225, state: 'ACTIVE' },
];

describe('mgmt-util config', () => {
  it('writes the AWS vendor layout, one entry per node in server order', () => {
    const config = buildConfig(NODES, AWS_PROFILE) as { servers: unknown[] };

    expect(config.servers[1]).toEqual({
      name: '10.0.3.11',
      hostname: '10.0.3.11',
      port: 2225,
      enable: 'yes',
      e2e_encryption: { enable: 'yes', owner_cert_path: '/opt/cloudhsm/etc/customerCA.crt' },
      certificate: '/opt/cloudhsm/etc/client.crt',
      pkey: '/opt/cloudhsm/etc/client.key',
      CAfile: '',
      CApath: '/opt/cloudhsm/etc/certs',
      server_ssl: 'yes',
      ssl_ciphers: '',
    });
  });

  it('writes the Azure layout, with a port only for a node not on 2225 (emulator extension)', () => {
    const nodes = [
      NODES[0] as ClusterNode,
      { ...(NODES[1] as ClusterNode), address: '127.0.0.2', port: 40123 },
    ];

    expect(JSON.parse(renderConfig(nodes, AZURE_PROFILE))).toEqual({
      servers: [{ hostname: '10.0.2.9' }, { hostname: '127.0.0.2', port: 40123 }],
    });
  });

  it('reads an operator config back, skipping disabled AWS servers', () => {
    const text = renderConfig(NODES, AWS_PROFILE);
    const aws = JSON.parse(renderConfig(NODES, AWS_PROFILE)) as { servers: { enable: string }[] };
    (aws.servers[0] as { enable: string }).enable = 'no';

    expect(readOperatorConfig(text, AWS_PROFILE)).toEqual(['10.0.2.9', '10.0.3.11']);
    expect(readOperatorConfig(JSON.stringify(aws), AWS_PROFILE)).toEqual(['10.0.3.11']);
    expect(
      readOperatorConfigServers(
        '{"servers":[{"hostname":"hsm1.c.privatelink.cloudhsm.azure.net"}]}',
        AZURE_PROFILE,
      ),
    ).toEqual([{ address: 'hsm1.c.privatelink.cloudhsm.azure.net', port: 2225, enabled: true }]);
  });

  it('rejects a malformed operator config', () => {
    expect(() => readOperatorConfig('{', AWS_PROFILE)).toThrow(InvalidInputError);
    expect(() => readOperatorConfig('{"servers":[{"name":"x"}]}', AZURE_PROFILE)).toThrow(
      /servers\[0\] has no "hostname"/,
    );
  });

  it('computes drift: the AWS seed case of a node missing from a stale config', () => {
    const third: ClusterNode = { nodeId: 'hsm-ghi', address: '10.0.1.12', port: 2225, state: 'ACTIVE' };

    expect(configDrift([...NODES, third], ['10.0.2.9', '10.0.3.11', '10.0.9.9'])).toEqual({
      missingFromConfig: ['hsm-ghi'],
      unknownInConfig: ['10.0.9.9'],
    });
  });
});
