/**
 * Done-when of the Azure issue: the Azure seed scenario (key 262150 on server 0 only; a user
 * missing on one node) detected, repaired with syncKey / syncUser from server 0, verified,
 * followed by a backup request and alerted, entering through the Functions app: the HTTP
 * trigger starts the orchestration, the orchestrator runs, its activities run the real
 * workflow steps with the app's own wiring (ARM provider and backup through a fake ARM,
 * run artifacts in a fake Blob container), the HSM access through the FakeDriver.
 */

import { HttpRequest } from '@azure/functions';
import { describe, expect, it } from '@jest/globals';
import type { RunReport } from '#core/report.ts';
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
  TOKEN,
} from '../../support/azure/fake-azure.ts';
import {
  driveOrchestrator,
  FakeDurableClient,
  invocation,
  type LogLine,
  realActivities,
  TEST_ENV,
} from '../../support/azure/functions.ts';
import { replayOrchestrator } from '../../support/azure/replay.ts';
import { key, user } from '../../support/core/builders.ts';
import { fakeTool, RecordingSink, TEST_PASSWORD } from '../../support/workflow/fake-deps.ts';
import { FakeDriver } from '../../support/workflow/fake-driver.ts';

const [HSM1, HSM2, HSM3] = HSM_FQDNS as [string, string, string];
const admin = user(1, 'admin', 'PCO');
const example = user(2, 'example_user');
const newest = user(3, 'newest_user');

/** The Azure seed: key 262150 on server 0 only; CU newest_user missing on server 2. */
function azureSeed(): FakeDriver {
  const keys = [key(262146, 2), key(262147, 2)];
  return new FakeDriver({
    [HSM1]: { users: [admin, example, newest], keys: [...keys, key(262150, 2)] },
    [HSM2]: { users: [admin, example, newest], keys },
    [HSM3]: { users: [admin, example], keys },
  });
}

function fakeArm(): FakeAzure {
  return new FakeAzure()
    .on('GET', CLUSTER_ID, { status: 200, body: clusterBody() })
    .on('POST', `${CLUSTER_ID}/backup`, backupAccepted)
    .on(
      'GET',
      `${CLUSTER_ID}/backupOperationStatus/${JOB_ID}`,
      { status: 200, body: operationBody('InProgress') },
      {
        status: 200,
        body: operationBody('Succeeded', { backupId: 'chsm-prod-backup-1', endTime: '2026-11-23T12:00:20Z' }),
      },
    );
}

const runners = [
  ['the step-by-step driver', driveOrchestrator],
  ["durable-functions' replay executor", replayOrchestrator],
] as const;

describe.each(runners)(
  'Azure Functions app: the Azure seed scenario end to end (%s)',
  (_, runOrchestrator) => {
    it('detects, repairs from server 0, verifies, backs up and alerts, entering through the HTTP trigger', async () => {
      // Arrange
      const azure = fakeArm();
      const driver = azureSeed();
      const sink = new RecordingSink();
      const time = fakeTime();
      const durable = new FakeDurableClient();
      const app = createAzureApp({
        env: TEST_ENV,
        clientFor: () => durable,
        clock: time.clock,
        deps: {
          fetch: azure.fetch,
          credential: fakeCredential,
          sleep: time.sleep,
          clock: time.clock,
          deps: { tool: fakeTool(driver), alerts: sink },
        },
      });
      const logs: LogLine[] = [];

      // Act 1: the runbook start
      const response = await app.httpStart(
        new HttpRequest({
          method: 'POST',
          url: 'https://fn-sentinel.azurewebsites.net/api/runs',
          body: { string: JSON.stringify({ clusterId: CLUSTER_ID }) },
          headers: { 'content-type': 'application/json' },
        }),
        invocation('hsmSentinelHttpStart', logs),
      );

      expect(response.status).toBe(202);
      expect(durable.starts).toHaveLength(1);
      const start = durable.starts[0] as { name: string; instanceId: string; input: OrchestrationInput };
      expect(start.name).toBe('hsmSentinelRun');
      expect(start.input.context).toMatchObject({
        clusterId: CLUSTER_ID,
        provider: 'azure',
      });

      // Act 2: the orchestration the runtime would run, activities executing the real steps
      const run = await runOrchestrator(app.orchestrator, start.input, realActivities(app.activities, logs));

      // Assert: the run went through every state, once
      expect(run.error).toBeNull();
      expect(run.trace).toEqual([
        'hsmSentinelResolve',
        'hsmSentinelCollectNode',
        'hsmSentinelCollectNode',
        'hsmSentinelCollectNode',
        'hsmSentinelAudit',
        'hsmSentinelSync',
        'hsmSentinelVerify',
        'hsmSentinelProtect',
        'hsmSentinelAlert',
      ]);
      expect(run.output).toMatchObject({ clusterId: CLUSTER_ID, outcome: 'repaired', alertSent: true });

      // repaired with syncKey / syncUser from server 0, as the runbook does
      expect(driver.syncCalls).toHaveLength(1);
      expect(driver.syncCalls[0]?.map((a) => a.description.replace(/ \(.*\)$/, ''))).toEqual([
        'server 0 > syncUser 3 2',
        'server 0 > syncKey 262150 1',
        'server 0 > syncKey 262150 2',
      ]);
      for (const fqdn of HSM_FQDNS) {
        expect(driver.nodes.get(fqdn)?.keys.map((k) => k.handle)).toContain(262150);
        expect(driver.nodes.get(fqdn)?.users.map((u) => u.username)).toContain('newest_user');
      }

      // verified, and followed by a backup request to the configured container
      const blobs = new BlobArtifactStore({
        containerUrl: REPORT_CONTAINER,
        fetch: azure.fetch,
        credential: fakeCredential,
      });
      const report = await blobs.getJson<RunReport>(`runs/${start.input.context.runId}/report.json`);
      expect(report.before?.counts).toMatchObject({ 'single-node': 1, missing: 1 });
      expect(report.verification).toEqual({ ok: true, unrecovered: [] });
      expect(report.after?.counts).toEqual({ consistent: 6, missing: 0, 'single-node': 0, divergent: 0 });
      const posts = azure.arm('POST');
      expect(posts.map((p) => p.path)).toEqual([`${CLUSTER_ID}/backup`]);
      expect(JSON.parse(posts[0]?.body ?? '{}')).toEqual({ azureStorageBlobContainerUri: BACKUP_CONTAINER });
      expect(report.backup).toMatchObject({ state: 'covered', backupId: 'chsm-prod-backup-1' });
      // Resolve, the membership re-check before Sync, then the backup and its polls
      expect(azure.arm().map((r) => `${r.method} ${r.path.split('/').slice(-2).join('/')}`)).toEqual([
        'GET cloudHsmClusters/chsm-prod',
        'GET cloudHsmClusters/chsm-prod',
        'POST chsm-prod/backup',
        `GET backupOperationStatus/${JOB_ID}`,
        `GET backupOperationStatus/${JOB_ID}`,
      ]);

      // alerted, once, with what was repaired
      expect(sink.alerts).toHaveLength(1);
      expect(sink.alerts[0]?.items.map((i) => `${i.category}:${i.objectId}`)).toEqual([
        'repaired:user:newest_user',
        'repaired:key:262150',
      ]);

      // nothing secret left anywhere
      const kept = [...azure.blobs.values()].map((b) => b.body).join('\n');
      expect(kept).not.toContain(TEST_PASSWORD);
      expect(kept).not.toContain(TOKEN);
      expect(logs.map((l) => l.text).join('\n')).not.toContain(TEST_PASSWORD);
    });
  },
);
