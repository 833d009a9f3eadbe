/**
 * The deployment parameters of the hsm-sentinel stack, read once from CDK context
 * (`cdk.json` "context", or `npx cdk synth -c key=value`) through typed readers that name
 * the parameter and what to do when a value is wrong.
 *
 * | context key | type | default (cdk.json) | meaning |
 * |---|---|---|---|
 * | `clusterIds` | string[] | placeholder | CloudHSM clusters to keep in sync (`cluster-…`) |
 * | `vpcId` | string | placeholder | the clusters' VPC |
 * | `subnetIds` | string[] | placeholder | private subnets for the node-access functions (and endpoints) |
 * | `availabilityZones` | string[] | placeholder | the AZ of each subnet, same order as `subnetIds` |
 * | `hsmSecurityGroupId` | string | placeholder | the cluster security group (`cloudhsm-cluster-…-sg`) |
 * | `manageHsmIngress` | boolean | true | add an ingress rule TCP 2223-2225 from the node-access group to it |
 * | `coSecretArn` | string | placeholder | Secrets Manager secret (complete ARN) with the CO credentials |
 * | `coSecretKmsKeyArn` | string | "" | the secret's customer managed key, when it has one |
 * | `nodeAccessImageUri` | string | placeholder | ECR image (`<acct>.dkr.ecr.<region>.amazonaws.com/<repo>:<tag>` or `@sha256:…`) |
 * | `nodeAccessImageArchitecture` | `x86_64` \| `arm64` | x86_64 | the vendor client (Client SDK 3) ships for x86_64 only |
 * | `createVpcEndpoints` | boolean | true | interface endpoints for S3, Secrets Manager and CloudHSM in the subnets |
 * | `vpcCidrBlock` | string | "" | when set, the endpoints also accept HTTPS from the whole VPC (shared VPCs) |
 * | `schedule` | string | `rate(6 hours)` | EventBridge schedule expression of the periodic full resync |
 * | `staleAfterHours` | number | 2 × schedule | no successful run within this → alarm (required for `cron(…)`) |
 * | `alertEmails` | string[] | [] | e-mail subscriptions of the alert topic (each must confirm) |
 * | `alertWindowHours` | number | 24 | do not re-send the same unresolved set within |
 * | `recoveryRegion` | string | "" | CopyBackupToRegion destination (empty: no copy) |
 * | `dryRunDefault` | boolean | true | runs started by schedule / events plan but do not write |
 * | `keyDetails` | boolean | false | read owner/sharing per key (getKeyInfo; slow on big clusters) |
 * | `operatorConfigSsmParameter` | string | "" | SSM parameter name holding the operator's mgmt-util cfg |
 * | `mgmtUtilPath` | string | `/opt/cloudhsm/bin/cloudhsm_mgmt_util` | the vendor binary in the image |
 * | `cloudHsmCliPath` | string | `/opt/cloudhsm/bin/cloudhsm-cli` | the Client SDK 5 CLI in the image (hsm2m.medium clusters) |
 * | `cryptoUsers` | string[] | [] | SDK 5: the crypto users whose keys are listed (each needs a secret in `cryptoUserSecrets`) |
 * | `cryptoUserSecrets` | object | {} | SDK 5: username → Secrets Manager secret ARN `{"username","password"}`: the crypto users, and users the run may re-create |
 * | `logRetentionDays` | number | 365 | retention of every log group |
 * | `reportRetentionDays` | number | 90 | days the report bucket keeps a run's artifacts (`runs/`) |
 * | `stackName` | string | `HsmSentinel` | CloudFormation stack name |
 */

export const NODE_ACCESS_ARCHITECTURES = ['x86_64', 'arm64'] as const;
export type NodeAccessArchitecture = (typeof NODE_ACCESS_ARCHITECTURES)[number];

export interface SentinelConfig {
  stackName: string;
  clusterIds: string[];
  vpcId: string;
  subnetIds: string[];
  availabilityZones: string[];
  hsmSecurityGroupId: string;
  manageHsmIngress: boolean;
  coSecretArn: string;
  coSecretKmsKeyArn: string | null;
  nodeAccessImageUri: string;
  nodeAccessImageArchitecture: NodeAccessArchitecture;
  createVpcEndpoints: boolean;
  vpcCidrBlock: string | null;
  schedule: string;
  staleAfterHours: number;
  alertEmails: string[];
  alertWindowHours: number;
  recoveryRegion: string | null;
  dryRunDefault: boolean;
  keyDetails: boolean;
  operatorConfigSsmParameter: string | null;
  mgmtUtilPath: string;
  cloudHsmCliPath: string;
  cryptoUsers: string[];
  /** Username → secret ARN. */
  cryptoUserSecrets: Record<string, string>;
  logRetentionDays: number;
  reportRetentionDays: number;
}

/** Reads one context key; `undefined` when it is not set. */
export type ContextReader = (key: string) => unknown;

export class ConfigError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(`hsm-sentinel infra: ${message}`, options);
    this.name = 'ConfigError';
  }
}

const CLUSTER_ID = /^cluster-[a-z0-9]+$/;
const VPC_ID = /^vpc-[0-9a-f]+$/;
const SUBNET_ID = /^subnet-[0-9a-f]+$/;
const SG_ID = /^sg-[0-9a-f]+$/;
const SECRET_ARN = /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+-[A-Za-z0-9]{6}$/;
const KMS_KEY_ARN = /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[0-9a-f-]+$/;
const REGION = /^[a-z]{2}(-[a-z]+)+-\d$/;
const EMAIL = /^[^@\s]+@[^@\s]+\.[^@\s]+$/;
const SSM_NAME = /^[a-zA-Z0-9_.\-/]+$/;

/** Context values given on the command line (`-c key=value`) arrive as strings. */
function decode(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  const trimmed = value.trim();
  if (trimmed.startsWith('[') || trimmed === 'true' || trimmed === 'false' || /^\d+(\.\d+)?$/.test(trimmed)) {
    try {
      return JSON.parse(trimmed);
    } catch (cause) {
      throw new ConfigError(`context value ${JSON.stringify(value)} is not valid JSON`, { cause });
    }
  }
  return value;
}

function str(read: ContextReader, key: string, pattern: RegExp | null, fallback?: string): string {
  const value = decode(read(key)) ?? fallback;
  if (typeof value !== 'string' || value === '') {
    throw new ConfigError(`context "${key}" is required (a string): set it in cdk.json or pass -c ${key}=…`);
  }
  if (pattern !== null && !pattern.test(value)) {
    throw new ConfigError(`context "${key}" = ${JSON.stringify(value)} does not look like ${pattern}`);
  }
  return value;
}

function optionalStr(read: ContextReader, key: string, pattern: RegExp): string | null {
  const value = decode(read(key));
  if (value === undefined || value === null || value === '') return null;
  return str(() => value, key, pattern);
}

function list(read: ContextReader, key: string, pattern: RegExp, minLength: number, unique = true): string[] {
  const value = decode(read(key)) ?? [];
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
    throw new ConfigError(`context "${key}" must be a JSON array of strings, e.g. -c ${key}='["…"]'`);
  }
  const items = value as string[];
  if (items.length < minLength) {
    throw new ConfigError(`context "${key}" needs at least ${minLength} item(s)`);
  }
  const bad = items.find((v) => !pattern.test(v));
  if (bad !== undefined) {
    throw new ConfigError(`context "${key}" item ${JSON.stringify(bad)} does not look like ${pattern}`);
  }
  if (unique && new Set(items).size !== items.length) {
    throw new ConfigError(`context "${key}" lists an item twice`);
  }
  return items;
}

/** A JSON object of username → secret ARN (given as an object in cdk.json, or a JSON string with -c). */
function secretMap(read: ContextReader, key: string): Record<string, string> {
  let value = read(key) ?? {};
  if (typeof value === 'string') {
    try {
      value = value.trim() === '' ? {} : JSON.parse(value);
    } catch (cause) {
      throw new ConfigError(`context "${key}" is not a JSON object`, { cause });
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(`context "${key}" must be a JSON object {"<username>": "<secret ARN>"}`);
  }
  const entries = Object.entries(value as Record<string, unknown>);
  for (const [user, arn] of entries) {
    if (!/^[A-Za-z0-9_.@-]{1,31}$/.test(user) || typeof arn !== 'string' || !SECRET_ARN.test(arn)) {
      throw new ConfigError(
        `context "${key}": ${JSON.stringify(user)} must map a username to a complete secret ARN`,
      );
    }
  }
  return Object.fromEntries(entries.map(([user, arn]) => [user.toLowerCase(), arn as string]));
}

function bool(read: ContextReader, key: string, fallback: boolean): boolean {
  const value = decode(read(key)) ?? fallback;
  if (typeof value !== 'boolean') throw new ConfigError(`context "${key}" must be true or false`);
  return value;
}

function num(read: ContextReader, key: string, fallback: number | null, min: number, max: number): number {
  const value = decode(read(key)) ?? fallback;
  if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) {
    throw new ConfigError(`context "${key}" must be a number between ${min} and ${max}`);
  }
  return value;
}

const RATE = /^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$/;
const UNIT_HOURS: Record<string, number> = {
  minute: 1 / 60,
  minutes: 1 / 60,
  hour: 1,
  hours: 1,
  day: 24,
  days: 24,
};

/**
 * The interval of a `rate(…)` expression in hours; null for `cron(…)`.
 * @example scheduleIntervalHours('rate(6 hours)') // 6
 */
export function scheduleIntervalHours(expression: string): number | null {
  const match = RATE.exec(expression);
  if (match === null) {
    if (/^cron\(.+\)$/.test(expression)) return null;
    throw new ConfigError(
      `context "schedule" = ${JSON.stringify(expression)} is neither rate(N minutes|hours|days) nor cron(…)`,
    );
  }
  const amount = Number(match[1]);
  const unit = UNIT_HOURS[match[2] ?? ''] ?? 1;
  if (amount < 1) throw new ConfigError('context "schedule": the rate must be at least 1');
  return amount * unit;
}

export interface ImageReference {
  account: string;
  region: string;
  repositoryName: string;
  /** A tag (`0.1.0`) or a digest (`sha256:…`). */
  tagOrDigest: string;
}

const IMAGE_URI =
  /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(?:\.cn)?\/([a-z0-9][a-z0-9._\-/]*)(?::([\w][\w.-]{0,127})|@(sha256:[0-9a-f]{64}))$/;

/**
 * Splits an ECR image URI; the tag or digest is required (no silent `latest`).
 * @example parseImageUri('111122223333.dkr.ecr.eu-west-1.amazonaws.com/hsm-sentinel-node-access:0.1.0')
 */
export function parseImageUri(uri: string): ImageReference {
  const match = IMAGE_URI.exec(uri);
  if (match === null) {
    throw new ConfigError(
      `context "nodeAccessImageUri" = ${JSON.stringify(uri)} is not an ECR image URI with a tag or digest ` +
        '(<account>.dkr.ecr.<region>.amazonaws.com/<repository>:<tag> or …@sha256:<digest>)',
    );
  }
  const [, account = '', region = '', repositoryName = '', tag, digest] = match;
  return { account, region, repositoryName, tagOrDigest: tag ?? digest ?? '' };
}

/** Reads and checks every parameter; throws a ConfigError naming the first wrong one. */
export function readConfig(read: ContextReader): SentinelConfig {
  const subnetIds = list(read, 'subnetIds', SUBNET_ID, 1);
  // One AZ per subnet, same order (two subnets may share an AZ).
  const azs = list(read, 'availabilityZones', /^[a-z]{2}(-[a-z]+)+-\d[a-z]$/, 1, false);
  if (azs.length !== subnetIds.length) {
    throw new ConfigError(
      `context "availabilityZones" must give the AZ of each subnet (${subnetIds.length} subnet(s), ${azs.length} AZ(s))`,
    );
  }
  const schedule = str(read, 'schedule', null, 'rate(6 hours)');
  const interval = scheduleIntervalHours(schedule);
  const staleValue = decode(read('staleAfterHours'));
  if (interval === null && (staleValue === undefined || staleValue === '')) {
    throw new ConfigError('context "staleAfterHours" is required when "schedule" is a cron(…) expression');
  }
  const staleAfterHours =
    staleValue === undefined || staleValue === ''
      ? Math.max(1, Math.ceil(2 * (interval ?? 12)))
      : num(() => staleValue, 'staleAfterHours', null, 1, 168);
  const architecture = str(read, 'nodeAccessImageArchitecture', null, 'x86_64');
  if (!(NODE_ACCESS_ARCHITECTURES as readonly string[]).includes(architecture)) {
    throw new ConfigError(
      `context "nodeAccessImageArchitecture" must be one of ${NODE_ACCESS_ARCHITECTURES}`,
    );
  }
  const nodeAccessImageUri = str(read, 'nodeAccessImageUri', null);
  parseImageUri(nodeAccessImageUri);
  const cryptoUserSecrets = secretMap(read, 'cryptoUserSecrets');
  const cryptoUsers = list(read, 'cryptoUsers', /^[A-Za-z0-9_.@-]{1,31}$/, 0).map((u) => u.toLowerCase());
  const withoutSecret = cryptoUsers.find((u) => cryptoUserSecrets[u] === undefined);
  if (withoutSecret !== undefined) {
    throw new ConfigError(`context "cryptoUsers": ${withoutSecret} has no secret in "cryptoUserSecrets"`);
  }
  return {
    stackName: str(read, 'stackName', /^[A-Za-z][A-Za-z0-9-]{0,127}$/, 'HsmSentinel'),
    clusterIds: list(read, 'clusterIds', CLUSTER_ID, 1),
    vpcId: str(read, 'vpcId', VPC_ID),
    subnetIds,
    availabilityZones: azs,
    hsmSecurityGroupId: str(read, 'hsmSecurityGroupId', SG_ID),
    manageHsmIngress: bool(read, 'manageHsmIngress', true),
    coSecretArn: str(read, 'coSecretArn', SECRET_ARN),
    coSecretKmsKeyArn: optionalStr(read, 'coSecretKmsKeyArn', KMS_KEY_ARN),
    nodeAccessImageUri,
    nodeAccessImageArchitecture: architecture as NodeAccessArchitecture,
    createVpcEndpoints: bool(read, 'createVpcEndpoints', true),
    vpcCidrBlock: optionalStr(read, 'vpcCidrBlock', /^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/),
    schedule,
    staleAfterHours,
    alertEmails: list(read, 'alertEmails', EMAIL, 0),
    alertWindowHours: num(read, 'alertWindowHours', 24, 1, 24 * 30),
    recoveryRegion: optionalStr(read, 'recoveryRegion', REGION),
    dryRunDefault: bool(read, 'dryRunDefault', true),
    keyDetails: bool(read, 'keyDetails', false),
    operatorConfigSsmParameter: optionalStr(read, 'operatorConfigSsmParameter', SSM_NAME),
    mgmtUtilPath: str(read, 'mgmtUtilPath', /^\/[\w./-]+$/, '/opt/cloudhsm/bin/cloudhsm_mgmt_util'),
    cloudHsmCliPath: str(read, 'cloudHsmCliPath', /^\/[\w./-]+$/, '/opt/cloudhsm/bin/cloudhsm-cli'),
    cryptoUsers,
    cryptoUserSecrets,
    logRetentionDays: num(read, 'logRetentionDays', 365, 1, 3653),
    reportRetentionDays: num(read, 'reportRetentionDays', 90, 1, 3653),
  };
}
