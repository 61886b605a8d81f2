// Reads every page of a Query (lists here are per tenant and small: domains,
// users, IP users); `maxPages` bounds the loop so a bug cannot spin forever.
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';

export async function queryAll(db: DynamoDBDocumentClient, input: QueryCommandInput, maxPages = 1000): Promise<Record<string, unknown>[]> {
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  for (let page = 0; page < maxPages; page++) {
    const out = await db.send(new QueryCommand({ ...input, ...(start ? { ExclusiveStartKey: start } : {}) }));
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    start = out.LastEvaluatedKey as Record<string, unknown> | undefined;
    if (!start) return items;
  }
  throw new Error(`query on ${input.TableName} did not finish within ${maxPages} pages`);
}

/** Query the generic list index gsi1 for one partition. */
export function byGsi1(table: string, gsi1pk: string): QueryCommandInput {
  return {
    TableName: table,
    IndexName: 'gsi1',
    KeyConditionExpression: 'gsi1pk = :p',
    ExpressionAttributeValues: { ':p': gsi1pk },
  };
}
