/**
 * zod schemas of what the orchestrators hand each step (src/workflow/contracts.ts): the state
 * machine to the Lambdas, the durable orchestration to the Azure activities.
 * Parts written by our own steps are checked on the fields the next step reads and
 * passed through whole; the run context, which a trigger built from outside input, is
 * checked in full. A mismatch is an InvalidInputError naming the field.
 */
import { z } from 'zod';
import { InvalidInputError } from '#core/errors.ts';
import { DEFAULT_POLICY, NODE_STATES, OBJECT_KINDS, type ObjectStatus, PROVIDERS } from '#core/model.ts';
import type { CollectClusterInput, CollectNodeInput, MarkUnreadableInput, RunState } from './contracts.ts';
import { TRIGGER_KINDS } from './contracts.ts';

const text = z.string().min(1);

/** Known fields checked; loose so a field added to the model later does not fail running orchestrations. */
export const policySchema = z.looseObject({
  dryRun: z.boolean(),
  maxActionsPerRun: z.number().int().min(0),
  allowedKinds: z.array(z.enum(OBJECT_KINDS)),
  requireAllNodesLoggedIn: z.boolean(),
  maxBackupAgeHours: z.number().positive(),
  loginFailureLimit: z.number().int().min(1).max(4),
  // Absent in the state of an execution started before the field existed: the default.
  serviceSyncRechecks: z.number().int().min(0).max(10).default(DEFAULT_POLICY.serviceSyncRechecks),
});

/**
 * A run id names the run's folder in every store (`runs/<runId>/…`): one path segment, no
 * `..`, nothing a file system or an object key reads as a separator. Every trigger makes it so
 * (an execution name; the CLI's `<command>-<time>`); anything else is crafted input.
 */
export const RUN_ID_PATTERN = /^(?!.*\.\.)[A-Za-z0-9_][A-Za-z0-9._-]{0,199}$/;

export const runContextSchema = z.object({
  runId: z
    .string()
    .regex(
      RUN_ID_PATTERN,
      'letters, digits and . _ - only, at most 200, no ".." (it names the run\'s folder)',
    ),
  clusterId: text,
  provider: z.enum(PROVIDERS),
  policy: policySchema,
  startedAt: z.iso.datetime({ offset: true }),
  trigger: z.strictObject({ kind: z.enum(TRIGGER_KINDS), detail: z.string() }),
});

export const clusterNodeSchema = z.looseObject({
  nodeId: text,
  address: text,
  port: z.number().int().min(1).max(65535),
  state: z.enum(NODE_STATES),
  zone: z.string().optional(),
});

export const resolvedClusterSchema = z.looseObject({
  clusterId: text,
  provider: z.enum(PROVIDERS),
  tool: text,
  nodes: z.array(clusterNodeSchema).min(1),
  resolvedAt: text,
  membershipToken: text,
  configDrift: z.looseObject({}).nullable(),
});

const collectedNodeSchema = z.looseObject({
  nodeId: text,
  status: z.enum(['read', 'unreadable']),
  inventoryRef: text,
});

const countsSchema = z.looseObject({
  consistent: z.number(),
  missing: z.number(),
  'single-node': z.number(),
  divergent: z.number(),
} satisfies Record<ObjectStatus, z.ZodNumber>);

export const runStateSchema = z.looseObject({
  context: runContextSchema,
  cluster: resolvedClusterSchema.optional(),
  collected: z.array(collectedNodeSchema).optional(),
  audit: z
    .looseObject({
      auditRef: text,
      planRef: text,
      counts: countsSchema,
      unreadableNodes: z.array(z.string()),
      writeAllowed: z.boolean(),
      recheck: z
        .looseObject({ due: z.boolean(), done: z.number().int().min(0), pending: z.number().int().min(0) })
        .optional(),
    })
    .optional(),
  sync: z
    .looseObject({ resultsRef: text, synced: z.number(), lastWriteAt: z.string().nullable() })
    .optional(),
  verify: z
    .looseObject({
      afterAuditRef: text,
      verificationRef: text,
      ok: z.boolean(),
      counts: countsSchema,
      unreadableNodes: z.array(z.string()),
    })
    .optional(),
  backup: z.looseObject({ state: text }).optional(),
  failure: z.looseObject({ step: z.string(), errorName: z.string(), message: z.string() }).optional(),
});

export const collectNodeInputSchema = z.object({
  context: runContextSchema,
  cluster: resolvedClusterSchema,
  nodeId: text,
});

export const collectClusterInputSchema = z.object({
  context: runContextSchema,
  cluster: resolvedClusterSchema,
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }).optional(),
});

export const markUnreadableInputSchema = z.object({
  context: runContextSchema,
  nodeId: text,
  error: z.object({ Error: z.string().optional(), Cause: z.string().optional() }),
});

/**
 * Checks `input` against `schema`; the first problem becomes an InvalidInputError such as
 * `Resolve input: context.clusterId: Too small: expected string to have >=1 characters`.
 */
export function parseInput<T>(schema: z.ZodType, input: unknown, what: string): T {
  const result = schema.safeParse(input);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = issue && issue.path.length > 0 ? issue.path.join('.') : '(the whole input)';
    const more = result.error.issues.length > 1 ? ` (and ${result.error.issues.length - 1} more)` : '';
    throw new InvalidInputError(`${what} input: ${field}: ${issue?.message ?? 'invalid'}${more}`);
  }
  return result.data as T;
}

export const parseRunState = (input: unknown, what: string): RunState =>
  parseInput<RunState>(runStateSchema, input, what);
export const parseCollectNodeInput = (input: unknown): CollectNodeInput =>
  parseInput<CollectNodeInput>(collectNodeInputSchema, input, 'CollectNode');
export const parseCollectClusterInput = (input: unknown, what: string): CollectClusterInput =>
  parseInput<CollectClusterInput>(collectClusterInputSchema, input, what);
export const parseMarkUnreadableInput = (input: unknown): MarkUnreadableInput =>
  parseInput<MarkUnreadableInput>(markUnreadableInputSchema, input, 'MarkUnreadable');
