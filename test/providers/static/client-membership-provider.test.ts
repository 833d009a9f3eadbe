/** A cluster whose members are what the tool's client sees, compared with the operator's list. */
import { describe, expect, it } from '@jest/globals';
import { InvalidInputError } from '#core/errors.ts';
import { ClientMembershipProvider } from '#providers/static/client-membership-provider.ts';

const provider = (listed: Array<{ nodeId: string; address?: string }> | null) =>
  new ClientMembershipProvider({
    provider: 'file',
    tool: { id: 'luna', port: 1792 },
    listed: async () => listed,
    members: async () => [
      { nodeId: '111', state: 'ACTIVE' },
      { nodeId: '222', state: 'DEGRADED' },
    ],
    clock: () => new Date('2026-12-01T00:00:00Z'),
  });

describe('ClientMembershipProvider', () => {
  it("takes the client's members and states, the list's addresses, and reports drift both ways", async () => {
    const cluster = await provider([{ nodeId: '111', address: '10.0.0.1' }, { nodeId: '999' }]).resolve('g');

    expect(cluster.nodes).toEqual([
      { nodeId: '111', address: '10.0.0.1', port: 1792, state: 'ACTIVE' },
      { nodeId: '222', address: '222', port: 1792, state: 'DEGRADED' },
    ]);
    expect(cluster.configDrift).toEqual({ missingFromConfig: ['222'], unknownInConfig: ['999'] });
    expect(cluster).toMatchObject({ clusterId: 'g', provider: 'file', tool: 'luna' });
    expect(cluster.membershipToken).toBe('111@10.0.0.1:1792,222@222:1792');
  });

  it('a cluster the list does not have is unknown', async () => {
    await expect(provider(null).resolve('g')).rejects.toThrow(InvalidInputError);
  });
});
