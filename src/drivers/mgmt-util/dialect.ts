/**
 * The mgmt-util family as data. AWS `cloudhsm_mgmt_util` and Azure `azcloudhsm_mgmt_util`
 * descend from the same vendor code; everything that differs between them lives in one
 * `DialectProfile` object, so the session, config writer, parsers and driver have no
 * `if (dialect === …)` branches. Source: shared/reference/hsm-management-cli.md §1.
 */
import type { ClusterNode } from '#core/model.ts';

export const DIALECTS = ['aws', 'azure'] as const;
/** Which member of the family: AWS Client SDK 3 `cloudhsm_mgmt_util` or Azure `azcloudhsm_mgmt_util`. */
export type Dialect = (typeof DIALECTS)[number];

/** Vendor default certificate paths written into an AWS config (cloudhsm_mgmt_util.cfg). */
export interface AwsCertificatePaths {
  certificate: string;
  pkey: string;
  CAfile: string;
  CApath: string;
  ownerCertPath: string;
}

export interface DialectProfile {
  readonly dialect: Dialect;
  /** Program name, used in error messages. */
  readonly toolName: string;
  readonly defaultBinary: string;
  /** File name the util's config is written under. */
  readonly configFileName: string;
  /** Where the vendor installs the operator's config (the runbook's commands name it). */
  readonly operatorConfigPath: string;
  /** What an operator types to rebuild a stale config (the runbook's advice on drift). */
  readonly rebuildConfig: readonly string[];
  readonly defaultPort: number;
  /** Cluster-mode prompt, without trailing space: `aws-cloudhsm>` / `cloudmgmt>`. */
  readonly globalPrompt: string;
  /** Server-mode prompt: `server0>` and the documented `server 0>`; group 1 is N. */
  readonly serverPrompt: RegExp;
  /** Whole lines that carry no data and may appear anywhere (version banners). */
  readonly bannerLines: readonly RegExp[];
  /**
   * How start-up lines name server N: `address` = the config `name`, which is the
   * node address (AWS `Connecting to server '10.0.2.9'`); `index` = `server N`
   * (Azure `Connecting to server 'server 0'`).
   */
  readonly serverNaming: 'address' | 'index';
  /** Run `enable_e2e` before sending a password (the password is never sent to a server without E2E). */
  readonly enableE2e: boolean;
  /** Replies to syncUser/syncKey meaning "the destination already has it" (idempotent success). */
  readonly alreadyPresent: readonly RegExp[];
  /** AWS writes vendor certificate paths into every server entry; Azure has none. */
  readonly certificatePaths: AwsCertificatePaths | null;
}

/**
 * Azure documents `user already created, unable to insert object`; no text is documented
 * for a key that is already present, so any `already exists` / `already created` style
 * reply (and an `…ALREADY_EXISTS` return code) is accepted for both objects.
 */
const ALREADY_PRESENT: readonly RegExp[] = [
  /\balready created\b/i,
  /\balready exists?\b/i,
  /\balready present\b/i,
  /ALREADY_EXISTS?\b/,
];

export const AWS_PROFILE: DialectProfile = {
  dialect: 'aws',
  toolName: 'cloudhsm_mgmt_util',
  defaultBinary: '/opt/cloudhsm/bin/cloudhsm_mgmt_util',
  configFileName: 'cloudhsm_mgmt_util.cfg',
  operatorConfigPath: '/opt/cloudhsm/etc/cloudhsm_mgmt_util.cfg',
  rebuildConfig: [
    'sudo /opt/cloudhsm/bin/configure -a <ENI IP of any HSM of the cluster>',
    'sudo /opt/cloudhsm/bin/configure -m',
  ],
  defaultPort: 2225,
  globalPrompt: 'aws-cloudhsm>',
  serverPrompt: /^server ?(\d+)>$/,
  bannerLines: [],
  serverNaming: 'address',
  enableE2e: true,
  alreadyPresent: ALREADY_PRESENT,
  certificatePaths: {
    certificate: '/opt/cloudhsm/etc/client.crt',
    pkey: '/opt/cloudhsm/etc/client.key',
    CAfile: '',
    CApath: '/opt/cloudhsm/etc/certs',
    ownerCertPath: '/opt/cloudhsm/etc/customerCA.crt',
  },
};

export const AZURE_PROFILE: DialectProfile = {
  dialect: 'azure',
  toolName: 'azcloudhsm_mgmt_util',
  defaultBinary: '/opt/azurecloudhsm/bin/azcloudhsm_mgmt_util',
  configFileName: 'azcloudhsm_resource.cfg',
  operatorConfigPath: '/opt/azurecloudhsm/bin/azcloudhsm_resource.cfg',
  rebuildConfig: [
    '# list the FQDN of every HSM of the cluster (hsm1, hsm2, hsm3.<cluster>.privatelink.cloudhsm.azure.net) in',
    '#   /opt/azurecloudhsm/bin/azcloudhsm_resource.cfg, then start azcloudhsm_mgmt_util again',
  ],
  defaultPort: 2225,
  globalPrompt: 'cloudmgmt>',
  serverPrompt: /^server ?(\d+)>$/,
  bannerLines: [/^\s*Liquidsec MGMT Util Version\s*:.*$/i],
  serverNaming: 'index',
  enableE2e: true,
  alreadyPresent: ALREADY_PRESENT,
  certificatePaths: null,
};

/** The name start-up lines use for server `index` (see `DialectProfile.serverNaming`). */
export function serverLabel(
  profile: DialectProfile,
  node: Pick<ClusterNode, 'address'>,
  index: number,
): string {
  return profile.serverNaming === 'address' ? node.address : `server ${index}`;
}

/** `{ mode: 'global' }` for the cluster prompt, `{ mode: 'server', server }` for `server N>`, null otherwise. */
export function matchPrompt(profile: DialectProfile, text: string): PromptState | null {
  const trimmed = text.trim();
  if (trimmed === profile.globalPrompt) return { mode: 'global' };
  const m = profile.serverPrompt.exec(trimmed);
  return m ? { mode: 'server', server: Number(m[1]) } : null;
}

export type PromptState = { mode: 'global' } | { mode: 'server'; server: number };
