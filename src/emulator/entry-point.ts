/**
 * Whether this process was started as `node <entry>`, so an emulator's file both runs as the
 * emulated program (when spawned) and imports cleanly (in tests and the demo). Compared by
 * real path: the demo and the tests start it through links and relative paths.
 */
import { realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export function isEntryPoint(entry: string | URL): boolean {
  const invoked = process.argv[1];
  if (invoked === undefined) return false;
  try {
    return realpathSync(invoked) === realpathSync(typeof entry === 'string' ? entry : fileURLToPath(entry));
  } catch {
    return false;
  }
}
