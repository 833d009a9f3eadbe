/**
 * Where the alert's link to the report page points: a pre-signed S3 GET URL on AWS (signed
 * locally, no network), the file's path locally.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from '@jest/globals';
import { artifactKeys } from '#store/artifact-store.ts';
import { LocalFolderStore } from '#store/local-folder-store.ts';
import { MAX_LINK_SECONDS, S3Store } from '#store/s3-store.ts';

const credentials = {
  accessKeyId: 'AKIAIOSFODNN7EXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
};

describe('report links', () => {
  it('S3: a SigV4 pre-signed GET URL of report.html under the prefix, valid 7 days at most', async () => {
    const store = new S3Store('hsm-sentinel-reports', new S3Client({ region: 'eu-west-1', credentials }), {
      prefix: 'sentinel',
    });

    const link = new URL(await store.linkTo(artifactKeys.reportHtml('run-7')));

    expect(link.protocol).toBe('https:');
    expect(link.hostname).toBe('hsm-sentinel-reports.s3.eu-west-1.amazonaws.com');
    expect(link.pathname).toBe('/sentinel/runs/run-7/report.html');
    expect(link.searchParams.get('X-Amz-Algorithm')).toBe('AWS4-HMAC-SHA256');
    expect(link.searchParams.get('X-Amz-Credential')).toMatch(
      /^AKIAIOSFODNN7EXAMPLE\/\d{8}\/eu-west-1\/s3\/aws4_request$/,
    );
    expect(link.searchParams.get('X-Amz-Expires')).toBe(String(MAX_LINK_SECONDS));
    expect(link.searchParams.get('X-Amz-Signature')).toMatch(/^[0-9a-f]{64}$/);
    expect(link.searchParams.get('X-Amz-SignedHeaders')).toBe('host');
  });

  it('S3: a shorter lifetime when asked, never above the SigV4 maximum', async () => {
    const client = new S3Client({ region: 'us-east-1', credentials });
    const short = new S3Store('b', client, { linkExpiresInSeconds: 3600 });
    const long = new S3Store('b', client, { linkExpiresInSeconds: 30 * 24 * 3600 });

    expect(new URL(await short.linkTo('runs/r/report.html')).searchParams.get('X-Amz-Expires')).toBe('3600');
    expect(new URL(await long.linkTo('runs/r/report.html')).searchParams.get('X-Amz-Expires')).toBe(
      String(MAX_LINK_SECONDS),
    );
  });

  it('a local folder: the absolute path of the page', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'links-'));
    try {
      expect(await new LocalFolderStore(dir).linkTo(artifactKeys.reportHtml('run-7'))).toBe(
        join(dir, 'runs/run-7/report.html'),
      );
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
