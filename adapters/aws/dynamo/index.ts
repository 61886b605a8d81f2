// The DynamoDB-only part of the AWS adapters, for functions that touch
// nothing else (authorizer, feedback): importing it keeps the S3, SQS and
// SES clients out of their bundles.
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { systemClock, type Clock } from '../../../core/ports.js';
import type { AwsClientOptions } from '../clients.js';
import { DynamoTenantStore } from './tenant-store.js';
import { DynamoMessageStore } from './message-store.js';
import { DynamoSenderStore } from './sender-store.js';

export interface DynamoStores {
  tenants: DynamoTenantStore;
  messages: DynamoMessageStore;
  senders: DynamoSenderStore;
  close(): void;
}

export function openDynamoStores(tableName: string, opts: AwsClientOptions & { retentionSeconds?: number } = {}, clock: Clock = systemClock): DynamoStores {
  const raw = new DynamoDBClient({
    region: opts.region ?? process.env.AWS_REGION ?? 'us-east-1',
    ...(opts.credentials ? { credentials: opts.credentials } : {}),
    ...(opts.endpoints?.dynamodb ? { endpoint: opts.endpoints.dynamodb } : {}),
  });
  const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true } });
  return {
    tenants: new DynamoTenantStore(db, tableName),
    messages: new DynamoMessageStore(db, tableName, opts.retentionSeconds ? { retentionSeconds: opts.retentionSeconds } : {}),
    senders: new DynamoSenderStore(db, tableName, clock),
    close() { db.destroy(); raw.destroy(); },
  };
}
