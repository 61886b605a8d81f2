// Everything that holds state: the spool bucket, the single table, the
// idempotency table, the two work queues with their DLQs and the webhook
// server secret. Lives in the data stack, which is retained and rarely replaced.
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { BlockPublicAccess, Bucket, BucketEncryption, ObjectOwnership } from 'aws-cdk-lib/aws-s3';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Secret } from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { GSI1, GSI2, TTL_ATTRIBUTE } from '../../adapters/aws/dynamo/layout.js';

export interface StorageProps {
  /** Days quarantined/rejected mail and message-log items are kept. @default 30 */
  readonly retentionDays?: number;
  /** Days a deleted (delivered) message stays recoverable as a noncurrent version. @default 7 */
  readonly deletedMailRecoveryDays?: number;
  /** Receives before a job moves to its DLQ. @default 5 */
  readonly maxReceiveCount?: number;
  /** Visibility of score jobs; at least 6 x the score Lambda timeout. @default 6 minutes */
  readonly scoreVisibility?: Duration;
  /** Visibility of deliver jobs; at least 6 x the deliver Lambda timeout. @default 12 minutes */
  readonly deliverVisibility?: Duration;
  /** @default RemovalPolicy.RETAIN */
  readonly removalPolicy?: RemovalPolicy;
}

export class Storage extends Construct {
  readonly spoolBucket: Bucket;
  readonly accessLogBucket: Bucket;
  readonly table: Table;
  readonly idempotencyTable: Table;
  readonly scoreQueue: Queue;
  readonly scoreDlq: Queue;
  readonly deliverQueue: Queue;
  readonly deliverDlq: Queue;
  /** The server secret every tenant's webhook signing key is derived from (core/notify/webhook-key.ts). */
  readonly webhookSecret: Secret;
  /** Receives before a job moves to its DLQ; the score Lambda holds the message on the last one. */
  readonly maxReceiveCount: number;

  constructor(scope: Construct, id: string, props: StorageProps = {}) {
    super(scope, id);
    const retentionDays = props.retentionDays ?? 30;
    if (retentionDays < 1) throw new Error(`retentionDays must be at least 1, got ${retentionDays}`);
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;

    this.accessLogBucket = new Bucket(this, 'AccessLogs', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      objectOwnership: ObjectOwnership.BUCKET_OWNER_PREFERRED,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy,
    });
    Validations.of(this.accessLogBucket).acknowledge({ id: 'AwsSolutions-S1', reason: 'This is the access-log bucket itself; logging it into itself would loop.' });

    // A 250 means durable: versioning keeps an overwritten or deleted message
    // recoverable for `deletedMailRecoveryDays`, and nothing is expired before
    // the retention period has passed.
    this.spoolBucket = new Bucket(this, 'Spool', {
      encryption: BucketEncryption.S3_MANAGED,
      blockPublicAccess: BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      versioned: true,
      serverAccessLogsBucket: this.accessLogBucket,
      serverAccessLogsPrefix: 'spool/',
      lifecycleRules: [
        { id: 'delivered-mail', noncurrentVersionExpiration: Duration.days(props.deletedMailRecoveryDays ?? 7), expiredObjectDeleteMarker: true },
        { id: 'retention', prefix: 'spool/', expiration: Duration.days(retentionDays + 2) },
        { id: 'stale-uploads', abortIncompleteMultipartUploadAfter: Duration.days(1) },
      ],
      removalPolicy,
    });

    this.table = new Table(this, 'Table', {
      partitionKey: { name: 'pk', type: AttributeType.STRING },
      sortKey: { name: 'sk', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: TTL_ATTRIBUTE,
      encryption: TableEncryption.AWS_MANAGED,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
    });
    for (const name of [GSI1, GSI2]) {
      this.table.addGlobalSecondaryIndex({
        indexName: name,
        partitionKey: { name: `${name}pk`, type: AttributeType.STRING },
        sortKey: { name: `${name}sk`, type: AttributeType.STRING },
      });
    }

    // Powertools idempotency records for the deliver Lambda: small, short-lived, hot; kept apart
    // so their partition keys never compete with the main table's.
    this.idempotencyTable = new Table(this, 'Idempotency', {
      partitionKey: { name: 'id', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      timeToLiveAttribute: 'expiration',
      encryption: TableEncryption.AWS_MANAGED,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const maxReceiveCount = (this.maxReceiveCount = props.maxReceiveCount ?? 5);
    const queue = (name: string, visibility: Duration) => {
      const dlq = new Queue(this, `${name}Dlq`, {
        encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14), removalPolicy,
      });
      const q = new Queue(this, `${name}Queue`, {
        encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, visibilityTimeout: visibility, retentionPeriod: Duration.days(4),
        deadLetterQueue: { queue: dlq, maxReceiveCount }, removalPolicy,
      });
      return [q, dlq] as const;
    };
    [this.scoreQueue, this.scoreDlq] = queue('Score', props.scoreVisibility ?? Duration.minutes(6));
    [this.deliverQueue, this.deliverDlq] = queue('Deliver', props.deliverVisibility ?? Duration.minutes(12));

    // Tenants verify webhooks with keys derived from this value and shown in their settings:
    // replacing it changes every tenant's key, so it is state, kept with the rest.
    this.webhookSecret = new Secret(this, 'WebhookSecret', {
      description: 'Relayguard webhook server secret: each tenant\'s webhook signing key is derived from it',
      generateSecretString: { passwordLength: 48, excludePunctuation: true },
      removalPolicy,
    });
    Validations.of(this.webhookSecret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason: 'Every tenant\'s webhook signing key is derived from this secret and configured in the tenant\'s receiver; a scheduled rotation would break all receivers at once. Rotate deliberately (docs/aws.md), after telling tenants.',
    });
  }

  /** The environment every function and the ingress task read (adapters/aws resourcesFromEnv). */
  environment(retentionDays: number): Record<string, string> {
    return {
      TABLE_NAME: this.table.tableName,
      SPOOL_BUCKET: this.spoolBucket.bucketName,
      SCORE_QUEUE_URL: this.scoreQueue.queueUrl,
      DELIVER_QUEUE_URL: this.deliverQueue.queueUrl,
      RETENTION_DAYS: String(retentionDays),
    };
  }
}
