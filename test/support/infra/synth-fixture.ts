/**
 * Builds the hsm-sentinel app in-process for the infra tests: the cdk.json context (the
 * defaults a fresh clone synthesizes with) plus test overrides, with asset bundling
 * skipped (`aws:cdk:bundling-stacks: []`: the code assets are placeholders) so a test
 * synthesizes in about a second. The CLI test (cdk-cli-synth.test.ts) bundles for real.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Template } from 'aws-cdk-lib/assertions';
import { REPO_ROOT } from '../../../infra/constructs/paths.ts';
import { createApp, type SentinelApp } from '../../../infra/create-app.ts';
import { CDK_JSON_CONTEXT, TEST_CONTEXT } from './test-context.ts';

export { CDK_JSON_CONTEXT, TEST_CONTEXT };

export interface Synthesized extends SentinelApp {
  template: Template;
}

export function synthApp(overrides: Record<string, unknown> = {}, outdir?: string): SentinelApp {
  return createApp({
    outdir: outdir ?? mkdtempSync(join(tmpdir(), 'hsm-sentinel-cdk-')),
    context: { ...CDK_JSON_CONTEXT, ...TEST_CONTEXT, 'aws:cdk:bundling-stacks': [], ...overrides },
  });
}

const cache = new Map<string, Synthesized>();

/** The app for `overrides`, synthesized once per test file (Template.fromStack runs the synth). */
export function synthesized(overrides: Record<string, unknown> = {}): Synthesized {
  const key = JSON.stringify(overrides);
  let hit = cache.get(key);
  if (!hit) {
    const built = synthApp(overrides);
    hit = { ...built, template: Template.fromStack(built.stack) };
    cache.set(key, hit);
  }
  return hit;
}

/** The ASL file as the stack reads it. */
export function aslDefinition(): { States: Record<string, Record<string, unknown>> } {
  return JSON.parse(readFileSync(join(REPO_ROOT, 'statemachines', 'audit-and-sync.asl.json'), 'utf8'));
}

type Resources = Record<string, { Type: string; Properties: Record<string, unknown>; DependsOn?: unknown }>;

/** Every resource of one type, by logical id. */
export function resourcesOf(template: Template, type: string): Resources {
  return template.findResources(type) as Resources;
}

/** The logical id of the Lambda function built by the construct with this id (e.g. `CollectNode`). */
/** The construct `constructId` (`CollectNode`, `Trigger`) that owns a function, wherever it is nested. */
export function functionConstruct(synth: SentinelApp, constructId: string) {
  const owner = synth.stack.node
    .findAll()
    .find((c) => c.node.id === constructId && c.node.tryFindChild('Function') !== undefined);
  if (!owner) throw new Error(`no function construct ${constructId}`);
  return owner;
}

/** The logical id of the function whose construct is `constructId` (`CollectNode`), wherever it is nested. */
export function functionLogicalId(synth: SentinelApp, constructId: string): string {
  const owner = synth.stack.node
    .findAll()
    .find((c) => c.node.id === constructId && c.node.tryFindChild('Function') !== undefined);
  const fn = owner?.node.findChild('Function').node.defaultChild;
  if (!fn) throw new Error(`no function under ${constructId}`);
  return synth.stack.getLogicalId(fn as never);
}
