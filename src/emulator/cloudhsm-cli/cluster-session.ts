/**
 * One emulated `cloudhsm-cli` invocation's connections: one to every configured HSM, opened in
 * parallel (the CLI "fans out to the configured servers"), and the login on all of them ("This
 * command logs you in to all HSMs in a cluster").
 */

import type { CliServer } from '#drivers/cloudhsm-cli/config.ts';
import type { UserType } from '#drivers/mgmt-util/listing.ts';
import { EmulatedHsmError, HSM_RETURN_CODES } from '../hsm-error.ts';
import { NodeClient } from '../node-client.ts';

export interface HsmConnection {
  server: CliServer;
  client: NodeClient;
}

/** How one HSM answered a login. */
export type LoginOutcome = 'ok' | 'credentials' | 'locked' | 'unreachable' | 'other';

/** The node user type an SDK 5 role logs in as (admin → CO, which also admits the PCO). */
export function userTypeOfRole(role: 'admin' | 'crypto-user'): UserType {
  return role === 'admin' ? 'CO' : 'CU';
}

export function addressOf(server: CliServer): string {
  return `${server.hostname}:${server.port}`;
}

export class ClusterSession {
  readonly servers: readonly CliServer[];
  readonly connected: readonly HsmConnection[];
  readonly unreachable: readonly CliServer[];

  private constructor(servers: readonly CliServer[], connected: HsmConnection[], unreachable: CliServer[]) {
    this.servers = servers;
    this.connected = connected;
    this.unreachable = unreachable;
  }

  static async open(servers: readonly CliServer[], connectTimeoutMs: number): Promise<ClusterSession> {
    const results = await Promise.all(
      servers.map(async (server) => {
        try {
          return {
            server,
            client: await NodeClient.connect(server.hostname, server.port, { timeoutMs: connectTimeoutMs }),
          };
        } catch {
          return { server, client: null };
        }
      }),
    );
    const connected = results.filter((r): r is HsmConnection => r.client !== null);
    const unreachable = results.filter((r) => r.client === null).map((r) => r.server);
    return new ClusterSession(servers, connected, unreachable);
  }

  /** Runs `request` on every connected HSM in parallel, in config order. */
  all<T>(request: (client: NodeClient) => Promise<T>): Promise<T[]> {
    return Promise.all(this.connected.map((c) => request(c.client)));
  }

  /**
   * Logs in on every connected HSM (every attempt counts against the user on that HSM, as a
   * wrong password does on the real ones); unreachable HSMs are reported as such.
   */
  async login(role: 'admin' | 'crypto-user', username: string, password: string): Promise<LoginOutcome[]> {
    const outcomes = await this.all(async (client): Promise<LoginOutcome> => {
      try {
        await client.request('login', { userType: userTypeOfRole(role), username, password });
        return 'ok';
      } catch (error) {
        if (!(error instanceof EmulatedHsmError)) throw error;
        if (error.code === HSM_RETURN_CODES.loginFailure) return 'credentials';
        if (error.code === HSM_RETURN_CODES.locked) return 'locked';
        if (error.code === HSM_RETURN_CODES.serverDisconnected) return 'unreachable';
        return 'other';
      }
    });
    return [...outcomes, ...this.unreachable.map((): LoginOutcome => 'unreachable')];
  }

  close(): void {
    for (const c of this.connected) c.client.close();
  }
}
