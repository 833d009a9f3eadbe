/** Where the repository lives, so bundling works whatever the current directory is. */
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const ASL_FILE = join(REPO_ROOT, 'statemachines', 'audit-and-sync.asl.json');
