/** What the alert step keeps of every run: report.json (with its outcome and alert), report.txt, report.html. */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { afterEach, describe, expect, it } from '@jest/globals';
import { mockClient } from 'aws-sdk-client-mock';
import { renderReportHtml } from '#core/render-report-html.ts';
import { outcomeOf, type RunReport } from '#core/report.ts';
import { artifactKeys } from '#store/artifact-store.ts';
import { S3Store } from '#store/s3-store.ts';
import { runStateMachineLocally } from '#workflow/local-asl-runner.ts';
import { alertOf as buildAlert, cluster, key, user } from '../support/core/builders.ts';
import { context, fakeDeps } from '../support/workflow/fake-deps.ts';
import { FakeDriver } from '../support/workflow/fake-driver.ts';

const admin = user(1, 'admin', 'PCO');

function seeded() {
  const c = cluster(3);
  const driver = new FakeDriver({
    'hsm-0': { users: [admin, user(7, 'newest_user')], keys: [key(262150), key(8)] },
    'hsm-1': { users: [admin], keys: [key(8)] },
    'hsm-2': { users: [admin, user(7, 'newest_user')], keys: [key(8)] },
  });
  return { c, driver };
}

describe('the alert step: the report files of a run', () => {
  const s3 = mockClient(S3Client);
  afterEach(() => {
    s3.reset();
  });

  it('writes report.html beside report.json, and stores the outcome and the alert in report.json', async () => {
    const { c, driver } = seeded();
    const { deps, store } = fakeDeps(c, driver);

    const result = await runStateMachineLocally({ input: { context: context(c.clusterId) }, deps });
    const stored = JSON.parse(store.documents.get(artifactKeys.report('run-1')) ?? 'null') as RunReport;
    const { outcome, alert, ...report } = stored;

    expect(result.status).toBe('succeeded');
    expect(outcome).toBe('repaired');
    expect(outcome).toBe(outcomeOf(report));
    expect(alert).toEqual(buildAlert(report));
    expect(store.documents.get(artifactKeys.reportHtml('run-1'))).toBe(
      renderReportHtml(stored, alert ?? null),
    );
    expect(store.documents.get(artifactKeys.reportPage('run-1'))).toContain('outcome: repaired');
  });

  it('stores null as the alert of a run with nothing to say', async () => {
    const c = cluster(2);
    const driver = new FakeDriver({
      'hsm-0': { users: [admin], keys: [] },
      'hsm-1': { users: [admin], keys: [] },
    });
    const { deps, store } = fakeDeps(c, driver);

    await runStateMachineLocally({ input: { context: context(c.clusterId) }, deps });
    const stored = JSON.parse(store.documents.get(artifactKeys.report('run-1')) ?? 'null') as RunReport;

    expect(stored.outcome).toBe('clean');
    expect(stored.alert).toBeNull();
  });

  it('puts report.html with its content type, which S3 serves it with', async () => {
    s3.on(PutObjectCommand).resolves({});
    const { c, driver } = seeded();
    const { deps, store } = fakeDeps(c, driver);
    const types = new Map<string, string | undefined>();
    const recording = {
      putJson: (k: string, v: unknown) => store.putJson(k, v),
      getJson: <T>(k: string) => store.getJson<T>(k),
      putText: (k: string, text: string, type?: string) => {
        types.set(k, type);
        return store.putText(k, text);
      },
    };

    await runStateMachineLocally({
      input: { context: context(c.clusterId) },
      deps: { ...deps, store: recording },
    });
    const type = types.get(artifactKeys.reportHtml('run-1'));
    await new S3Store('report-bucket', new S3Client({})).putText(
      artifactKeys.reportHtml('run-1'),
      '<p>',
      type,
    );

    expect(type).toBe('text/html; charset=utf-8');
    expect(s3.commandCalls(PutObjectCommand)[0]?.args[0].input).toMatchObject({
      Key: 'runs/run-1/report.html',
      ContentType: 'text/html; charset=utf-8',
    });
  });
});
