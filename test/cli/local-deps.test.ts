/**
 * The deps of a local run, built again for every run of a long-lived process (the soak, the
 * fault suite): the work folder's removal is registered once per process, not once per run,
 * so no run's deps stay reachable from the shutdown list.
 */
import { describe, expect, it } from '@jest/globals';
import { localDeps } from '#cli/local-deps.ts';
import { shutdownTaskCount } from '#cli/shutdown.ts';
import { credentialsSource } from '#providers/credentials.ts';
import { NoBackupProvider } from '#providers/static/no-backup.ts';
import { StaticClusterProvider } from '#providers/static/static-provider.ts';

async function build(reportDir: string) {
  return localDeps({
    provider: new StaticClusterProvider({
      clusterId: 'c',
      provider: 'file',
      tool: 'mgmt-util-aws',
      nodes: () => [],
      operatorConfigAddresses: async () => null,
    }),
    tool: 'mgmt-util-aws',
    toolSettings: {},
    credentials: credentialsSource({ from: 'env', passwordVariable: 'P' }, {}),
    backup: new NoBackupProvider(),
    reportDir,
  });
}

describe('localDeps', () => {
  it('registers its work folder removal once per process, however many runs build deps', async () => {
    await build('/tmp/hsm-sentinel-local-deps-test');
    const after1 = shutdownTaskCount();
    for (let i = 0; i < 20; i++) await build('/tmp/hsm-sentinel-local-deps-test');

    expect(after1).toBeGreaterThan(0);
    expect(shutdownTaskCount()).toBe(after1);
  });
});
