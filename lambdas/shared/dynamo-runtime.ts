// DynamoDB stores from the environment, for functions that need nothing else.
import { clientOptionsFromEnv, retentionSecondsFromEnv } from '../../adapters/aws/env.js';
import { openDynamoStores, type DynamoStores } from '../../adapters/aws/dynamo/index.js';

let stores: DynamoStores | undefined;

export function dynamoStores(): DynamoStores {
  const table = process.env.TABLE_NAME;
  if (!table) throw new Error('environment variable TABLE_NAME is required (set by the CDK app)');
  const retentionSeconds = retentionSecondsFromEnv();
  return (stores ??= openDynamoStores(table, { ...clientOptionsFromEnv(), ...(retentionSeconds ? { retentionSeconds } : {}) }));
}
