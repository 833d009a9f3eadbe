/**
 * The alert topic: SNS encrypted with a customer managed KMS key (rotation on), TLS-only
 * topic policy, e-mail subscriptions from the parameters. CloudWatch alarms publish to it
 * too, so the key policy lets the CloudWatch service use the key for this account.
 */
import { Aws, RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Construct } from 'constructs';

export interface AlertTopicProps {
  emails: string[];
}

export class AlertTopic extends Construct {
  readonly key: Key;
  readonly topic: Topic;

  constructor(scope: Construct, id: string, props: AlertTopicProps) {
    super(scope, id);
    this.key = new Key(this, 'Key', {
      description: 'hsm-sentinel: encrypts the alert topic',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.key.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Aws.ACCOUNT_ID } },
      }),
    );
    this.topic = new Topic(this, 'Topic', {
      displayName: 'hsm-sentinel alerts',
      masterKey: this.key,
      enforceSSL: true,
    });
    for (const email of props.emails) {
      this.topic.addSubscription(new EmailSubscription(email));
    }
  }
}
