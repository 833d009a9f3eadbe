export type { ArtifactStore } from './artifact-store.ts';
export { artifactKeys } from './artifact-store.ts';
export { LocalFolderStore } from './local-folder-store.ts';
export { MemoryStore } from './memory-store.ts';
export type { S3StoreOptions } from './s3-store.ts';
export { S3Store } from './s3-store.ts';
