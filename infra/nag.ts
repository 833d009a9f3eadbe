/**
 * cdk-nag (v3) wiring: the AwsSolutions pack as a CDK policy-validation plugin, and one
 * helper to acknowledge a finding with its reason. Every acknowledgement in this app goes
 * through `acknowledge`, which also records it, so tests can check that each one still
 * matches a finding (no stale acknowledgements) and list them (`acknowledgementsOf`).
 */
import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';

/** Context flag (tests only): record acknowledgements without applying them. */
export const RECORD_ONLY_CONTEXT = 'hsm-sentinel:nagAcknowledgementsRecordOnly';

export interface RecordedAcknowledgement {
  /** Construct path the acknowledgement applies to (and everything below it). */
  path: string;
  id: string;
  reason: string;
}

const recorded = new WeakMap<IConstruct, RecordedAcknowledgement[]>();

/** Runs the AwsSolutions checks on everything under `scope` at synth; findings fail the synth. */
export function addNagChecks(scope: IConstruct): void {
  Validations.of(scope).addPlugins(new AwsSolutionsChecks(scope, { verbose: true }));
}

/**
 * Acknowledges one cdk-nag finding on `scope` (and its children).
 * @example acknowledge(role, 'AwsSolutions-IAM5[Resource::*]', 'cloudhsm:DescribeClusters has no resource-level permissions')
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  const root = scope.node.root;
  const list = recorded.get(root) ?? [];
  list.push({ path: scope.node.path, id, reason });
  recorded.set(root, list);
  if (scope.node.tryGetContext(RECORD_ONLY_CONTEXT) === true) return;
  Validations.of(scope).acknowledge({ id, reason });
}

/** Every acknowledgement made under `root` (an App), in order. */
export function acknowledgementsOf(root: IConstruct): RecordedAcknowledgement[] {
  return [...(recorded.get(root.node.root) ?? [])];
}

/** Why X-Ray's statement names Resource '*' (added by `tracing: ACTIVE` / `tracingEnabled`). */
export const XRAY_WILDCARD_REASON = 'xray:PutTraceSegments / PutTelemetryRecords (X-Ray active tracing)';
