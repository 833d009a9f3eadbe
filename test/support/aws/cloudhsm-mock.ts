/**
 * aws-sdk-client-mock for the CloudHSM v2 client. The registry here serves
 * @aws-sdk/client-cloudhsm-v2 3.332, declared against @aws-sdk/types, while
 * aws-sdk-client-mock 4 is declared against @smithy/types: the same objects at run time
 * (the mock stubs `send`), different declarations. They meet here, cast once, so the tests
 * keep typed inputs and outputs.
 */
import {
  CloudHSMV2Client,
  CopyBackupToRegionCommand,
  type CopyBackupToRegionCommandInput,
  type CopyBackupToRegionCommandOutput,
  DescribeBackupsCommand,
  type DescribeBackupsCommandInput,
  type DescribeBackupsCommandOutput,
  DescribeClustersCommand,
  type DescribeClustersCommandInput,
  type DescribeClustersCommandOutput,
  ModifyBackupAttributesCommand,
  type ModifyBackupAttributesCommandInput,
  type ModifyBackupAttributesCommandOutput,
  type ServiceInputTypes,
  type ServiceOutputTypes,
} from '@aws-sdk/client-cloudhsm-v2';
import { type AwsCommand, type AwsStub, mockClient } from 'aws-sdk-client-mock';

type Mockable<I extends object, O extends ServiceOutputTypes> = new (input: I) => AwsCommand<I, O>;

export const cloudhsmCommands = {
  DescribeClusters: DescribeClustersCommand as unknown as Mockable<
    DescribeClustersCommandInput,
    DescribeClustersCommandOutput
  >,
  DescribeBackups: DescribeBackupsCommand as unknown as Mockable<
    DescribeBackupsCommandInput,
    DescribeBackupsCommandOutput
  >,
  ModifyBackupAttributes: ModifyBackupAttributesCommand as unknown as Mockable<
    ModifyBackupAttributesCommandInput,
    ModifyBackupAttributesCommandOutput
  >,
  CopyBackupToRegion: CopyBackupToRegionCommand as unknown as Mockable<
    CopyBackupToRegionCommandInput,
    CopyBackupToRegionCommandOutput
  >,
};

export function mockCloudHsm(): AwsStub<ServiceInputTypes, ServiceOutputTypes, unknown> {
  return mockClient(CloudHSMV2Client as never) as unknown as AwsStub<
    ServiceInputTypes,
    ServiceOutputTypes,
    unknown
  >;
}
