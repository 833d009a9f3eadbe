/**
 * The Azure seed scenario end to end against the emulated 3-node cluster in the Azure
 * dialect, over real sockets: the Functions app's own wiring (production MgmtUtilDriver
 * spawning an `azcloudhsm_mgmt_util` (the emulated one, behind a wrapper script at
 * MGMT_UTIL_PATH), ARM provider and backups against a fake ARM, artifacts in a fake Blob
 * container), entered through the HTTP trigger and the orchestrator (under durable-functions' replay
 * executor).
 */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { HttpRequest } from '@azure/functions';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import type { RunReport } from '#core/report.ts';
import { Secret } from '#core/secret.ts';
import { MGMT_UTIL_AZURE_MODULE } from '#drivers/mgmt-util/index.ts';
import { type EmulatedCluster, startEmulatedCluster } from '#emulator/cluster.ts';
import type { ClusterSeed } from '#emulator/cluster-seed.ts';
import { MGMT_UTIL_ENTRY } from '#emulator/mgmt-util/main.ts';
import { AZURE_SINGLE_NODE_KEY, seedScenarios } from '#emulator/seed-scenarios.ts';
import { ArmClient } from '#providers/azure/arm-client.ts';
import { AzureCloudHsmProvider } from '#providers/azure/cloud-hsm-provider.ts';
import { BlobArtifactStore } from '#store/blob-artifact-store.ts';
import { createAzureApp } from '../../../functions/azure/app.ts';
import type { OrchestrationInput } from '../../../functions/azure/contracts.ts';
import {
  BACKUP_CONTAINER,
  backupAccepted,
  CLUSTER_ID,
  clusterBody,
  FakeAzure,
  fakeCredential,
  fakeTime,
  HSM_FQDNS,
  JOB_ID,
  operationBody,
  REPORT_CONTAINER,
} from '../../support/azure/fake-azure.ts';
import {
  FakeDurableClient,
  invocation,
  type LogLine,
  realActivities,
  TEST_ENV,
} from '../../support/azure/functions.ts';
import { replayOrchestrator } from '../../support/azure/replay.ts';
import { RecordingSink } from '../../support/workflow/fake-deps.ts';

const PASSWORD = 'Emu-Azure-Fn-Pass-8812!';

/** The Azure seed (key 262150 on node 0 only) plus CU newest_user missing on node 2. */
function azureSeed(): ClusterSeed {
  const base = seedScenarios({ adminPassword: new Secret(PASSWORD) }).azure;
  const newest = { userId: 3, userType: 'CU' as const, username: 'newest_user' };
  return {
    ...base,
    name: 'azure-functions',
    description: `${base.description}; CU newest_user is missing on node 2`,
    nodes: base.nodes.map((node, i) => (i < 2 ? { ...node, users: [...node.users, newest] } : node)),
  };
}

describe('Azure Functions app against the emulated cluster (azure dialect)', () => {
  let dir: string;
  let cluster: EmulatedCluster;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'hsm-sentinel-azfn-'));
    cluster = await startEmulatedCluster({ stateDir: join(dir, 'state'), seed: azureSeed() });
  });

  afterAll(async () => {
    await cluster?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('repairs the Azure seed from server 0, verifies it, backs up and alerts', async () => {
    // Arrange: azcloudhsm_mgmt_util is the emulated one; FQDNs map to the emulated nodes
    const util = join(dir, 'azcloudhsm_mgmt_util');
    await writeFile(
      util,
      `#!/bin/sh\nexec '${process.execPath}' '${MGMT_UTIL_ENTRY}' --dialect azure "$@"\n`,
      'utf8',
    );
    await chmod(util, 0o700);
    const azure = new FakeAzure()
      .on('GET', CLUSTER_ID, { status: 200, body: clusterBody() })
      .on('POST', `${CLUSTER_ID}/backup`, backupAccepted)
      .on('GET', `${CLUSTER_ID}/backupOperationStatus/${JOB_ID}`, {
        status: 200,
        body: operationBody('Succeeded', { backupId: 'emu-backup-1' }),
      });
    const time = fakeTime();
    const endpointOf = (fqdn: string) => {
      const node = cluster.nodes[HSM_FQDNS.indexOf(fqdn)];
      if (!node) throw new Error(`no emulated node for ${fqdn}`);
      return { address: node.address, port: node.port };
    };
    const arm = new ArmClient({
      fetch: azure.fetch,
      credential: fakeCredential,
      sleep: time.sleep,
      now: time.clock,
    });
    const sink = new RecordingSink();
    const durable = new FakeDurableClient();
    const app = createAzureApp({
      env: {
        ...TEST_ENV,
        HSM_CO_PASSWORD: PASSWORD,
        MGMT_UTIL_PATH: util,
        TOOL_WORKDIR: join(dir, 'work'),
      },
      clientFor: () => durable,
      deps: {
        fetch: azure.fetch,
        credential: fakeCredential,
        sleep: time.sleep,
        deps: {
          provider: new AzureCloudHsmProvider({ arm, tool: MGMT_UTIL_AZURE_MODULE, endpointOf }),
          alerts: sink,
        },
      },
    });

    // Act
    const response = await app.httpStart(
      new HttpRequest({
        method: 'POST',
        url: 'https://fn-sentinel.azurewebsites.net/api/runs',
        body: { string: JSON.stringify({ clusterId: CLUSTER_ID }) },
      }),
      invocation('hsmSentinelHttpStart'),
    );
    const input = durable.starts[0]?.input as OrchestrationInput;
    const logs: LogLine[] = [];
    const run = await replayOrchestrator(app.orchestrator, input, realActivities(app.activities, logs));

    // Assert
    expect(response.status).toBe(202);
    expect(run.error).toBeNull();
    expect(run.output).toMatchObject({ outcome: 'repaired', alertSent: true });
    for (const index of [0, 1, 2]) {
      const node = cluster.readState(index);
      expect(node.keys.map((k) => k.handle)).toContain(AZURE_SINGLE_NODE_KEY);
      expect(node.users.map((u) => u.username)).toContain('newest_user');
    }
    const store = new BlobArtifactStore({
      containerUrl: REPORT_CONTAINER,
      fetch: azure.fetch,
      credential: fakeCredential,
    });
    const report = await store.getJson<RunReport>(`runs/${input.context.runId}/report.json`);
    expect(report.results.map((r) => `${r.action.description}: ${r.outcome}`)).toEqual([
      `server 0 > syncUser 3 2 (${HSM_FQDNS[0]} -> ${HSM_FQDNS[2]}): synced`,
      `server 0 > syncKey ${AZURE_SINGLE_NODE_KEY} 1 (${HSM_FQDNS[0]} -> ${HSM_FQDNS[1]}): synced`,
      `server 0 > syncKey ${AZURE_SINGLE_NODE_KEY} 2 (${HSM_FQDNS[0]} -> ${HSM_FQDNS[2]}): synced`,
    ]);
    expect(report.verification?.ok).toBe(true);
    expect(report.backup).toMatchObject({ state: 'covered', backupId: 'emu-backup-1' });
    expect(JSON.parse(azure.arm('POST')[0]?.body ?? '{}')).toEqual({
      azureStorageBlobContainerUri: BACKUP_CONTAINER,
    });
    expect(sink.alerts.map((a) => a.items.map((i) => `${i.category}:${i.objectId}`))).toEqual([
      ['repaired:user:newest_user', `repaired:key:${AZURE_SINGLE_NODE_KEY}`],
    ]);
    expect([...azure.blobs.values()].map((b) => b.body).join('\n')).not.toContain(PASSWORD);
    expect(logs.map((l) => l.text).join('\n')).not.toContain(PASSWORD);
    expect(logs.filter((l) => l.level === 'error')).toEqual([]);
  });
});
