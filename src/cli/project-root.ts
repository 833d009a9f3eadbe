import { fileURLToPath } from 'node:url';

/** The checkout this CLI runs from (paths in output are shown relative to it). */
export const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
