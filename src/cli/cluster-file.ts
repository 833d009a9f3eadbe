/**
 * The cluster file of `audit` / `sync`: which nodes, which tool, where the credentials come
 * from. Credentials are named (an environment variable or a file), never given inline.
 *
 * {
 *   "clusterId": "prod-hsm",
 *   "dialect": "aws",
 *   "util": ["/opt/cloudhsm/bin/cloudhsm_mgmt_util"],
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
import { DIALECTS } from '#core/model.ts';
import { readOperatorConfig } from '#drivers/mgmt-util/config.ts';
import { credentialsSource } from '#providers/credentials.ts';
import { NoBackupProvider } from '#providers/static/no-backup.ts';
import { StaticClusterProvider } from '#providers/static/static-provider.ts';
import type { WorkflowDeps } from '#workflow/deps.ts';
import { jsonLineLogger } from '#workflow/json-line-logger.ts';
import type { CliIo } from './io.ts';
import { localDeps } from './local-deps.ts';

const nodeSchema = z.strictObject({
  nodeId: z.string().regex(/^[A-Za-z0-9._:-]{1,128}$/, 'letters, digits and . _ : - only'),
  address: z.string().regex(/^[A-Za-z0-9.:-]{1,253}$/, 'an IP address or host name'),
  port: z.number().int().min(1).max(65535).default(2225),
});

const credentialsSchema = z.discriminatedUnion('from', [
  z.strictObject({
    from: z.literal('env'),
    passwordVariable: z.string().min(1),
    usernameVariable: z.string().min(1).optional(),
    userType: z.enum(['CO', 'PCO']).optional(),
  }),
  z.strictObject({ from: z.literal('file'), path: z.string().min(1) }),
]);

export const clusterFileSchema = z.strictObject({
  clusterId: z.string().min(1).max(128),
  dialect: z.enum(DIALECTS),
  util: z.array(z.string().min(1)).min(1),
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

export type ClusterFile = z.infer<typeof clusterFileSchema>;

/** Reads and validates a cluster file; relative paths in it are taken from the file's folder. */
export async function loadClusterFile(path: string): Promise<ClusterFile> {
  let raw: unknown;
  try {
    raw = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new InvalidInputError(
      `cluster file ${path}: ${cause instanceof Error ? cause.message : String(cause)}`,
      { cause },
    );
  }
  const result = clusterFileSchema.safeParse(raw);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : '(top level)';
    throw new InvalidInputError(`cluster file ${path}: ${where}: ${issue?.message ?? 'invalid'}`);
  }
  const base = dirname(resolve(path));
  const file = result.data;
  return {
    ...file,
    reportDir: resolve(base, file.reportDir),
    ...(file.operatorConfig ? { operatorConfig: resolve(base, file.operatorConfig) } : {}),
    ...(file.credentials.from === 'file'
      ? { credentials: { ...file.credentials, path: resolve(base, file.credentials.path) } }
      : {}),
  };
}

/** The deps of a local run against the nodes a cluster file names. */
export function depsForClusterFile(file: ClusterFile, io: CliIo, verbose: boolean): Promise<WorkflowDeps> {
  return localDeps({
    provider: new StaticClusterProvider({
      clusterId: file.clusterId,
      provider: 'file',
      dialect: file.dialect,
      nodes: () => file.nodes.map((n) => ({ ...n, state: 'ACTIVE' as const })),
      operatorConfigAddresses: () => operatorAddresses(file),
    }),
    dialect: file.dialect,
    utilCommand: file.util,
    credentials: credentialsSource(file.credentials, io.env),
    backup: new NoBackupProvider(),
    reportDir: file.reportDir,
    keyDetails: file.keyDetails,
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
  return readOperatorConfig(text, file.dialect);
}
