/**
 * The one loader of test/fixtures: the vendors' documented outputs (`transcripts/`, each file's
 * source named in its folder's SOURCE.md or README.md) and the clouds' documented events
 * (`events/`).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const FIXTURES_DIR = fileURLToPath(new URL('../fixtures', import.meta.url));

/** `aws-listUsers.txt`, `cloudhsm-cli/user-list.json`, `luna/listgroups-7.3-pci.txt`. */
export function transcriptPath(name: string): string {
  return join(FIXTURES_DIR, 'transcripts', name);
}

export function transcript(name: string): string {
  return readFileSync(transcriptPath(name), 'utf8');
}

/** A documented event by name (`scheduled-event`, `cloudtrail-create-hsm`), parsed. */
export function eventFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES_DIR, 'events', `${name}.json`), 'utf8'));
}
