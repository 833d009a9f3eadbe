export type { CloudHsmBackupOptions } from './cloudhsm-backup.ts';
export { CloudHsmBackupProvider } from './cloudhsm-backup.ts';
export type { CloudHsmProviderOptions } from './cloudhsm-provider.ts';
export { CLOUDHSM_MGMT_PORT, CloudHsmProvider, compareNodes } from './cloudhsm-provider.ts';
export type { SecretsManagerCredentialsOptions } from './secrets-credentials.ts';
export { SecretsManagerCredentials } from './secrets-credentials.ts';
