/** Small builders for core tests: a cluster of N nodes and inventories in a few words. */
import { buildAlert } from '#core/alert.ts';
import { audit } from '#core/audit.ts';
import { membershipToken } from '#core/membership.ts';
import {
  type AuditResult,
  type ClusterNode,
  DEFAULT_POLICY,
  type NodeInventory,
  type Policy,
  type ResolvedCluster,
} from '#core/model.ts';
import { plan } from '#core/plan.ts';
import type { RunReport } from '#core/report.ts';
import { MGMT_UTIL_AWS_MODULE } from '#drivers/mgmt-util/index.ts';
import type { HsmKey, HsmUser, MgmtUtilListing, UserType } from '#drivers/mgmt-util/listing.ts';

/** The tool the core tests use: the AWS mgmt-util (its rules, planner and runbook). */
export const TEST_TOOL = MGMT_UTIL_AWS_MODULE;
export const TEST_RUNBOOK = TEST_TOOL.runbook({ settings: {} });

export function cluster(nodeCount: number, clusterId = 'cluster-test'): ResolvedCluster {
  const nodes: ClusterNode[] = Array.from({ length: nodeCount }, (_, i) => ({
    nodeId: `hsm-${i}`,
    address: `10.0.0.${i + 1}`,
    port: 2225,
    state: 'ACTIVE',
  }));
  return {
    clusterId,
    provider: 'emulator',
    tool: TEST_TOOL.id,
    nodes,
    resolvedAt: '2026-11-23T00:00:00.000Z',
    membershipToken: membershipToken(nodes),
    configDrift: null,
  };
}

export function user(userId: number, username: string, userType: UserType = 'CU'): HsmUser {
  return { userId, userType, username, mofnPubKey: false, loginFailureCount: 0, twoFactor: false };
}

export function key(handle: number, owner: number | null = 3, sharedWith: number[] = []): HsmKey {
  return { handle, shared: sharedWith.length > 0, owner, sharedWith };
}

export function listing(users: HsmUser[], keys: HsmKey[] = []): MgmtUtilListing {
  return { users, keys, keyDetails: keys.some((k) => k.owner !== null) };
}

export function read(nodeId: string, users: HsmUser[], keys: HsmKey[] = []): NodeInventory {
  return {
    nodeId,
    status: 'read',
    listing: listing(users, keys),
    digest: null,
    notes: [],
    collectedAt: '2026-11-23T00:00:00.000Z',
  };
}

export function unreadable(
  nodeId: string,
  reason: 'unreachable' | 'login-failed' = 'unreachable',
): NodeInventory {
  return { nodeId, status: 'unreadable', reason, detail: `${reason} in test` };
}

/** A run report with nothing in it but what the test gives. */
export function runReport(overrides: Partial<RunReport> = {}): RunReport {
  return {
    runId: 'run-1',
    clusterId: 'cluster-abc',
    provider: 'aws',
    tool: TEST_TOOL.id,
    startedAt: '2026-11-23T00:00:00.000Z',
    finishedAt: '2026-11-23T00:01:00.000Z',
    policy: DEFAULT_POLICY,
    cluster: null,
    before: null,
    plan: null,
    results: [],
    after: null,
    verification: null,
    backup: null,
    failure: null,
    trigger: null,
    ...overrides,
  };
}

/** The core's audit, plan and alert with the test tool's rules, planner and runbook. */
export const auditOf = (c: ResolvedCluster, inventories: readonly NodeInventory[]) =>
  audit(c, inventories, TEST_TOOL.rules);
export const planOf = (c: ResolvedCluster, result: AuditResult, policy: Policy) =>
  plan(c, result, policy, TEST_TOOL.planner);
export const alertOf = (report: RunReport) => buildAlert(report, TEST_RUNBOOK);
