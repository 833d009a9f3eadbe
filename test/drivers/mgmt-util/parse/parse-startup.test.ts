import { describe, expect, it } from '@jest/globals';
import { AWS_PROFILE, AZURE_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import { connectionsOf, parseStartup } from '#drivers/mgmt-util/parse/parse-startup.ts';
import { parseErrorOf } from '../../../support/core/errors.ts';
import { transcript } from '../../../support/fixtures.ts';

const DOC = transcript('aws-startup-login.txt').split('aws-cloudhsm>')[0] as string;
const AWS_SERVERS = ['10.0.2.9', '10.0.3.11', '10.0.1.12'].map((a) => ({
  label: a,
  hostname: a,
  port: 2225,
}));

describe('parseStartup', () => {
  it('reads the documented AWS start-up: every server connected', () => {
    const report = parseStartup(DOC, AWS_PROFILE);

    expect(report.connected.map((c) => c.name)).toEqual(['10.0.2.9', '10.0.3.11', '10.0.1.12']);
    expect(report.limitedCommandsMode).toBe(false);
    expect(connectionsOf(report, AWS_SERVERS)).toEqual([
      { connected: true },
      { connected: true },
      { connected: true },
    ]);
  });

  it('treats an AWS server without a Connected line as unreachable', () => {
    const text = DOC.replace("Connected to server '10.0.3.11': hostname '10.0.3.11', port 2225.\n", '');

    expect(connectionsOf(parseStartup(text, AWS_PROFILE), AWS_SERVERS)).toEqual([
      { connected: true },
      { connected: false, detail: "no 'Connected to server' line at start-up" },
      { connected: true },
    ]);
  });

  it('reads the Azure banner, server names and not-connected lines, and limited commands mode', () => {
    const text = [
      'Liquidsec MGMT Util Version : 3.4.0',
      '',
      'Connecting to the server(s), it may take time',
      'depending on the server(s) load, please wait...',
      "Connecting to server 'server 0': hostname 'hsm1.c.privatelink.cloudhsm.azure.net', port 2225...",
      "Connected to server 'server 0': hostname 'hsm1.c.privatelink.cloudhsm.azure.net', port 2225.",
      "Connecting to server 'server 1': hostname 'hsm2.c.privatelink.cloudhsm.azure.net', port 2225...",
      'Server 1(10.0.2.6) is not connected',
      'running in limited commands mode',
      '',
    ].join('\n');
    const expected = [0, 1].map((i) => ({
      label: `server ${i}`,
      hostname: `hsm${i + 1}.c.privatelink.cloudhsm.azure.net`,
      port: 2225,
    }));

    const report = parseStartup(text, AZURE_PROFILE);

    expect(report.limitedCommandsMode).toBe(true);
    expect(connectionsOf(report, expected)).toEqual([
      { connected: true },
      { connected: false, detail: 'server 1(10.0.2.6) is not connected' },
    ]);
  });

  it('maps Connected lines by hostname and port when several nodes share a loopback address', () => {
    const text =
      "Connected to server 'a': hostname '127.0.0.1', port 4001.\nConnected to server 'b': hostname '127.0.0.1', port 4002.\n";
    const expected = [4002, 4001, 4003].map((port) => ({ label: `x${port}`, hostname: '127.0.0.1', port }));

    expect(connectionsOf(parseStartup(text, AWS_PROFILE), expected).map((c) => c.connected)).toEqual([
      true,
      true,
      false,
    ]);
  });

  it('throws on an unknown start-up line', () => {
    const error = parseErrorOf(() => parseStartup(`${DOC}Segmentation fault\n`, AWS_PROFILE));

    expect([error.command, error.line]).toEqual(['startup', 12]);
  });
});
