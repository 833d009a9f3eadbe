/**
 * The parameters the infra tests deploy with: the cdk.json context (what a fresh clone
 * synthesizes with) and a realistic two-cluster test deployment. No aws-cdk-lib here, so
 * tests of the parameter readers stay fast.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from '../../../infra/constructs/paths.ts';

export const CDK_JSON_CONTEXT = (
  JSON.parse(readFileSync(join(REPO_ROOT, 'cdk.json'), 'utf8')) as {
    context: Record<string, unknown>;
  }
).context;

/** A realistic two-cluster deployment (ids in the AWS docs' formats). */
export const TEST_CONTEXT: Record<string, unknown> = {
  clusterIds: ['cluster-igklspoyj5v', 'cluster-jxhlf7644ne'],
  vpcId: 'vpc-0a1b2c3d4e5f67890',
  subnetIds: ['subnet-0a1b2c3d4e5f60001', 'subnet-0a1b2c3d4e5f60002', 'subnet-0a1b2c3d4e5f60003'],
  availabilityZones: ['eu-west-1a', 'eu-west-1b', 'eu-west-1b'],
  hsmSecurityGroupId: 'sg-0a1b2c3d4e5f67890',
  coSecretArn: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:hsm-sentinel/co-Ab12Cd',
  nodeAccessImageUri: `123456789012.dkr.ecr.eu-west-1.amazonaws.com/hsm-sentinel-node-access@sha256:${'ab'.repeat(32)}`,
  alertEmails: ['hsm-oncall@example.com', 'security@example.com'],
  recoveryRegion: 'eu-central-1',
};
