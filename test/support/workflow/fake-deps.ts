/** A WorkflowDeps made of in-memory fakes: a fixed cluster, a FakeDriver, a memory store. */
import type { AlertSink } from '#alerts/alert-sink.ts';
import { InMemoryAlertMemory } from '#alerts/console-sink.ts';
import type { Alert } from '#core/alert.ts';
import { DEFAULT_POLICY, type Policy, type ResolvedCluster } from '#core/model.ts';
import type { BackupStatus } from '#core/report.ts';
import { Secret } from '#core/secret.ts';
import type { BackupProvider, ClusterProvider } from '#providers/cluster-provider.ts';
import { StoreCredentialMemory } from '#store/credential-memory.ts';
import { MemoryStore } from '#store/memory-store.ts';
import type { RunContext } from '#workflow/contracts.ts';
import { silentLogger, type WorkflowDeps } from '#workflow/deps.ts';
import { TEST_RUNBOOK, TEST_TOOL } from '../core/builders.ts';
import type { FakeDriver } from './fake-driver.ts';

export class RecordingSink implements AlertSink {
  readonly alerts: Alert[] = [];
  fail = false;
  async publish(alert: Alert): Promise<{ messageId: string }> {
    if (this.fail) throw Object.assign(new Error('SNS unavailable'), { name: 'AlertDeliveryError' });
    this.alerts.push(alert);
    return { messageId: `m-${this.alerts.length}` };
  }
}

export const TEST_PASSWORD = 'Tst-Pa55word-9f3e';

/** The test tool (the AWS mgmt-util's rules, planner and runbook) reading and writing through `driver`. */
export function fakeTool(driver: FakeDriver): WorkflowDeps['tool'] {
  return () => ({
    module: TEST_TOOL,
    rules: TEST_TOOL.rules,
    planner: TEST_TOOL.planner,
    runbook: TEST_RUNBOOK,
    driver: () => driver,
  });
}

export function fakeDeps(
  cluster: ResolvedCluster,
  driver: FakeDriver,
  overrides: Partial<WorkflowDeps> = {},
) {
  const sink = new RecordingSink();
  const store = new MemoryStore();
  const provider: ClusterProvider & { clusters: ResolvedCluster[] } = {
    clusters: [cluster],
    async resolve() {
      // Each call takes the next cluster view (the last one repeats): lets a test change membership mid-run.
      return (this.clusters.length > 1 ? this.clusters.shift() : this.clusters[0]) as ResolvedCluster;
    },
  };
  const backup: BackupProvider = {
    async protect(): Promise<BackupStatus> {
      return {
        state: 'covered',
        backupId: 'backup-1',
        createdAt: '2026-11-23T00:00:00.000Z',
        detail: 'test',
        kept: [],
        copiedTo: [],
      };
    },
  };
  const deps: WorkflowDeps = {
    provider,
    tool: fakeTool(driver),
    credentials: {
      get: async () => ({
        username: 'admin',
        password: new Secret(TEST_PASSWORD),
        role: 'CO',
        version: 'v1',
      }),
    },
    store,
    credentialMemory: new StoreCredentialMemory(store),
    backup,
    alerts: sink,
    alertMemory: new InMemoryAlertMemory(),
    alertWindowMs: 6 * 3600 * 1000,
    clock: () => new Date('2026-11-23T12:00:00.000Z'),
    log: silentLogger,
    ...overrides,
  };
  return { deps, sink, store, provider };
}

export function context(clusterId: string, policy: Partial<Policy> = {}): RunContext {
  return {
    runId: 'run-1',
    clusterId,
    provider: 'emulator',
    policy: { ...DEFAULT_POLICY, ...policy },
    startedAt: '2026-11-23T12:00:00.000Z',
    trigger: { kind: 'runbook', detail: 'test' },
  };
}
