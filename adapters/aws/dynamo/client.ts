// The DynamoDB document client every AWS store uses, built in one place for
// the full client set (clients.ts) and the DynamoDB-only functions (index.ts).
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { AwsClientOptions } from '../clients.js';
import { sdkConfig } from '../sdk-config.js';

export interface DocumentClient {
  db: DynamoDBDocumentClient;
  /** Destroys the document client and the raw client under it. */
  destroy(): void;
}

export function createDocumentClient(opts: AwsClientOptions = {}): DocumentClient {
  const raw = new DynamoDBClient(sdkConfig(opts, opts.endpoints?.dynamodb));
  const db = DynamoDBDocumentClient.from(raw, { marshallOptions: { removeUndefinedValues: true, convertClassInstanceToMap: true } });
  return { db, destroy() { db.destroy(); raw.destroy(); } };
}
