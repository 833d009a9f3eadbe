/**
 * The activities' dependencies, built once per process from the app settings: ARM (Cloud HSM
 * cluster + backups) with the app's managed identity, the cluster's node-access tool (from the registry), the CO
 * credentials from app settings (Key Vault references), run artifacts and alert memory in a
 * blob container, alerts to SNS (the same AlertSink port as on AWS).
 */
import { mkdirSync } from 'node:fs';
import { SNSClient } from '@aws-sdk/client-sns';
import type { AlertSink } from '#alerts/alert-sink.ts';
import { SnsSink } from '#alerts/sns-sink.ts';
import { StoreAlertMemory } from '#alerts/store-alert-memory.ts';
import { ConfigurationError } from '#core/errors.ts';
import { checkToolSettings, defaultTool, toolBindings, toolModule } from '#drivers/registry.ts';
import { ArmClient } from '#providers/azure/arm-client.ts';
import { AzureCloudHsmBackupProvider } from '#providers/azure/cloud-hsm-backup.ts';
import { AzureCloudHsmProvider } from '#providers/azure/cloud-hsm-provider.ts';
import type { AccessTokenSource, FetchLike, Sleep } from '#providers/azure/http-retry.ts';
import { KeyVaultCredentials } from '#providers/azure/key-vault-credentials.ts';
import { credentialsSource } from '#providers/credentials.ts';
import { BlobArtifactStore } from '#store/blob-artifact-store.ts';
import { StoreCredentialMemory } from '#store/credential-memory.ts';
import { silentLogger, type WorkflowDeps } from '#workflow/deps.ts';
import { type Env, optional, readWorkerSettings, SETTING_NAMES, type WorkerSettings } from './settings.ts';

export interface AzureDepsOptions {
  /** For ARM and Blob calls (default global fetch). */
  fetch?: FetchLike;
  /** Default DefaultAzureCredential (the app's managed identity). */
  credential?: AccessTokenSource;
  sleep?: Sleep;
  clock?: () => Date;
  /** Replaces any dependency (tests: a fake driver, a recording sink, a memory store). */
  deps?: Partial<WorkflowDeps>;
}

export function buildAzureDeps(env: Env, options: AzureDepsOptions = {}): WorkflowDeps {
  const settings = readWorkerSettings(env);
  const clock = options.clock ?? (() => new Date());
  const io = {
    ...(options.fetch ? { fetch: options.fetch } : {}),
    ...(options.credential ? { credential: options.credential } : {}),
    ...(options.sleep ? { sleep: options.sleep } : {}),
    now: clock,
  };
  const arm = new ArmClient(io);
  const over = options.deps ?? {};
  const store = over.store ?? new BlobArtifactStore({ containerUrl: settings.artifactContainerUrl, ...io });
  const tool = settings.tool ? toolModule(settings.tool) : defaultTool('azure');
  return {
    provider: new AzureCloudHsmProvider({ arm, tool, clock }),
    tool: over.tool ?? azureTools(settings, env),
    credentials: settings.passwordSecretUri
      ? new KeyVaultCredentials({
          secretUri: settings.passwordSecretUri,
          username: optional(env, settings.credentials.usernameVariable) ?? 'admin',
          ...io,
        })
      : credentialsSource({ from: 'env', ...settings.credentials }, env as NodeJS.ProcessEnv),
    store,
    backup: new AzureCloudHsmBackupProvider({
      arm,
      blobContainerUri: settings.backup.containerUri,
      mode: settings.backup.mode,
      pollTimeoutMs: settings.backup.pollTimeoutMs,
      pollIntervalMs: settings.backup.pollIntervalMs,
      ...(options.sleep ? { sleep: options.sleep } : {}),
      clock,
    }),
    alerts: over.alerts ?? snsSink(settings, env),
    alertMemory: new StoreAlertMemory(store),
    credentialMemory: new StoreCredentialMemory(store),
    alertWindowMs: settings.alertWindowMs,
    clock,
    log: silentLogger,
    ...over,
  };
}

/**
 * The tools, reading their settings (binary path, options) from the app settings. Key details
 * are read unless KEY_DETAILS says otherwise: Azure's runbook checks owner and sharing. The
 * work folder (per-call config files) is created here: a fresh instance has none.
 */
function azureTools(settings: WorkerSettings, env: Env): WorkflowDeps['tool'] {
  mkdirSync(settings.toolWorkDir, { recursive: true, mode: 0o700 });
  const toolSettings = { ...env, KEY_DETAILS: optional(env, 'KEY_DETAILS') ?? 'true' };
  checkToolSettings(toolSettings);
  return toolBindings({ settings: toolSettings, workDir: settings.toolWorkDir });
}

/**
 * SNS from outside AWS: the region comes from the topic ARN; the credentials from the AWS
 * SDK's environment chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY as Key Vault references,
 * or AWS_ROLE_ARN + AWS_WEB_IDENTITY_TOKEN_FILE for federation).
 */
function snsSink(settings: WorkerSettings, env: Env): AlertSink {
  const accessKeyId = optional(env, 'AWS_ACCESS_KEY_ID');
  const secretAccessKey = optional(env, 'AWS_SECRET_ACCESS_KEY');
  const federated =
    optional(env, 'AWS_ROLE_ARN') !== null && optional(env, 'AWS_WEB_IDENTITY_TOKEN_FILE') !== null;
  const region = settings.alertTopicArn.split(':')[3] as string;
  if (accessKeyId !== null && secretAccessKey !== null) {
    const sessionToken = optional(env, 'AWS_SESSION_TOKEN');
    const credentials = { accessKeyId, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) };
    return new SnsSink(settings.alertTopicArn, new SNSClient({ region, credentials }));
  }
  if (federated) return new SnsSink(settings.alertTopicArn, new SNSClient({ region }));
  throw new ConfigurationError(
    `app settings AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (or AWS_ROLE_ARN and AWS_WEB_IDENTITY_TOKEN_FILE) are not set: ` +
      `the AWS identity that may sns:Publish to ${SETTING_NAMES.alertTopicArn}`,
  );
}
