/** Runs test/support/mgmt-util/fake-mgmt-util.ts as the util, with a scenario. */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ClusterNode } from '#core/model.ts';
import { renderConfig } from '#drivers/mgmt-util/config.ts';
import { AWS_PROFILE, AZURE_PROFILE } from '#drivers/mgmt-util/dialect.ts';
import type { HsmUser } from '#drivers/mgmt-util/listing.ts';
import type { FakeScenario } from './fake-mgmt-util.ts';

export const FAKE_UTIL = join(import.meta.dirname, 'fake-mgmt-util.ts');

/** A password no reply or message could contain by accident. */
export const PASSWORD = 'Pz9!unique-Secret-7731';

export function fakeCommand(): string[] {
  return [process.execPath, FAKE_UTIL];
}

export function fakeEnv(scenario: FakeScenario): NodeJS.ProcessEnv {
  return { ...process.env, FAKE_MGMT_UTIL: JSON.stringify(scenario) };
}

export function nodes(count: number): ClusterNode[] {
  return Array.from({ length: count }, (_, i) => ({
    nodeId: `hsm-${i}`,
    address: `127.0.0.${i + 1}`,
    port: 2225,
    state: 'ACTIVE' as const,
  }));
}

export function user(userId: number, username: string, userType: HsmUser['userType'] = 'CU'): HsmUser {
  return { userId, userType, username, mofnPubKey: false, loginFailureCount: 0, twoFactor: false };
}

/** A temporary directory, removed by `dispose`. */
export function tempDir(): { path: string; dispose: () => void } {
  const path = mkdtempSync(join(tmpdir(), 'hsm-sentinel-drivers-'));
  return { path, dispose: () => rmSync(path, { recursive: true, force: true }) };
}

/** Writes a util config for `count` nodes into `dir`, returns its path. */
export function writeConfig(dir: string, count: number, dialect: 'aws' | 'azure' = 'aws'): string {
  const profile = dialect === 'aws' ? AWS_PROFILE : AZURE_PROFILE;
  const path = join(dir, profile.configFileName);
  writeFileSync(path, renderConfig(nodes(count), profile));
  return path;
}

/** True while a process with this pid exists. */
export function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
