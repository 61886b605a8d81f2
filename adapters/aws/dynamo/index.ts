// The DynamoDB-only part of the AWS adapters, for functions that touch
// nothing else (authorizer, feedback): importing it keeps the S3, SQS and
// SES clients out of their bundles.
import { systemClock, type Clock } from '../../../core/ports.js';
import type { AwsClientOptions } from '../clients.js';
import { createDocumentClient } from './client.js';
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
  const { db, destroy } = createDocumentClient(opts);
  return {
    tenants: new DynamoTenantStore(db, tableName),
    messages: new DynamoMessageStore(db, tableName, opts.retentionSeconds ? { retentionSeconds: opts.retentionSeconds } : {}),
    senders: new DynamoSenderStore(db, tableName, clock),
    close: destroy,
  };
}
