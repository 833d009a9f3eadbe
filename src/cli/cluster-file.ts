/**
 * The cluster file of `audit` / `sync`: which nodes, which tool, where the credentials come
 * from. Credentials are named (an environment variable or a file), never given inline.
 * `tool` is a registry id (src/drivers/registry.ts); the older `"dialect": "aws" | "azure"`
 * still names the mgmt-util tools. `command` (or `util`) is the program to run, `toolSettings`
 * the tool's own settings by name (see `hsm-sentinel audit --help`).
 *
 * {
 *   "clusterId": "prod-hsm",
 *   "tool": "mgmt-util-aws",
 *   "command": ["/opt/cloudhsm/bin/cloudhsm_mgmt_util"],
 *   "nodes": [{ "nodeId": "hsm-abc", "address": "10.0.2.9" }, { "nodeId": "hsm-def", "address": "10.0.3.11" }],
 *   "credentials": { "from": "env", "passwordVariable": "HSM_CO_PASSWORD", "usernameVariable": "HSM_CO_USER" },
 *   "operatorConfig": "/opt/cloudhsm/etc/cloudhsm_mgmt_util.cfg",
 *   "policy": { "maxActionsPerRun": 20 },
 *   "reportDir": ".runs"
 * }
 */
import { readFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { InvalidInputError } from '#core/errors.ts';
import { toolIds, toolModule } from '#drivers/registry.ts';
import type { ToolModule } from '#drivers/tool-module.ts';
import { credentialsSource, localSecretReader } from '#providers/credentials.ts';
import { ClientMembershipProvider } from '#providers/static/client-membership-provider.ts';
import { NoBackupProvider } from '#providers/static/no-backup.ts';
import { StaticClusterProvider } from '#providers/static/static-provider.ts';
import type { WorkflowDeps } from '#workflow/deps.ts';
import { jsonLineLogger } from '#workflow/json-line-logger.ts';
import { describeIssues, quotedInput } from '#workflow/zod-issues.ts';
import type { CliIo } from './io.ts';
import { localDeps } from './local-deps.ts';

const nodeSchema = z.strictObject({
  nodeId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'letters, digits and . _ : - only'),
  address: z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, 'an IP address or host name'),
  /** Default: the tool's port. */
  port: z.number().int().min(1).max(65535).optional(),
});

const credentialsSchema = z.discriminatedUnion('from', [
  z.strictObject({
    from: z.literal('env'),
    passwordVariable: z.string().min(1),
    usernameVariable: z.string().min(1).optional(),
    role: z
      .string()
      .regex(/^[A-Za-z][A-Za-z_-]{0,31}$/)
      .optional(),
    userType: z
      .string()
      .regex(/^[A-Za-z][A-Za-z_-]{0,31}$/)
      .optional(),
    versionVariable: z.string().min(1).optional(),
  }),
  z.strictObject({ from: z.literal('file'), path: z.string().min(1) }),
]);

/** The mgmt-util tools by their older cluster-file name. */
const DIALECT_TOOLS = { aws: 'mgmt-util-aws', azure: 'mgmt-util-azure' } as const;

export const clusterFileSchema = z.strictObject({
  clusterId: z.string().min(1).max(128),
  tool: z
    .string()
    .refine((id) => toolIds().includes(id), `expected one of ${toolIds().join(', ')}`)
    .optional(),
  dialect: z.enum(['aws', 'azure']).optional(),
  command: z.array(z.string().min(1)).min(1).optional(),
  util: z.array(z.string().min(1)).min(1).optional(),
  toolSettings: z.record(z.string(), z.string()).optional(),
  nodes: z
    .array(nodeSchema)
    .min(1)
    .max(28)
    .refine((nodes) => new Set(nodes.map((n) => n.nodeId)).size === nodes.length, 'node ids must be unique'),
  credentials: credentialsSchema,
  operatorConfig: z.string().min(1).optional(),
  policy: z.record(z.string(), z.unknown()).optional(),
  keyDetails: z.boolean().default(true),
  reportDir: z.string().min(1).default('.runs'),
});

type ClusterFileText = z.infer<typeof clusterFileSchema>;

export type ClusterFile = Omit<ClusterFileText, 'dialect' | 'util' | 'tool' | 'command'> & {
  tool: ToolModule;
  command: string[] | null;
};

/** Reads and validates a cluster file; relative paths in it are taken from the file's folder. */
export async function loadClusterFile(path: string): Promise<ClusterFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new InvalidInputError(`cluster file ${path} cannot be read (${code})`, { cause });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new InvalidInputError(
      `cluster file ${path}: not JSON (${quotedInput(cause instanceof Error ? cause.message : cause)})`,
      { cause },
    );
  }
  const result = clusterFileSchema.safeParse(raw);
  // The issues quote what they refuse (an unknown key may be megabytes, or hold a newline): escaped and bounded.
  if (!result.success) throw new InvalidInputError(`cluster file ${path}: ${describeIssues(result.error)}`);
  const base = dirname(resolve(path));
  const { dialect, util, tool, command, ...file } = result.data;
  const toolId = tool ?? (dialect ? DIALECT_TOOLS[dialect] : undefined);
  if (toolId === undefined) {
    throw new InvalidInputError(`cluster file ${path}: tool: required (one of ${toolIds().join(', ')})`);
  }
  return {
    ...file,
    tool: toolModule(toolId),
    command: command ?? util ?? null,
    // The older `userType` is the role.
    ...(file.credentials.from === 'env' && file.credentials.userType && !file.credentials.role
      ? { credentials: { ...file.credentials, role: file.credentials.userType } }
      : {}),
    reportDir: resolve(base, file.reportDir),
    ...(file.operatorConfig ? { operatorConfig: resolve(base, file.operatorConfig) } : {}),
    ...(file.credentials.from === 'file'
      ? { credentials: { ...file.credentials, path: resolve(base, file.credentials.path) } }
      : {}),
  };
}

/** The deps of a local run against the nodes a cluster file names. */
export function depsForClusterFile(
  file: ClusterFile,
  io: CliIo,
  verbose: boolean,
  transcriptDir?: string,
): Promise<WorkflowDeps> {
  const toolSettings = { ...io.env, KEY_DETAILS: String(file.keyDetails), ...file.toolSettings };
  // A tool whose own client knows the members (no cloud): the file's nodes are compared with it.
  const membership = file.tool.clientMembership?.({
    settings: toolSettings,
    ...(file.command ? { command: file.command } : {}),
  });
  return localDeps({
    provider: membership
      ? new ClientMembershipProvider({
          provider: 'file',
          tool: file.tool,
          listed: async (id) =>
            id === file.clusterId ? file.nodes.map((n) => ({ nodeId: n.nodeId, address: n.address })) : null,
          members: membership,
        })
      : new StaticClusterProvider({
          clusterId: file.clusterId,
          provider: 'file',
          tool: file.tool.id,
          nodes: () =>
            file.nodes.map((n) => ({ ...n, port: n.port ?? file.tool.port, state: 'ACTIVE' as const })),
          operatorConfigAddresses: () => operatorAddresses(file),
        }),
    tool: file.tool.id,
    ...(file.command ? { toolCommand: file.command } : {}),
    toolSettings,
    credentials: credentialsSource(file.credentials, io.env),
    secrets: localSecretReader(io.env),
    backup: new NoBackupProvider(),
    reportDir: file.reportDir,
    ...(transcriptDir ? { transcriptDir } : {}),
    ...(file.operatorConfig ? { operatorConfig: file.operatorConfig } : {}),
    ...(verbose ? { log: jsonLineLogger(io.stderr) } : {}),
  });
}

async function operatorAddresses(file: ClusterFile): Promise<string[] | null> {
  if (!file.operatorConfig) return null;
  let text: string;
  try {
    text = await readFile(file.operatorConfig, 'utf8');
  } catch (cause) {
    throw new InvalidInputError(`operatorConfig ${file.operatorConfig} cannot be read`, { cause });
  }
  return file.tool.operatorConfigAddresses(text);
}
