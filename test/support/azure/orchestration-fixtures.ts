/** The scripted run both orchestrator suites drive: its input, the resolved cluster, activity answers. */
import { DEFAULT_POLICY } from '#core/model.ts';
import type { OrchestrationInput } from '../../../functions/azure/contracts.ts';
import { CLUSTER_ID, HSM_FQDNS } from './fake-azure.ts';

export function orchestrationInput(runId: string): OrchestrationInput {
  return {
    context: {
      runId,
      clusterId: CLUSTER_ID,
      provider: 'azure',
      policy: DEFAULT_POLICY,
      startedAt: '2026-11-23T12:00:00.000Z',
      trigger: { kind: 'schedule', detail: 'test' },
    },
  };
}

export const cluster = {
  clusterId: CLUSTER_ID,
  provider: 'azure',
  dialect: 'azure',
  nodes: HSM_FQDNS.map((fqdn) => ({ nodeId: fqdn, address: fqdn, port: 2225, state: 'ACTIVE' })),
  resolvedAt: '2026-11-23T12:00:00.000Z',
  membershipToken: 't',
  configDrift: null,
};

/** An activity's answer: `{ok: true, value}`. */
export const ok = (value: unknown) => ({ ok: true, value });
/** An activity's answer for a step error of that name. */
export const fail = (name: string, message = `${name} in test`) => ({ ok: false, error: { name, message } });
