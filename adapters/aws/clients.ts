// One place that builds the AWS SDK v3 clients (SES apart, in ses-transport.ts:
// only the deliver function sends, and only it should bundle that client). On AWS every option comes
// from the Lambda/Fargate environment; in tests `endpoint` points at a local
// emulator (DynamoDB Local, fauxqs, aws-ses-v2-local) with dummy credentials.
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { S3Client } from '@aws-sdk/client-s3';
import { SQSClient } from '@aws-sdk/client-sqs';
import { createDocumentClient } from './dynamo/client.js';
import { sdkConfig } from './sdk-config.js';

export interface AwsClientOptions {
  /** @default process.env.AWS_REGION, else us-east-1 */
  region?: string;
  /** Per-service endpoint override (emulators); unset on AWS. */
  endpoints?: { dynamodb?: string; s3?: string; sqs?: string; ses?: string; secretsManager?: string };
  /** Static credentials for emulators; unset on AWS (the role's credentials are used). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
}

export interface AwsClients {
  dynamo: DynamoDBDocumentClient;
  s3: S3Client;
  sqs: SQSClient;
  destroy(): void;
}

export function createAwsClients(opts: AwsClientOptions = {}): AwsClients {
  const ep = opts.endpoints ?? {};
  const dynamo = createDocumentClient(opts);
  // Path-style addressing keeps bucket names out of hostnames, which an emulator on 127.0.0.1 needs.
  const s3 = new S3Client({ ...sdkConfig(opts, ep.s3), ...(ep.s3 ? { forcePathStyle: true } : {}) });
  const sqs = new SQSClient(sdkConfig(opts, ep.sqs));
  return {
    dynamo: dynamo.db, s3, sqs,
    destroy() { dynamo.destroy(); s3.destroy(); sqs.destroy(); },
  };
}
