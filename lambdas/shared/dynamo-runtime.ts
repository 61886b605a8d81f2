// DynamoDB stores from the environment, for functions that need nothing else.
import { clientOptionsFromEnv } from '../../adapters/aws/env.js';
import { openDynamoStores, type DynamoStores } from '../../adapters/aws/dynamo/index.js';

let stores: DynamoStores | undefined;

export function dynamoStores(): DynamoStores {
  const table = process.env.TABLE_NAME;
  if (!table) throw new Error('environment variable TABLE_NAME is required (set by the CDK app)');
  const retention = process.env.RETENTION_DAYS ? { retentionSeconds: Number(process.env.RETENTION_DAYS) * 86400 } : {};
  return (stores ??= openDynamoStores(table, { ...clientOptionsFromEnv(), ...retention }));
}
