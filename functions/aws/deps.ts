/**
 * The WorkflowDeps of a Lambda, built once per process from the environment. Each handler
 * names the ports it uses; only those read their variables (so the resolve function does
 * not need CO_SECRET_ARN), and a port it did not ask for fails loudly if a step touches it.
 */
import { CloudHSMV2Client } from '@aws-sdk/client-cloudhsm-v2';
import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SFNClient } from '@aws-sdk/client-sfn';
import { SNSClient } from '@aws-sdk/client-sns';
import { DynamoDbAlertMemory } from '#alerts/dynamodb-alert-memory.ts';
import { SnsSink } from '#alerts/sns-sink.ts';
import { ConfigurationError } from '#core/errors.ts';
import { DEFAULT_POLICY } from '#core/model.ts';
import { checkToolSettings, defaultTool, toolBindings, toolModule } from '#drivers/registry.ts';
import { CloudHsmBackupProvider } from '#providers/aws/cloudhsm-backup.ts';
import { CloudHsmMetrics } from '#providers/aws/cloudhsm-metrics.ts';
import { CloudHsmProvider } from '#providers/aws/cloudhsm-provider.ts';
import { SecretsManagerCredentials } from '#providers/aws/secrets-credentials.ts';
import { SecretsManagerSecrets } from '#providers/aws/secrets-manager-secrets.ts';
import { DynamoDbCredentialMemory } from '#store/dynamodb-credential-memory.ts';
import { DynamoDbRunLock } from '#store/dynamodb-run-lock.ts';
import type { RunLock } from '#store/run-lock.ts';
import { S3Store } from '#store/s3-store.ts';
import type { Port, StepLogger, WorkflowDeps } from '#workflow/deps.ts';
import type { TriggerDefaults } from '#workflow/triggers/run-request.ts';
import { type Env, readEnv } from './env.ts';
import { defaultObservability, stepLogger } from './lambda.ts';

export type { Port };

export interface AwsClients {
  cloudHsm: CloudHSMV2Client;
  s3: S3Client;
  secrets: SecretsManagerClient;
  sns: SNSClient;
  dynamo: DynamoDBClient;
  sfn: SFNClient;
  /** The Resolve function's per-HSM metrics (created on first use when absent). */
  cloudWatch?: CloudWatchClient;
}

/** Where a tool writes its per-call config files: the only writable path in Lambda. */
export const TOOL_WORK_DIR = '/tmp/hsm-sentinel';

let sharedClients: AwsClients | null = null;

/** One SDK client per service per process, created on first use (region from AWS_REGION). */
export function awsClients(): AwsClients {
  sharedClients ??= {
    cloudHsm: new CloudHSMV2Client({}),
    s3: new S3Client({}),
    secrets: new SecretsManagerClient({}),
    sns: new SNSClient({}),
    dynamo: new DynamoDBClient({}),
    sfn: new SFNClient({}),
    cloudWatch: new CloudWatchClient({}),
  };
  return sharedClients;
}

export interface AwsDepsOptions {
  env?: Env;
  clients?: AwsClients;
  log?: StepLogger;
}

export function awsDeps(ports: readonly Port[], options: AwsDepsOptions = {}): WorkflowDeps {
  const env = options.env ?? process.env;
  const clients = options.clients ?? awsClients();
  const uses = (port: Port) => ports.includes(port);
  const unavailable = (port: Port) =>
    new ConfigurationError(
      `this function was built without the '${port}' port: add it to its awsDeps([...])`,
    );
  const missing = (port: Port) => async (): Promise<never> => {
    throw unavailable(port);
  };
  const operatorConfigParameter = uses('provider') ? readEnv.operatorConfigSsm(env) : null;
  const configuredTool = readEnv.tool(env);
  if (uses('nodes')) checkToolSettings(env);
  const credentials = uses('nodes')
    ? new SecretsManagerCredentials(readEnv.coSecretArn(env), clients.secrets)
    : { get: missing('nodes') };
  // The lockout guard's memory, in the state table beside the alert memory and the run locks.
  const credentialMemory = uses('nodes')
    ? new DynamoDbCredentialMemory(readEnv.stateTable(env), clients.dynamo)
    : { refusalOf: missing('nodes'), remember: missing('nodes') };
  // Named secrets of a tool's settings (SDK 5 crypto users) and their refusals: only where the tool's driver runs.
  const tools = toolBindings({
    settings: env,
    workDir: TOOL_WORK_DIR,
    ...(uses('nodes')
      ? { secrets: new SecretsManagerSecrets(clients.secrets), refusals: credentialMemory }
      : {}),
  });
  return {
    provider: uses('provider')
      ? new CloudHsmProvider(clients.cloudHsm, {
          // The cluster's HsmType picks the tool (hsm2m.medium does not run SDK 3), unless one is configured.
          toolFor: (hsmType) => (configuredTool ? toolModule(configuredTool) : defaultTool('aws', hsmType)),
          ...(operatorConfigParameter
            ? { operatorConfig: () => readSsmParameter(operatorConfigParameter) }
            : {}),
          // CloudWatch AWS/CloudHSM per-HSM counts: the audit names an HSM that lags its peers.
          ...(uses('metrics')
            ? { metrics: new CloudHsmMetrics(clients.cloudWatch ?? new CloudWatchClient({})) }
            : {}),
        })
      : { resolve: missing('provider') },
    tool: (id) => {
      const binding = tools(id);
      // Only the node-access functions carry the tools' binaries; the others may use the rules and runbook.
      return uses('nodes')
        ? binding
        : {
            ...binding,
            driver: () => {
              throw unavailable('nodes');
            },
          };
    },
    credentials,
    credentialMemory,
    store: new S3Store(readEnv.reportBucket(env), clients.s3),
    backup: uses('backup')
      ? new CloudHsmBackupProvider(clients.cloudHsm, { recoveryRegion: readEnv.recoveryRegion(env) })
      : { protect: missing('backup') },
    alerts: uses('alerts')
      ? new SnsSink(readEnv.alertTopicArn(env), clients.sns)
      : { publish: missing('alerts') },
    alertMemory: uses('alerts')
      ? new DynamoDbAlertMemory(readEnv.stateTable(env), clients.dynamo)
      : { lastSent: missing('alerts'), remember: missing('alerts') },
    alertWindowMs: uses('alerts') ? readEnv.alertWindowHours(env) * 3_600_000 : 0,
    // The Alert step ends the run: it releases the lock the trigger took (same STATE_TABLE).
    ...(uses('alerts') ? { runLock: runLockOf(env, clients) } : {}),
    clock: () => new Date(),
    log: options.log ?? stepLogger(defaultObservability.logger),
  };
}

/**
 * What the trigger and runbook-url functions need: where to start runs, for which clusters,
 * and the run lock (STATE_TABLE) that keeps one execution per cluster at a time.
 */
export interface TriggerDeps {
  sfn: SFNClient;
  stateMachineArn: string;
  defaults: TriggerDefaults;
  runLock: RunLock;
  clock(): Date;
}

function runLockOf(env: Env, clients: AwsClients): DynamoDbRunLock {
  return new DynamoDbRunLock(readEnv.stateTable(env), clients.dynamo, {
    leaseHours: readEnv.runLockLeaseHours(env),
  });
}

export function awsTriggerDeps(options: Omit<AwsDepsOptions, 'log'> = {}): TriggerDeps {
  const env = options.env ?? process.env;
  const stateMachineArn = readEnv.stateMachineArn(env);
  const defaults: TriggerDefaults = {
    clusterIds: readEnv.clusterIds(env),
    clusterIdsSetting: 'CLUSTER_IDS',
    provider: 'aws',
    policy: { ...DEFAULT_POLICY, dryRun: readEnv.dryRunDefault(env) },
  };
  const clients = options.clients ?? awsClients();
  const runLock = runLockOf(env, clients);
  return { sfn: clients.sfn, stateMachineArn, defaults, runLock, clock: () => new Date() };
}

/**
 * OPERATOR_CONFIG_SSM: the operator's own tool config in an SSM parameter. `@aws-sdk/client-ssm`
 * is not a dependency of the project yet, so it is loaded only when the variable is set, and
 * its absence is a configuration error that says so.
 */
async function readSsmParameter(name: string): Promise<string | null> {
  const moduleName = '@aws-sdk/client-ssm';
  let ssm: {
    SSMClient: new (
      config: object,
    ) => { send(command: unknown): Promise<{ Parameter?: { Value?: string } }> };
    GetParameterCommand: new (input: { Name: string; WithDecryption: boolean }) => unknown;
  };
  try {
    ssm = await import(moduleName);
  } catch (cause) {
    throw new ConfigurationError(
      `OPERATOR_CONFIG_SSM is set (${name}) but ${moduleName} is not installed: add it or unset the variable`,
      { cause },
    );
  }
  const out = await new ssm.SSMClient({}).send(
    new ssm.GetParameterCommand({ Name: name, WithDecryption: true }),
  );
  return out.Parameter?.Value ?? null;
}
