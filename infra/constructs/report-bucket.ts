/**
 * The report bucket: inventories, plans, results and reports of each run under `runs/`.
 * SSE-S3 (the node-access functions reach it through a VPC endpoint and need no KMS
 * endpoint or key grant; the objects hold HSM object metadata, never key material or
 * passwords), public access blocked, TLS 1.2+ only, versioned, `runs/` expiring, server
 * access logs to a second bucket (cdk-nag's S1 recognises it as a log destination).
 */
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import {
  BlockPublicAccess,
  Bucket,
  BucketEncryption,
  type IBucket,
  ObjectOwnership,
} from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/** Every artifact of a run lives under this prefix (src/store/artifact-store.ts). */
export const RUNS_PREFIX = 'runs/';

export interface ReportBucketProps {
  /** Days a run's artifacts are kept. */
  retentionDays: number;
}

export class ReportBucket extends Construct {
  readonly bucket: Bucket;
  readonly accessLogs: Bucket;

  constructor(scope: Construct, id: string, props: ReportBucketProps) {
    super(scope, id);
    this.accessLogs = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      lifecycleRules: [{ id: 'ExpireAccessLogs', expiration: Duration.days(365) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.bucket = new Bucket(this, 'Bucket', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_ENFORCED,
      enforceSSL: true,
      minimumTLSVersion: 1.2,
      versioned: true,
      // Bucket's `isWebsite?: boolean` vs IBucket's under exactOptionalPropertyTypes: same object.
      serverAccessLogsBucket: this.accessLogs as IBucket,
      serverAccessLogsPrefix: 'report-bucket/',
      lifecycleRules: [
        {
          id: 'ExpireRuns',
          prefix: RUNS_PREFIX,
          expiration: Duration.days(props.retentionDays),
          noncurrentVersionExpiration: Duration.days(30),
        },
        { id: 'AbortIncompleteUploads', abortIncompleteMultipartUploadAfter: Duration.days(7) },
      ],
      removalPolicy: RemovalPolicy.RETAIN,
    });
  }
}
