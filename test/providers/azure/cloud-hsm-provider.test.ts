import { describe, expect, it } from '@jest/globals';
import { ERROR_NAMES } from '#core/errors.ts';
import { MGMT_UTIL_AZURE_MODULE } from '#drivers/mgmt-util/index.ts';
import { ArmClient } from '#providers/azure/arm-client.ts';
import { AzureCloudHsmProvider, nodeStateOf } from '#providers/azure/cloud-hsm-provider.ts';
import { parseClusterId } from '#providers/azure/cluster-id.ts';
import {
  CLUSTER_ID,
  caught,
  clusterBody,
  FakeAzure,
  fakeCredential,
  fakeTime,
  HSM_FQDNS,
} from '../../support/azure/fake-azure.ts';

function provider(azure: FakeAzure, endpointOf?: (fqdn: string) => { address: string; port: number }) {
  const time = fakeTime();
  const arm = new ArmClient({
    fetch: azure.fetch,
    credential: fakeCredential,
    sleep: time.sleep,
    now: time.clock,
  });
  return new AzureCloudHsmProvider({
    arm,
    tool: MGMT_UTIL_AZURE_MODULE,
    clock: time.clock,
    ...(endpointOf ? { endpointOf } : {}),
  });
}

describe('AzureCloudHsmProvider', () => {
  it('resolves an Active cluster to its three HSMs in ARM order (= server 0, 1, 2) on port 2225', async () => {
    const azure = new FakeAzure().on('GET', CLUSTER_ID, { status: 200, body: clusterBody() });

    const cluster = await provider(azure).resolve(CLUSTER_ID);

    expect(cluster).toMatchObject({
      clusterId: CLUSTER_ID,
      provider: 'azure',
      tool: 'mgmt-util-azure',
      configDrift: null,
    });
    expect(cluster.nodes).toEqual(
      HSM_FQDNS.map((fqdn) => ({ nodeId: fqdn, address: fqdn, port: 2225, state: 'ACTIVE' })),
    );
    expect(cluster.membershipToken).toBe(HSM_FQDNS.map((f) => `${f}@${f}:2225`).join(','));
    expect(cluster.resolvedAt).toBe('2026-11-23T12:00:00.000Z');
  });

  it('refuses a cluster that is not activated, saying it must be activated', async () => {
    const azure = new FakeAzure().on('GET', CLUSTER_ID, {
      status: 200,
      body: clusterBody({ activationState: 'NotActivated' }),
    });

    const error = await caught(provider(azure).resolve(CLUSTER_ID));

    expect(error.name).toBe(ERROR_NAMES.invalidInput);
    expect(error.message).toMatch(/not activated \(activationState NotActivated\): activate it/);
  });

  it('says the cluster is not stable while it is being provisioned', async () => {
    const azure = new FakeAzure().on('GET', CLUSTER_ID, {
      status: 200,
      body: clusterBody({ provisioningState: 'Provisioning', activationState: 'NotDefined', hsms: [] }),
    });

    const error = await caught(provider(azure).resolve(CLUSTER_ID));

    expect(error.name).toBe(ERROR_NAMES.clusterNotStable);
    expect(error.message).toContain('Provisioning');
  });

  it('says the cluster is not stable while one HSM is being re-provisioned, naming it', async () => {
    const hsms = HSM_FQDNS.map((fqdn, i) => ({
      fqdn,
      state: i === 1 ? 'Provisioning' : 'Active',
      stateMessage: i === 1 ? 'self-healing: replacing the HSM' : 'ok',
    }));
    const azure = new FakeAzure().on('GET', CLUSTER_ID, { status: 200, body: clusterBody({ hsms }) });

    const error = await caught(provider(azure).resolve(CLUSTER_ID));

    expect(error.name).toBe(ERROR_NAMES.clusterNotStable);
    expect(error.message).toContain(`${HSM_FQDNS[1]} is Provisioning (self-healing: replacing the HSM)`);
  });

  it('validates the cluster id before calling ARM', async () => {
    const azure = new FakeAzure();

    const error = await caught(provider(azure).resolve('cluster-abc123'));

    expect(error.name).toBe(ERROR_NAMES.invalidInput);
    expect(error.message).toContain('/subscriptions/<subscription guid>/resourceGroups/<group>/providers/');
    expect(azure.requests).toEqual([]);
  });

  it('keeps the FQDN as node id when the endpoint is mapped (tests, split DNS)', async () => {
    const azure = new FakeAzure().on('GET', CLUSTER_ID, { status: 200, body: clusterBody() });

    const cluster = await provider(azure, (fqdn) => ({
      address: `127.0.0.${HSM_FQDNS.indexOf(fqdn) + 1}`,
      port: 40_000,
    })).resolve(CLUSTER_ID);

    expect(cluster.nodes.map((n) => `${n.nodeId}=${n.address}:${n.port}`)).toEqual(
      HSM_FQDNS.map((f, i) => `${f}=127.0.0.${i + 1}:40000`),
    );
  });
});

describe('parseClusterId', () => {
  it('splits a Cloud HSM cluster ARM id and rejects other resource types', () => {
    expect(parseClusterId(`${CLUSTER_ID}/`)).toMatchObject({ name: 'chsm-prod', resourceGroup: 'rg-hsm' });
    expect(() => parseClusterId(CLUSTER_ID.replace('cloudHsmClusters', 'dedicatedHSMs'))).toThrow(
      /not the ARM resource id of an Azure Cloud HSM cluster/,
    );
  });
});

describe('nodeStateOf', () => {
  it('maps settled, arriving and leaving HSM states', () => {
    expect(nodeStateOf('Active')).toBe('ACTIVE');
    expect(nodeStateOf('Failed')).toBe('DEGRADED');
    expect(nodeStateOf('Provisioning')).toBe('CREATE_IN_PROGRESS');
    expect(nodeStateOf('Deleting')).toBe('DELETE_IN_PROGRESS');
    expect(nodeStateOf('Whatever')).toBe('UNKNOWN');
  });
});
