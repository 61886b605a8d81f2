// Wiring of the AWS storage: the same shape as openLocalStores, built from
// SDK clients and resource names (environment variables on AWS, emulator
// endpoints in tests). Only lambdas/, ingress/aws-main.ts and tests call this.
import { systemClock, type Clock, type DeliverJob, type ScoreJob, type StorePorts } from '../../core/ports.js';
import { createAwsClients, type AwsClientOptions, type AwsClients } from './clients.js';
import { retentionSecondsFromEnv } from './env.js';
import { S3Spool } from './s3-spool.js';
import { SqsJobQueue } from './sqs-queue.js';
import { DynamoTenantStore } from './dynamo/tenant-store.js';
import { DynamoMessageStore } from './dynamo/message-store.js';
import { DynamoSenderStore } from './dynamo/sender-store.js';
import { DynamoSqsIntake } from './intake.js';
import { DynamoSuppressionStore } from './dynamo/suppression-store.js';
import { DynamoCampaignIndex } from './dynamo/campaign-index.js';

export { S3Spool, SqsJobQueue, DynamoTenantStore, DynamoMessageStore, DynamoSenderStore, DynamoSuppressionStore, DynamoCampaignIndex, DynamoSqsIntake, createAwsClients };
export { SesTransport } from './ses-transport.js';

export interface AwsResources {
  tableName: string;
  bucketName: string;
  scoreQueueUrl: string;
  deliverQueueUrl: string;
  /** Message-log retention. @default 30 days */
  retentionSeconds?: number;
}

export interface AwsStores extends StorePorts {
  clients: AwsClients;
  close(): void;
}

export function openAwsStores(res: AwsResources, clientOptions: AwsClientOptions = {}, clock: Clock = systemClock): AwsStores {
  const clients = createAwsClients(clientOptions);
  const messages = new DynamoMessageStore(clients.dynamo, res.tableName, res.retentionSeconds ? { retentionSeconds: res.retentionSeconds } : {});
  const scoreQueue = new SqsJobQueue<ScoreJob>(clients.sqs, res.scoreQueueUrl, clock);
  return {
    spool: new S3Spool(clients.s3, res.bucketName),
    tenants: new DynamoTenantStore(clients.dynamo, res.tableName),
    messages,
    senders: new DynamoSenderStore(clients.dynamo, res.tableName, clock),
    suppressions: new DynamoSuppressionStore(clients.dynamo, res.tableName),
    campaigns: new DynamoCampaignIndex(clients.dynamo, res.tableName),
    intake: new DynamoSqsIntake(messages, scoreQueue),
    scoreQueue,
    deliverQueue: new SqsJobQueue<DeliverJob>(clients.sqs, res.deliverQueueUrl, clock),
    clients,
    close() { clients.destroy(); },
  };
}

/** Resource names from the environment the CDK app sets on every function and the ingress task. */
export function resourcesFromEnv(env: NodeJS.ProcessEnv = process.env): AwsResources {
  const need = (name: string): string => {
    const v = env[name];
    if (!v) throw new Error(`environment variable ${name} is required (set by the CDK app)`);
    return v;
  };
  const retention = retentionSecondsFromEnv(env);
  return {
    tableName: need('TABLE_NAME'),
    bucketName: need('SPOOL_BUCKET'),
    scoreQueueUrl: need('SCORE_QUEUE_URL'),
    deliverQueueUrl: need('DELIVER_QUEUE_URL'),
    ...(retention ? { retentionSeconds: retention } : {}),
  };
}
