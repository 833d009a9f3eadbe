/** Public surface of the Azure control-plane adapters (ARM, Cloud HSM, Blob artifacts). */

export type { ArmClientOptions, ArmResponse } from './arm-client.ts';
export { ARM_ENDPOINT, ARM_SCOPE, ArmClient, CLOUD_HSM_API_VERSION } from './arm-client.ts';
export type { BlobArtifactStoreOptions } from './blob-artifact-store.ts';
export { BlobArtifactStore, STORAGE_API_VERSION, STORAGE_SCOPE } from './blob-artifact-store.ts';
export type { AzureBackupOptions, BackupMode, BackupOperationBody } from './cloud-hsm-backup.ts';
export {
  AzureCloudHsmBackupProvider,
  BACKUP_MODES,
  BACKUP_STATUSES,
  finalStatus,
  operationUrl,
} from './cloud-hsm-backup.ts';
export type { AzureCloudHsmProviderOptions, CloudHsmClusterResource } from './cloud-hsm-provider.ts';
export { AZURE_HSM_PORT, AzureCloudHsmProvider, nodeStateOf } from './cloud-hsm-provider.ts';
export type { CloudHsmClusterId } from './cluster-id.ts';
export { CLUSTER_ID_SHAPE, parseClusterId, sameClusterId } from './cluster-id.ts';
export type {
  AccessTokenSource,
  FetchLike,
  HttpRetryOptions,
  RetryableCall,
  ServiceErrorDetail,
  Sleep,
} from './http-retry.ts';
export {
  bearerToken,
  DEFAULT_HTTP_RETRY,
  errorFromResponse,
  realSleep,
  retryAfterMs,
  sendWithRetry,
  serviceError,
} from './http-retry.ts';
