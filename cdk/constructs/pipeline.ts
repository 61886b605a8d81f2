// The queue-driven pipeline: score and deliver Lambdas on their SQS queues
// (partial batch failures reported), the SES configuration set whose events
// reach the feedback Lambda through SNS, and least-privilege grants per function.
// All three send mail the same way — deliver the tenants' mail, score and
// feedback the ARF abuse reports of a lock — and read the webhook secret.
import { Aws, Duration, Stack, Validations } from 'aws-cdk-lib';
import { ConfigurationSet, ConfigurationSetEventDestination, EmailSendingEvent, EventDestination } from 'aws-cdk-lib/aws-ses';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import { Effect, PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Peer, Port, SecurityGroup, SubnetType, type IVpc } from 'aws-cdk-lib/aws-ec2';
import { Construct } from 'constructs';
import type { DeliveryMode } from '../config.js';
import type { Storage } from './storage.js';
import { RelayFunction } from './relay-function.js';
import { grantSpool, grantTable, grantWebhookSecret } from './grants.js';

export interface PipelineProps {
  readonly storage: Storage;
  /** @default 'ses' */
  readonly deliveryMode?: DeliveryMode;
  /** Needed for direct-MX delivery: the deliver Lambda sends from private subnets through NAT (fixed Elastic IPs). */
  readonly vpc?: IVpc;
  /** Host name in DSNs and Received headers. */
  readonly hostname: string;
  /** @default 30 */
  readonly retentionDays?: number;
  /** Records per Lambda invocation. @default 10 */
  readonly batchSize?: number;
}

/** Actions a pipeline worker needs on the single table (no Scan, no table admin). */
const TABLE_WORKER = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query', 'dynamodb:ConditionCheckItem'];

export class Pipeline extends Construct {
  readonly score: RelayFunction;
  readonly deliver: RelayFunction;
  readonly feedback: RelayFunction;
  readonly configurationSet: ConfigurationSet;
  readonly feedbackTopic: Topic;
  readonly deliveryMode: DeliveryMode;

  constructor(scope: Construct, id: string, props: PipelineProps) {
    super(scope, id);
    const { storage } = props;
    this.deliveryMode = props.deliveryMode ?? 'ses';
    if (this.deliveryMode === 'direct-mx' && !props.vpc) throw new Error('deliveryMode "direct-mx" needs a vpc: port 25 leaves through NAT gateways with fixed Elastic IPs');
    const retentionDays = props.retentionDays ?? 30;
    const env = { ...storage.environment(retentionDays), RELAY_HOSTNAME: props.hostname };

    this.configurationSet = new ConfigurationSet(this, 'ConfigurationSet', { reputationMetrics: true, sendingEnabled: true });

    // SES publishes to an encrypted topic only with a customer key it may use.
    const topicKey = new Key(this, 'TopicKey', { enableKeyRotation: true, description: 'Relayguard SES feedback topic' });
    topicKey.addToResourcePolicy(new PolicyStatement({
      effect: Effect.ALLOW,
      principals: [new ServicePrincipal('ses.amazonaws.com')],
      actions: ['kms:GenerateDataKey*', 'kms:Decrypt'],
      resources: ['*'],
      conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
    }));
    this.feedbackTopic = new Topic(this, 'FeedbackTopic', { masterKey: topicKey, enforceSSL: true });
    new ConfigurationSetEventDestination(this, 'FeedbackEvents', {
      configurationSet: this.configurationSet,
      destination: EventDestination.snsTopic(this.feedbackTopic),
      events: [EmailSendingEvent.BOUNCE, EmailSendingEvent.COMPLAINT, EmailSendingEvent.DELIVERY, EmailSendingEvent.REJECT],
    });

    // How a function sends mail: SES in the configuration set, or direct MX from the private subnets.
    const sendEnv: Record<string, string> = { DELIVERY_MODE: this.deliveryMode, SES_CONFIGURATION_SET: this.configurationSet.configurationSetName };
    let sendNetwork = {};
    if (this.deliveryMode === 'direct-mx') {
      const sg = new SecurityGroup(this, 'DeliverEgress', { vpc: props.vpc!, allowAllOutbound: false, description: 'Direct-MX delivery: SMTP to MX hosts, DNS, and HTTPS for MTA-STS and AWS APIs' });
      sg.addEgressRule(Peer.anyIpv4(), Port.tcp(25), 'SMTP to receiving MX hosts');
      sg.addEgressRule(Peer.anyIpv4(), Port.tcp(443), 'MTA-STS policies and AWS APIs');
      sg.addEgressRule(Peer.anyIpv4(), Port.udp(53), 'DNS');
      sg.addEgressRule(Peer.anyIpv4(), Port.tcp(53), 'DNS over TCP for large answers (DANE/TLSA)');
      sendNetwork = { vpc: props.vpc, vpcSubnets: { subnetType: SubnetType.PRIVATE_WITH_EGRESS }, securityGroups: [sg] };
    }

    this.score = new RelayFunction(this, 'Score', {
      entryFile: 'score.ts', service: 'score', memorySize: 1024, timeout: Duration.seconds(60),
      environment: { ...env, ...sendEnv, MAX_RECEIVES: String(storage.maxReceiveCount) }, ...sendNetwork,
    });
    grantTable(this.score.fn, storage.table, TABLE_WORKER, ['gsi1', 'gsi2']);
    grantSpool(this.score.role, storage.spoolBucket, ['s3:GetObject']);
    storage.deliverQueue.grantSendMessages(this.score.fn);
    this.score.fn.addEventSource(new SqsEventSource(storage.scoreQueue, {
      batchSize: props.batchSize ?? 10, maxBatchingWindow: Duration.seconds(1), reportBatchItemFailures: true,
    }));

    this.deliver = new RelayFunction(this, 'Deliver', {
      entryFile: 'deliver.ts', service: 'deliver', memorySize: 512, timeout: Duration.seconds(120),
      environment: { ...env, ...sendEnv, IDEMPOTENCY_TABLE: storage.idempotencyTable.tableName, MAX_RECEIVES: String(storage.maxReceiveCount) }, ...sendNetwork,
    });
    grantTable(this.deliver.fn, storage.table, TABLE_WORKER, ['gsi1', 'gsi2']);
    grantTable(this.deliver.fn, storage.idempotencyTable, ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem']);
    grantSpool(this.deliver.role, storage.spoolBucket, ['s3:GetObject', 's3:DeleteObject']);
    storage.deliverQueue.grantSendMessages(this.deliver.fn);
    this.deliver.fn.addEventSource(new SqsEventSource(storage.deliverQueue, {
      batchSize: props.batchSize ?? 10, maxBatchingWindow: Duration.seconds(1), reportBatchItemFailures: true,
    }));

    this.feedback = new RelayFunction(this, 'Feedback', {
      entryFile: 'feedback.ts', service: 'feedback', memorySize: 256, environment: { ...env, ...sendEnv }, ...sendNetwork,
    });
    grantTable(this.feedback.fn, storage.table, TABLE_WORKER, ['gsi1', 'gsi2']);
    // An abuse report attaches the offending message.
    grantSpool(this.feedback.role, storage.spoolBucket, ['s3:GetObject']);
    this.feedbackTopic.addSubscription(new LambdaSubscription(this.feedback.fn));

    for (const f of [this.score, this.deliver, this.feedback]) {
      this.allowSending(f);
      grantWebhookSecret(f.fn, storage.webhookSecret);
      acknowledgeRuntime(f);
    }
  }

  /** SES sends in the configuration set, or (direct MX) the ENI actions a VPC-attached function needs. */
  private allowSending(f: RelayFunction): void {
    if (this.deliveryMode === 'direct-mx') {
      // What AWSLambdaVPCAccessExecutionRole grants, written out: the role is ours, so CDK adds nothing.
      f.role.addToPrincipalPolicy(new PolicyStatement({
        actions: ['ec2:CreateNetworkInterface', 'ec2:DescribeNetworkInterfaces', 'ec2:DescribeSubnets', 'ec2:DeleteNetworkInterface', 'ec2:AssignPrivateIpAddresses', 'ec2:UnassignPrivateIpAddresses'],
        resources: ['*'],
      }));
      Validations.of(f.role).acknowledge({ id: 'AwsSolutions-IAM5[Resource::*]', reason: 'Lambda manages the ENIs of a VPC-attached function; these EC2 actions have no resource-level permissions.' });
      return;
    }
    f.fn.addToRolePolicy(new PolicyStatement({
      actions: ['ses:SendEmail', 'ses:SendRawEmail'],
      resources: [
        // Pseudo-parameters, not the stack's env: the ARN (and the acknowledged finding below) read the same in every account.
        `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:identity/*`,
        `arn:${Aws.PARTITION}:ses:${Aws.REGION}:${Aws.ACCOUNT_ID}:configuration-set/${this.configurationSet.configurationSetName}`,
      ],
    }));
    Validations.of(f.role).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:ses:<AWS::Region>:<AWS::AccountId>:identity/*]',
      reason: 'Tenants add sending domains at run time through the API; each must be a verified SES identity, so the functions that send (deliver: tenant mail; score and feedback: abuse reports from the relay\'s own domain) may send as any verified identity of this account.',
    });
  }
}

/** cdk-nag L1 wants the newest Node runtime; this code is built and tested for Node 22. */
export function acknowledgeRuntime(f: RelayFunction): void {
  Validations.of(f.fn).acknowledge({
    id: 'AwsSolutions-L1',
    reason: 'nodejs22.x is the runtime this code is bundled for (esbuild target node22) and tested on; move with the toolchain, not ahead of it.',
  });
}
